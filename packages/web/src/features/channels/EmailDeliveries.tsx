import { App, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { hasPermission, useFormat, useOptionalMe } from '../auth/me';
import { channelsApi } from './api';

const COLOR: Record<string, string> = { queued: 'blue', sending: 'processing', sent: 'green', failed: 'orange', dead: 'red' };

/** On an email ticket: each outgoing mail (threaded reply, survey invitation) with its delivery state; failed ones can be sent again. */
export function EmailDeliveries({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const { message } = App.useApp();
  // Sending again is the channel administrators' (they see why it failed in the channel log).
  const canRetry = hasPermission(useOptionalMe(), 'channels.manage');
  const key = ['tickets', ticketId, 'deliveries'];
  const q = useQuery({ queryKey: key, queryFn: () => channelsApi.ticketDeliveries(ticketId), refetchInterval: 5000 });
  const retry = useMutation({
    mutationFn: (id: string) => channelsApi.retry(id),
    onSuccess: async () => {
      void message.success(t('channels.retried'));
      await qc.invalidateQueries({ queryKey: key });
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <Card size="small" title={t('channels.deliveries.title')} data-testid="email-deliveries">
      <List
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        locale={{ emptyText: t('channels.deliveries.none') }}
        renderItem={(d) => (
          <List.Item
            actions={
              canRetry && (d.status === 'failed' || d.status === 'dead')
                ? [
                    <Button key="retry" size="small" onClick={() => retry.mutate(d.id)}>
                      {t('channels.retry')}
                    </Button>,
                  ]
                : []
            }
          >
            <Space direction="vertical" size={0}>
              <Space wrap>
                <Tag color={COLOR[d.status]} data-testid="delivery-status">
                  {t(`channels.status.${d.status}`)}
                </Tag>
                <Typography.Text>{d.subject}</Typography.Text>
              </Space>
              <Typography.Text type="secondary">
                {d.recipient} · {f.dateTime(d.sentAt ?? d.createdAt)}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );
}
