import { useCallback, useRef } from 'react';
import { Badge, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';

/** Web chat tickets: whether the visitor is online or typing (from the live conversation list, every 2 s). */
export function ChatPresence({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['webchat', 'conversations'], queryFn: () => http.get('/webchat/conversations', {}), refetchInterval: 2000 });
  const me = q.data?.items.find((c) => c.ticket.id === ticketId);
  if (!me) return null;
  if (me.visitorTyping)
    return (
      <Typography.Text type="secondary" data-testid="chat-visitor-typing">
        {t('liveChat.visitorTyping')}
      </Typography.Text>
    );
  return <Badge status={me.visitorOnline ? 'success' : 'default'} text={me.visitorOnline ? t('liveChat.visitorOnline') : t('liveChat.visitorOffline')} />;
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
