import { useCallback } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { applyFormErrors, errorMessage, type FormErrorOptions } from './apiErrors';

/**
 * Returns a handler that shows an API error the antd way: field errors onto the form,
 * everything else as a message toast (localised by `errors.<code>` when possible).
 */
export function useApiError() {
  const { message } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, formOptions?: FormErrorOptions) => {
      // 401 is handled globally (redirect to login); totp_enrolment_required likewise.
      if (err instanceof ApiError && (err.status === 401 || err.code === 'totp_enrolment_required')) return;
      if (formOptions) {
        const { mapped, unmapped } = applyFormErrors(err, formOptions);
        if (mapped > 0 && unmapped.length === 0) return;
        if (unmapped.length > 0) {
          void message.error(`${errorMessage(err, t)} — ${unmapped.join('; ')}`);
          return;
        }
      }
      void message.error(errorMessage(err, t));
    },
    [message, t],
  );
}
