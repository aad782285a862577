/**
 * 服务质量监控点: the row of quality checkpoints of a ticket (first response → solution confirmed → resolution
 * confirmed by the customer), each with its standard and state — colour and icon, never colour alone.
 */
import { Flex, Tag, Tooltip, Typography } from 'antd';
import { CheckCircleFilled, ClockCircleOutlined, CloseCircleFilled, MinusCircleOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { http, type ResponseOf } from '../../api/client';
import { useFormat } from '../auth/me';

type Checkpoint = ResponseOf<'get', '/tickets/{id}/checkpoints'>['items'][number];

const LOOK: Record<Checkpoint['state'], { color: string; icon: ReactNode }> = {
  passed: { color: 'success', icon: <CheckCircleFilled /> },
  failed: { color: 'error', icon: <CloseCircleFilled /> },
  pending: { color: 'processing', icon: <ClockCircleOutlined /> },
  not_applicable: { color: 'default', icon: <MinusCircleOutlined /> },
};

/** `version` changes whenever the ticket does (e.g. its timeline length), so the row follows it. */
export function Checkpoints({ ticketId, version }: { ticketId: string; version: string | number }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = useQuery({
    queryKey: ['tickets', ticketId, 'checkpoints', version],
    queryFn: () => http.get('/tickets/{id}/checkpoints', { path: { id: ticketId } }),
  });
  const items = q.data?.items ?? [];
  if (!items.some((c) => c.standard)) return null;
  return (
    <Flex gap={6} align="center" wrap data-testid="ticket-checkpoints" aria-label={t('engine.checkpoint.title')}>
      <Typography.Text type="secondary">{t('engine.checkpoint.title')}</Typography.Text>
      {items.map((c, i) => {
        const look = LOOK[c.state];
        const tip = [
          c.standard ? `${t('engine.checkpoint.standard')}：${c.standard.name}` : t('engine.checkpoint.noStandard'),
          c.at ? fmt.minuteTime(c.at) : c.state === 'pending' && c.dueAt ? t('engine.checkpoint.due', { at: fmt.minuteTime(c.dueAt) }) : null,
          c.observed !== null && c.limit !== null ? t('engine.count.observed', { observed: c.observed, limit: c.limit }) : null,
        ]
          .filter(Boolean)
          .join('\n');
        return (
          <Flex key={c.node} gap={6} align="center">
            {i > 0 ? <RightOutlined style={{ fontSize: 10, color: 'var(--ant-color-text-quaternary)' }} aria-hidden /> : null}
            <Tooltip title={<span style={{ whiteSpace: 'pre-line' }}>{tip}</span>}>
              <Tag color={look.color} icon={look.icon} style={{ marginInlineEnd: 0 }} data-testid={`checkpoint-${c.node}`} data-state={c.state}>
                {t(`engine.checkpoint.nodes.${c.node}`)} · {t(`engine.checkpoint.states.${c.state}`)}
              </Tag>
            </Tooltip>
          </Flex>
        );
      })}
    </Flex>
  );
}
