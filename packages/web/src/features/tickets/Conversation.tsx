import { useRef, useState } from 'react';
import { App, Avatar, Button, Empty, Flex, Input, Segmented, Tag, Tooltip, Typography } from 'antd';
import { EyeInvisibleOutlined, LockOutlined, SendOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ticketsApi } from '../../api/endpoints';
import type { TicketDetail, TicketReply } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { useFormat, useMe } from '../auth/me';
import { AttachmentList, AttachmentUpload, useAttachmentList } from './Attachments';
import { ticketKeys } from './queries';
import { useKbInsert } from '../kb/useKbInsert';
import { PlaceholderHints, unfilledPlaceholders } from './PlaceholderHints';
import { ComposerCheck } from '../inspection/ComposerCheck';
import { ReplyHits } from '../inspection/ReplyHits';
import { useTicketHits, type QaTicketHit } from '../inspection/api';
import { ChatPresence, useAgentTyping } from '../channels/ChatPresence';

function ReplyItem({ r, mine, hits }: { r: TicketReply; mine: boolean; hits?: QaTicketHit[] | undefined }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const internal = r.visibility === 'internal';
  const customer = r.authorKind === 'customer';
  const who = r.authorName ?? (customer ? t('timeline.customer') : t('timeline.system'));
  return (
    <div
      className={`chidu-reply ${internal ? 'chidu-reply-internal' : customer ? 'chidu-reply-customer' : 'chidu-reply-staff'}${mine ? ' chidu-reply-mine' : ''}`}
      data-testid="reply"
      data-visibility={r.visibility}
    >
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 6 }}>
        <Flex gap={8} align="center" style={{ minWidth: 0 }}>
          <Avatar size="small" icon={<UserOutlined />} className={customer ? 'chidu-avatar-customer' : 'chidu-avatar-staff'} />
          <Typography.Text strong>{who}</Typography.Text>
          {internal ? (
            <Tag color="gold" icon={<LockOutlined />} style={{ marginInlineEnd: 0 }}>
              {t('replies.internal')}
            </Tag>
          ) : customer ? (
            <Tag color="cyan" style={{ marginInlineEnd: 0 }}>
              {t('replies.fromCustomer')}
            </Tag>
          ) : (
            <Tag color="blue" style={{ marginInlineEnd: 0 }}>
              {t('replies.public')}
            </Tag>
          )}
        </Flex>
        <Typography.Text type="secondary" style={{ fontSize: 12 }} title={fmt.dateTime(r.createdAt)}>
          {fmt.relative(r.createdAt)} · {fmt.shortTime(r.createdAt)}
        </Typography.Text>
      </Flex>
      <div className="chidu-reply-body">{r.body}</div>
      {r.authorKind === 'staff' ? <ReplyHits body={r.body} replyId={r.id} hits={hits} /> : null}
      <AttachmentList items={r.attachments} />
    </div>
  );
}

/** Replies (public vs internal visibly different) and the reply box. */
export function Conversation({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const qa = useTicketHits(ticket.id, me.permissions.includes('qa.own') || me.permissions.includes('qa.view'), ticket.replies.length);
  return (
    <Flex vertical gap={12}>
      {ticket.replies.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('replies.empty')} />
      ) : (
        <Flex vertical gap={10} data-testid="replies">
          {ticket.replies.map((r) => (
            <ReplyItem key={r.id} r={r} mine={r.authorId === me.id} hits={qa.data?.items} />
          ))}
        </Flex>
      )}
      {ticket.channel === 'chat' && ticket.status !== 'closed' ? <ChatPresence ticketId={ticket.id} /> : null}
      {ticket.allowed.reply || ticket.allowed.note ? <ReplyBox ticket={ticket} /> : null}
    </Flex>
  );
}

function ReplyBox({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [body, setBody] = useState('');
  useKbInsert(ticket.id, setBody);
  // An internal ticket (内部工单) has no customer to reply to: notes only (the server refuses a public reply).
  const noCustomer = ticket.type === 'internal' || !ticket.allowed.reply;
  const [visibility, setVisibility] = useState<'public' | 'internal'>(noCustomer ? 'internal' : 'public');
  const files = useAttachmentList();
  const sending = useRef(false);
  const typing = useAgentTyping(ticket.id, ticket.channel === 'chat' && visibility === 'public');

  const send = useMutation({
    mutationFn: () => ticketsApi.reply(ticket.id, { body: body.trim(), visibility, ...(files.ids.length ? { attachmentIds: files.ids } : {}) }),
    onSuccess: () => {
      void message.success(visibility === 'internal' ? t('replies.noteAdded') : t('replies.sent'));
      setBody('');
      files.reset();
      void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.lists });
    },
    onError: (err) => showError(err),
    onSettled: () => {
      sending.current = false;
    },
  });

  // a reply the customer reads must not carry a blank {客户称呼}; internal notes may
  const blanks = visibility === 'public' ? unfilledPlaceholders(body) : [];
  const canSend = body.trim().length > 0 && blanks.length === 0 && !files.uploading && !send.isPending;
  const submit = () => {
    if (!canSend || sending.current) return;
    sending.current = true;
    send.mutate();
  };
  const internal = visibility === 'internal';

  return (
    <div className={`chidu-reply-box${internal ? ' chidu-reply-box-internal' : ''}`} data-testid="reply-box">
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 8 }}>
        <Segmented<'public' | 'internal'>
          value={visibility}
          onChange={setVisibility}
          options={[
            { value: 'public', label: t('replies.public'), disabled: noCustomer },
            {
              value: 'internal',
              label: (
                <span>
                  <EyeInvisibleOutlined /> {t('replies.internalNote')}
                </span>
              ),
            },
          ]}
          data-testid="reply-visibility"
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {internal ? t('replies.internalHint') : ticket.status === 'closed' ? t('replies.closedHint') : t('replies.publicHint')}
        </Typography.Text>
      </Flex>
      <Input.TextArea
        value={body}
        onChange={(e) => {
          setBody(e.target.value);
          typing();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
        autoSize={{ minRows: 3, maxRows: 12 }}
        maxLength={20_000}
        placeholder={internal ? t('replies.notePlaceholder') : t('replies.placeholder')}
        data-testid="reply-input"
        aria-label={internal ? t('replies.internalNote') : t('replies.public')}
      />
      {blanks.length ? <PlaceholderHints body={body} /> : null}
      <ComposerCheck
        body={body}
        internal={internal}
        first={!ticket.replies.some((x) => x.authorKind === 'staff' && x.visibility === 'public')}
        channel={ticket.channel}
        ticketType={ticket.type}
      />
      <Flex justify="space-between" align="flex-start" gap={8} wrap style={{ marginTop: 8 }}>
        <div style={{ flex: 1, minWidth: 0 }}>
          <AttachmentUpload state={files} compact />
        </div>
        <Flex align="center" gap={8}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} className="chidu-hide-phone">
            {t('replies.ctrlEnter')}
          </Typography.Text>
          <Tooltip title={blanks.length ? t('compose.sendBlocked') : undefined}>
            <Button type="primary" icon={<SendOutlined />} disabled={!canSend} loading={send.isPending} onClick={submit} data-testid="reply-submit">
              {internal ? t('replies.addNote') : t('replies.send')}
            </Button>
          </Tooltip>
        </Flex>
      </Flex>
    </div>
  );
}
