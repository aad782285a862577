import { Empty, Flex, List, Statistic, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useFormat, usePermission } from '../auth/me';
import { KEYS } from './api';

interface Resp {
  items: {
    id: string;
    ticketId: string;
    ticketNumber: string;
    ticketSubject: string;
    csat: number | null;
    nps: number | null;
    ces: number | null;
    reasons: string[];
    comment: string | null;
    lowScore: boolean;
    answeredAt: string;
  }[];
  pending: unknown[];
  summary: { answered: number; csatAverage: number | null; lowScores: number };
}

/** Customer 360 tab: the customer's survey answers (score, reasons, comment, ticket). */
export function CustomerSurveys({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const allowed = usePermission('surveys.view');
  const q = useQuery({ queryKey: KEYS.customer(customerId), queryFn: () => api.get<Resp>(`/customers/${customerId}/surveys`), enabled: allowed });
  if (!allowed) return null;
  if (!q.data) return <Typography.Text type="secondary">…</Typography.Text>;
  const d = q.data;
  return (
    <div>
      <Flex gap={32} wrap style={{ marginBottom: 12 }}>
        <Statistic title={t('surveys.customer.avg')} value={d.summary.csatAverage === null ? '—' : d.summary.csatAverage.toFixed(2)} />
        <Statistic title={t('surveys.customer.low')} value={d.summary.lowScores} />
        {d.pending.length ? (
          <Tag color="blue" style={{ alignSelf: 'center' }}>
            {t('surveys.customer.pending', { n: d.pending.length })}
          </Tag>
        ) : null}
      </Flex>
      {d.items.length === 0 ? (
        <Empty description={t('surveys.customer.empty')} />
      ) : (
        <List
          size="small"
          dataSource={d.items}
          renderItem={(r) => (
            <List.Item>
              <List.Item.Meta
                title={
                  <Flex gap={8} wrap align="center">
                    {r.csat !== null ? (
                      <span style={{ color: '#f5a623', letterSpacing: 1 }}>
                        {'★'.repeat(r.csat)}
                        <span style={{ color: '#d9dde4' }}>{'★'.repeat(5 - r.csat)}</span>
                      </span>
                    ) : null}
                    {r.nps !== null ? <Tag>NPS {r.nps}</Tag> : null}
                    {r.ces !== null ? <Tag>CES {r.ces}</Tag> : null}
                    {r.lowScore ? <Tag color="red">{t('surveys.customer.low')}</Tag> : null}
                    <Link to={`/tickets/${r.ticketId}`}>{r.ticketNumber}</Link>
                  </Flex>
                }
                description={
                  <span>
                    {fmt.dateTime(r.answeredAt)} · {r.ticketSubject}
                    {r.reasons.length ? ` · ${r.reasons.join('、')}` : ''}
                    {r.comment ? ` · “${r.comment}”` : ''}
                  </span>
                }
              />
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
