import { useState } from 'react';
import { App, Badge, Button, Empty, Flex, List, Popover, Spin, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { notificationsApi } from '../../api/endpoints';
import type { AppNotification } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { notificationKindLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { useRealtime, useRealtimeMessages } from './realtime';

export const NOTIFICATIONS_KEY = ['notifications', 'list'] as const;

/** A missing endpoint (404/405/501) means the feature is not deployed: hide it quietly. */
export function isMissingEndpoint(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501);
}

/** Header bell: unread count, the latest notifications, click → the ticket. Live via the WebSocket. */
export function NotificationBell({ compact }: { compact: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { notification } = App.useApp();
  const realtime = useRealtime();
  const [open, setOpen] = useState(false);

  const list = useQuery({
    queryKey: NOTIFICATIONS_KEY,
    queryFn: () => notificationsApi.list({ limit: 20 }),
    // fallback polling while the socket is not connected
    refetchInterval: () => (realtime?.state === 'open' ? false : 60_000),
    retry: (n, err) => !isMissingEndpoint(err) && !(err instanceof ApiError && err.status < 500) && n < 2,
    staleTime: 15_000,
  });

  const markRead = useMutation({
    mutationFn: (id: string) => notificationsApi.read(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const markAll = useMutation({
    mutationFn: () => notificationsApi.readAll(),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });

  const openItem = (n: AppNotification) => {
    if (!n.readAt) markRead.mutate(n.id);
    setOpen(false);
    if (n.ticketId) void navigate(`/tickets/${n.ticketId}`);
  };

  useRealtimeMessages((msg) => {
    if (msg.type !== 'notification') return;
    const m = msg as { id: string; title: string; ticketId: string | null };
    notification.info({
      key: `n-${m.id}`,
      title: t('notifications.new'),
      description: m.title,
      placement: 'bottomRight',
      duration: 6,
      onClick: () => {
        notification.destroy(`n-${m.id}`);
        markRead.mutate(m.id);
        if (m.ticketId) void navigate(`/tickets/${m.ticketId}`);
      },
      style: m.ticketId ? { cursor: 'pointer' } : undefined,
    });
  });

  if (list.isError && isMissingEndpoint(list.error)) return null;
  const unread = list.data?.unreadCount ?? list.data?.items.filter((n) => !n.readAt).length ?? 0;
  const items = list.data?.items ?? [];

  const content = (
    <div style={{ width: compact ? 300 : 380, maxWidth: 'calc(100vw - 32px)' }} data-testid="notifications-panel">
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('notifications.title')}</Typography.Text>
        {unread > 0 ? (
          <Button size="small" type="link" loading={markAll.isPending} onClick={() => markAll.mutate()}>
            {t('notifications.readAll')}
          </Button>
        ) : null}
      </Flex>
      {list.isPending ? (
        <Flex justify="center" style={{ padding: 24 }}>
          <Spin />
        </Flex>
      ) : list.isError ? (
        <Typography.Text type="danger">{errorMessage(list.error, t)}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <List<AppNotification>
          size="small"
          dataSource={items}
          style={{ maxHeight: 420, overflowY: 'auto' }}
          renderItem={(n) => (
            <List.Item onClick={() => openItem(n)} className={n.readAt ? 'chidu-notice' : 'chidu-notice chidu-notice-unread'} data-testid="notification-item">
              <Flex vertical gap={2} style={{ minWidth: 0, width: '100%' }}>
                <Flex justify="space-between" gap={8}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {notificationKindLabel(t, n.kind)}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }} title={fmt.dateTime(n.createdAt)}>
                    {fmt.relative(n.createdAt)}
                  </Typography.Text>
                </Flex>
                <Typography.Text strong={!n.readAt} style={{ wordBreak: 'break-word' }}>
                  {n.title}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </div>
  );

  return (
    <Popover content={content} trigger="click" open={open} onOpenChange={setOpen} placement="bottomRight" arrow={false}>
      <Button type="text" aria-label={t('notifications.title')} data-testid="notifications-bell">
        <Badge count={unread} size="small" overflowCount={99} offset={[2, -2]}>
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
