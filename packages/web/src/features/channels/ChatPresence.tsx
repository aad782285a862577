import { useCallback, useRef } from 'react';
import { Badge, Space, Tag, Tooltip, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';

interface VisitorIdentity {
  verified: boolean;
  via: 'phone' | 'portal' | null;
  phone: string | null;
}

/** 已验证 手机 138****0000 (a one-time code or the portal sign-in), or 未验证; the phone comes masked from the server. */
export function VisitorVerified({ visitor }: { visitor: VisitorIdentity }) {
  const { t } = useTranslation();
  if (!visitor.verified)
    return (
      <Tag data-testid="chat-visitor-unverified" style={{ marginInlineEnd: 0 }}>
        {t('liveChat.unverified')}
      </Tag>
    );
  return (
    <Tooltip title={t('liveChat.verifiedHint')}>
      <Tag color="green" data-testid="chat-visitor-verified" style={{ marginInlineEnd: 0 }}>
        {t(visitor.via === 'portal' ? 'liveChat.verifiedPortal' : 'liveChat.verified', { phone: visitor.phone ?? '' })}
      </Tag>
    </Tooltip>
  );
}

/** Web chat tickets: whether the visitor is verified, online or typing (from the live conversation list, every 2 s). */
export function ChatPresence({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['webchat', 'conversations'], queryFn: () => http.get('/webchat/conversations', {}), refetchInterval: 2000 });
  const me = q.data?.items.find((c) => c.ticket.id === ticketId);
  if (!me) return null;
  return (
    <Space size={8} wrap>
      <VisitorVerified visitor={me.visitor} />
      {me.visitorTyping ? (
        <Typography.Text type="secondary" data-testid="chat-visitor-typing">
          {t('liveChat.visitorTyping')}
        </Typography.Text>
      ) : (
        <Badge status={me.visitorOnline ? 'success' : 'default'} text={me.visitorOnline ? t('liveChat.visitorOnline') : t('liveChat.visitorOffline')} />
      )}
    </Space>
  );
}

/** The agent typing a public reply on a chat ticket: the widget shows “客服正在输入…” (at most one notice per 2 s). */
export function useAgentTyping(ticketId: string, enabled: boolean): () => void {
  const last = useRef(0);
  return useCallback(() => {
    if (!enabled || Date.now() - last.current < 2000) return;
    last.current = Date.now();
    void http.post('/webchat/tickets/{id}/typing', { path: { id: ticketId } }).catch(() => undefined);
  }, [ticketId, enabled]);
}
