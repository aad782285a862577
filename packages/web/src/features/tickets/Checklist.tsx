/**
 * The checklist of repair and order tickets (issue #13 item 7, seed 003): 报价已告知客户 before work starts and
 * 已说明作业、保修范围和收费 before resolve, each with who recorded it and when; one recorded later is marked late
 * (it fails the audit standards QUOTE-BEFORE-WORK / CAR-EXPLAIN). Icon and text, never colour alone.
 */
import { Button, Flex, Tag, Typography } from 'antd';
import { CheckCircleFilled, ExclamationCircleFilled, BorderOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { PERM, type TicketDetail } from '../../api/types';
import { useFormat, usePermission } from '../auth/me';
import { useTicketMutation } from './TicketActions';

type Step = 'cost_quoted' | 'work_explained';

export function Checklist({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const canWork = usePermission(PERM.ticketsWork);
  const queryClient = useQueryClient();
  const applies = ticket.type === 'repair' || ticket.type === 'order';
  const key = ['tickets', ticket.id, 'checklist'];
  const q = useQuery({
    queryKey: [...key, ticket.timeline.length],
    queryFn: () => http.get('/tickets/{id}/checklist', { path: { id: ticket.id } }),
    enabled: applies && canWork,
  });
  const record = useTicketMutation(
    ticket.id,
    (step: Step) => http.post('/tickets/{id}/checklist', { path: { id: ticket.id }, body: { step } }),
    (r) => {
      void queryClient.invalidateQueries({ queryKey: key });
      return r.inTime ? t('checklist.recorded') : t('checklist.recordedLate');
    },
  );
  if (!applies || !q.data?.applicable) return null;
  return (
    <Flex vertical gap={4} data-testid="ticket-checklist" aria-label={t('checklist.title')}>
      <Typography.Text type="secondary">{t('checklist.title')}</Typography.Text>
      {q.data.items.map((c) => (
        <Flex key={c.step} gap={8} align="center" wrap data-testid={`checklist-${c.step}`} data-done={c.done} data-in-time={String(c.inTime)}>
          {c.done ? (
            <Tag color={c.inTime ? 'success' : 'warning'} icon={c.inTime ? <CheckCircleFilled /> : <ExclamationCircleFilled />} style={{ marginInlineEnd: 0 }}>
              {t(`checklist.steps.${c.step}`)}
              {c.inTime ? '' : ` · ${t('checklist.late')}`}
            </Tag>
          ) : (
            <Tag icon={<BorderOutlined />} style={{ marginInlineEnd: 0 }}>
              {t(`checklist.steps.${c.step}`)}
            </Tag>
          )}
          {c.done ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('checklist.by', { name: c.recordedByName ?? '—', at: c.recordedAt ? fmt.minuteTime(c.recordedAt) : '—' })}
            </Typography.Text>
          ) : ticket.status !== 'closed' ? (
            <Button
              size="small"
              loading={record.isPending && record.variables === c.step}
              onClick={() => record.mutate(c.step)}
              data-testid={`record-${c.step}`}
            >
              {t('checklist.record')}
            </Button>
          ) : null}
          {!c.done ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`checklist.when.${c.step}`)}
            </Typography.Text>
          ) : null}
        </Flex>
      ))}
    </Flex>
  );
}
