import { useQuery } from '@tanstack/react-query';
import { Card, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { ResponseOf } from '../../api/client';

type Demo = ResponseOf<'get', '/demo/accounts'>;
export type DemoAccount = Demo['accounts'][number];

/** Demo mode (the server answers GET /demo/accounts only then): the demo logins; clicking one fills the form. */
export function DemoAccounts({ onPick }: { onPick: (a: DemoAccount, password: string) => void }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['demo-accounts'],
    queryFn: () => api.get<Demo>('/demo/accounts', undefined, { skipAuthRedirect: true }),
    retry: false,
    staleTime: Infinity,
  });
  const d = q.data;
  if (!d) return null;
  return (
    <Card className="chidu-login-card" variant="borderless" size="small" title={t('reports.demo.title')} data-testid="demo-accounts">
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {t('reports.demo.hint', { password: d.password })}
      </Typography.Paragraph>
      <List
        size="small"
        dataSource={d.accounts}
        renderItem={(a) => (
          <List.Item
            style={{ cursor: 'pointer', paddingInline: 8 }}
            onClick={() => onPick(a, d.password)}
            data-testid={`demo-account-${a.employeeNo}`}
            role="button"
            tabIndex={0}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') onPick(a, d.password);
            }}
          >
            <Typography.Text strong style={{ width: 64, display: 'inline-block' }}>
              {a.employeeNo}
            </Typography.Text>
            <span style={{ flex: 1 }}>
              {a.roles.map((r) => (
                <Tag key={r}>{t(`roleNames.${r}`, { defaultValue: r })}</Tag>
              ))}
              {a.name}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.team ?? ''}
            </Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}
