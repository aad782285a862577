import { Card, Empty, Flex, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TicketDetail } from '../../api/types';
import { useFormat } from '../auth/me';

/** The inspected ticket beside the scorecard: its conversation (replies quoted as evidence) and its timeline (events pinned). */
export function TicketPane({ ticket, highlight }: { ticket: TicketDetail | undefined; highlight?: { replyIds: Set<string>; eventIds: Set<string> } }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (!ticket) return <Card loading />;
  return (
    <Flex vertical gap={12}>
      <Card size="small" title={`${ticket.number} · ${ticket.subject}`} data-testid="qa-ticket">
        {ticket.replies.length === 0 ? <Empty description={t('quality.inspect.noReplies')} /> : null}
        <Flex vertical gap={8}>
          {ticket.replies.map((r) => (
            <div
              key={r.id}
              className={`chidu-reply ${r.visibility === 'internal' ? 'chidu-reply-internal' : r.authorKind === 'customer' ? 'chidu-reply-customer' : 'chidu-reply-staff'}`}
              style={highlight?.replyIds.has(r.id) ? { outline: '2px solid #fa8c16' } : undefined}
              data-testid="qa-reply"
            >
              <Flex justify="space-between" gap={8} wrap>
                <Typography.Text strong>{r.authorName ?? (r.authorKind === 'customer' ? t('timeline.customer') : t('timeline.system'))}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {r.visibility === 'internal' ? <Tag color="gold">{t('replies.internal')}</Tag> : null}
                  {fmt.dateTime(r.createdAt)}
                </Typography.Text>
              </Flex>
              <div className="chidu-reply-body">{r.body}</div>
            </div>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={t('quality.inspect.timeline')}>
        <Timeline
          items={ticket.timeline.slice(-30).map((e) => ({
            key: e.id,
            color: highlight?.eventIds.has(e.id) ? 'orange' : 'gray',
            children: (
              <span>
                <Typography.Text>{e.title}</Typography.Text>{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {e.actorName ? `${e.actorName} · ` : ''}
                  {fmt.dateTime(e.at)}
                </Typography.Text>
              </span>
            ),
          }))}
        />
      </Card>
    </Flex>
  );
}
