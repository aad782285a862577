import type { ReactNode } from 'react';
import { Button, Result } from 'antd';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { hasPermission, useMe } from './me';

/** Route guard: shows a 403 result when the user lacks every one of `permission`. */
export function RequirePermission({ permission, children }: { permission?: string | readonly string[]; children: ReactNode }) {
  const me = useMe();
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (hasPermission(me, permission)) return <>{children}</>;
  return (
    <Result
      status="403"
      title={t('errors.forbiddenTitle')}
      subTitle={t('errors.forbidden')}
      extra={
        <Button type="primary" onClick={() => void navigate('/')}>
          {t('common.backHome')}
        </Button>
      }
    />
  );
}
