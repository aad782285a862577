import type { FormInstance } from 'antd';
import type { TFunction } from 'i18next';
import i18n from '../i18n';
import { serverMessageLabel } from '../features/auth/labels';
import { ApiError, NetworkError, type ProblemFieldError } from '../api/client';

type NamePath = (string | number)[];

/** "/body/employeeNo", "body.roles.0", ["roles", 0] → ["roles", 0] */
export function normaliseErrorPath(path: ProblemFieldError['path']): NamePath {
  const raw = Array.isArray(path)
    ? path.map(String)
    : String(path)
        .replace(/^#/, '')
        .split(/[/.[\]]+/);
  const segments = raw.filter((s) => s !== '');
  if (segments[0] === 'body' && segments.length > 1) segments.shift();
  return segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Human message for any error: `errors.reason.<reason>` (with the problem's `params`) when the server names a reason
 * the app knows (e.g. `ticket_closed`; the modules' reasons live in `i18n/extra/errors-<module>.*.json`), else
 * `errors.<code>` if that key exists, else the server's detail.
 */
export function errorMessage(err: unknown, t: TFunction): string {
  if (err instanceof ApiError) {
    if (err.reason && i18n.exists(`errors.reason.${err.reason}`)) {
      return t(`errors.reason.${err.reason}`, { seconds: err.retryAfter ?? 60, ...err.params });
    }
    if (err.code && i18n.exists(`errors.${err.code}`)) {
      return t(`errors.${err.code}`, { seconds: err.retryAfter ?? 60 });
    }
    if (err.status === 403) return err.detail || t('errors.forbidden');
    return err.detail || err.title || t('errors.http', { status: err.status });
  }
  if (err instanceof NetworkError) return t('errors.network');
  return err instanceof Error && err.message ? err.message : t('errors.unknown');
}

export interface FormErrorOptions {
  form: FormInstance;
  /** Top-level form field names that may receive errors. */
  fields: readonly string[];
  /** API field → form field, e.g. { compensationLimitFen: 'compensationLimitYuan' }. */
  fieldMap?: Record<string, string>;
}

/**
 * Put `errors[].path` onto antd Form fields. Returns the messages that did not map to a field
 * (the caller shows them, together with `detail`, as a toast).
 */
export function applyFormErrors(err: unknown, { form, fields, fieldMap }: FormErrorOptions): { mapped: number; unmapped: string[] } {
  if (!(err instanceof ApiError) || err.errors.length === 0) return { mapped: 0, unmapped: [] };
  const byField = new Map<string, { name: NamePath; errors: string[] }>();
  const unmapped: string[] = [];
  for (const fe of err.errors) {
    const path = normaliseErrorPath(fe.path);
    const head = path[0];
    const mappedHead = typeof head === 'string' ? (fieldMap?.[head] ?? head) : undefined;
    if (mappedHead && fields.includes(mappedHead)) {
      const name: NamePath = [mappedHead];
      const key = mappedHead;
      const entry = byField.get(key) ?? { name, errors: [] };
      entry.errors.push(serverMessageLabel(i18n.t, fe.message));
      byField.set(key, entry);
    } else {
      const text = serverMessageLabel(i18n.t, fe.message);
      unmapped.push(path.length ? `${path.join('.')}: ${text}` : text);
    }
  }
  form.setFields([...byField.values()].map(({ name, errors }) => ({ name, errors })));
  return { mapped: byField.size, unmapped };
}
