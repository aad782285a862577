import { useEffect } from 'react';
import { Button, Card, Empty, Flex, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TicketDetail } from '../../api/types';
import { useFormat } from '../auth/me';
import { selectionInReply, type ReplySelection } from './quoteSpan';

/**
 * Follows the text selection while the inspector scores: a selection lying inside one reply body becomes the pending
 * quote; a selection elsewhere drops it; a collapsed selection keeps it (on a phone, tapping 引用所选文字 collapses the
 * selection before the tap lands).
 */
function useReplySelection(ticket: TicketDetail | undefined, onSelect: ((s: ReplySelection | null) => void) | undefined) {
  useEffect(() => {
    if (!onSelect || !ticket) return;
    const bodies = new Map(ticket.replies.map((r) => [r.id, r.body]));
    const onChange = () => {
      const sel = document.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      onSelect(selectionInReply(sel.getRangeAt(0), (id) => bodies.get(id)));
    };
    document.addEventListener('selectionchange', onChange);
    return () => document.removeEventListener('selectionchange', onChange);
  }, [ticket, onSelect]);
}

/** The inspected ticket beside the scorecard: its conversation (replies quoted as evidence) and its timeline (events pinned). */
export function TicketPane({
  ticket,
  highlight,
  selection,
  onSelect,
}: {
  ticket: TicketDetail | undefined;
  highlight?: { replyIds: Set<string>; eventIds: Set<string> };
  /** While scoring: the pending quote, and where the pane reports a new selection inside a reply (or null). */
  selection?: ReplySelection | null;
  onSelect?: (s: ReplySelection | null) => void;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  useReplySelection(ticket, onSelect);
  if (!ticket) return <Card loading />;
  return (
    <Flex vertical gap={12}>
      <Card size="small" title={`${ticket.number} · ${ticket.subject}`} data-testid="qa-ticket">
        {ticket.replies.length === 0 ? <Empty description={t('quality.inspect.noReplies')} /> : null}
        {onSelect ? (
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }} data-testid="qa-selection">
            {selection ? (
              <>
                {t('quality.inspect.selected', { quote: selection.quote.length > 60 ? `${selection.quote.slice(0, 60)}…` : selection.quote })}{' '}
                <Button type="link" size="small" onClick={() => onSelect(null)} style={{ padding: 0, height: 'auto' }}>
                  {t('quality.inspect.clearSelection')}
                </Button>
              </>
            ) : (
              t('quality.inspect.selectHint')
            )}
          </Typography.Paragraph>
        ) : null}
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
              {/* The body verbatim as one text node: the offsets of a selection in it are the offsets the server slices. */}
              <div className="chidu-reply-body" data-reply-body={r.id}>
                {r.body}
              </div>
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
