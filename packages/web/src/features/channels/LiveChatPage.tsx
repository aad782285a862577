import { useEffect, useState } from 'react';
import { Alert, App, Badge, Button, Card, Flex, Grid, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { ticketsApi } from '../../api/endpoints';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { VisitorVerified } from './ChatPresence';

export type LiveConversation = ItemOf<ResponseOf<'get', '/webchat/conversations'>['items']>;
export const liveChatApi = {
  list: () => http.get('/webchat/conversations', {}),
  typing: (ticketId: string) => http.post('/webchat/tickets/{id}/typing', { path: { id: ticketId } }),
};

/** Seconds since an instant, re-rendered every second (the waiting column counts up). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/**
 * 在线会话: the open web chat conversations the agent may see (refreshed every 3 s): unassigned first, then the longest
 * waiting; visitor online / typing; take, then answer on the ticket page (transfer with a reason is the ticket's 转派).
 */
export default function LiveChatPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const now = useNow();
  const list = useQuery({ queryKey: ['webchat', 'conversations'], queryFn: liveChatApi.list, refetchInterval: 3000 });
  const take = useMutation({
    mutationFn: (id: string) => ticketsApi.take(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['webchat', 'conversations'] }),
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const phone = !Grid.useBreakpoint().md;
  const waited = (iso: string) => {
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    return s < 60 ? t('liveChat.seconds', { n: s }) : t('liveChat.minutes', { n: Math.floor(s / 60) });
  };
  return (
    <Page title={t('liveChat.title')} subtitle={t('liveChat.subtitle')}>
      {list.isError ? <Alert type="error" title={errorMessage(list.error, t)} /> : null}
      {phone ? (
        <Flex vertical gap={10} data-testid="live-chat-table">
          {(list.data?.items ?? []).length === 0 && !list.isLoading ? <Typography.Text type="secondary">{t('liveChat.empty')}</Typography.Text> : null}
          {(list.data?.items ?? []).map((r) => (
            <Card key={r.ticket.id} size="small">
              <Flex justify="space-between" align="center" gap={8}>
                <Space size={6} wrap>
                  <Badge status={r.visitorOnline ? 'success' : 'default'} text={r.ticket.customerName ?? '—'} />
                  <VisitorVerified visitor={r.visitor} />
                </Space>
                {r.waitingSince ? (
                  <Tag color={now - Date.parse(r.waitingSince) > 60_000 ? 'red' : 'orange'}>{waited(r.waitingSince)}</Tag>
                ) : (
                  <Tag color="green">{t('liveChat.answered')}</Tag>
                )}
              </Flex>
              <Link to={`/tickets/${r.ticket.id}`} data-testid="live-chat-open" style={{ display: 'block', margin: '6px 0' }}>
                {r.ticket.number} · {r.ticket.subject}
              </Link>
              <Flex justify="space-between" align="center">
                <Typography.Text type="secondary">{r.visitorTyping ? t('liveChat.typing') : (r.ticket.ownerName ?? t('liveChat.unassigned'))}</Typography.Text>
                {!r.ticket.ownerId ? (
                  <Button size="small" type="primary" onClick={() => take.mutate(r.ticket.id)} data-testid="live-chat-take">
                    {t('liveChat.take')}
                  </Button>
                ) : null}
              </Flex>
            </Card>
          ))}
        </Flex>
      ) : (
        <Table<LiveConversation>
          rowKey={(r) => r.ticket.id}
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('liveChat.empty') }}
          scroll={{ x: 720 }}
          data-testid="live-chat-table"
          columns={[
            {
              title: t('liveChat.visitor'),
              key: 'visitor',
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <Space wrap>
                    <Badge status={r.visitorOnline ? 'success' : 'default'} text={r.ticket.customerName ?? '—'} />
                    <VisitorVerified visitor={r.visitor} />
                  </Space>
                  {r.visitorTyping ? (
                    <Typography.Text type="secondary" data-testid="live-chat-typing">
                      {t('liveChat.typing')}
                    </Typography.Text>
                  ) : (
                    <Typography.Text type="secondary">{r.visitorOnline ? t('liveChat.online') : t('liveChat.offline')}</Typography.Text>
                  )}
                </Space>
              ),
            },
            {
              title: t('liveChat.subject'),
              key: 'subject',
              render: (_, r) => (
                <Link to={`/tickets/${r.ticket.id}`} data-testid="live-chat-open">
                  {r.ticket.number} · {r.ticket.subject}
                </Link>
              ),
            },
            {
              title: t('liveChat.waiting'),
              key: 'waiting',
              width: 120,
              render: (_, r) =>
                r.waitingSince ? (
                  <Tag color={now - Date.parse(r.waitingSince) > 60_000 ? 'red' : 'orange'} title={fmt.dateTime(r.waitingSince)}>
                    {waited(r.waitingSince)}
                  </Tag>
                ) : (
                  <Tag color="green">{t('liveChat.answered')}</Tag>
                ),
            },
            {
              title: t('liveChat.owner'),
              key: 'owner',
              render: (_, r) => r.ticket.ownerName ?? <Tag>{t('liveChat.unassigned')}</Tag>,
            },
            {
              key: 'actions',
              width: 160,
              render: (_, r) => (
                <Space>
                  {!r.ticket.ownerId ? (
                    <Button
                      size="small"
                      type="primary"
                      loading={take.isPending && take.variables === r.ticket.id}
                      onClick={() => take.mutate(r.ticket.id)}
                      data-testid="live-chat-take"
                    >
                      {t('liveChat.take')}
                    </Button>
                  ) : null}
                  <Link to={`/tickets/${r.ticket.id}`}>{t('liveChat.open')}</Link>
                </Space>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
