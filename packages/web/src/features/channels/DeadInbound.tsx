/** 渠道接入 → 死信: a channel's incoming messages whose ingest failed every attempt (the inbound queue's dead ones). */
import { useState } from 'react';
import { App, Button, Card, Input, Select, Space, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat } from '../auth/me';
import { channelsApi, type Channel, type InboundItem } from './api';

/** Kinds whose incoming messages go through the inbound queue (accept then ingest). */
const INBOUND_KINDS = new Set(['wechat_oa', 'dingtalk_robot', 'wecom_kf']);

/** Dead inbound messages of one channel (ingest failed every attempt): 重试 queues again, 丢弃 discards (audited). */
export function DeadInbound({ channels }: { channels: Channel[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const inboundChannels = channels.filter((c) => INBOUND_KINDS.has(c.kind));
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const channelId = picked ?? inboundChannels[0]?.id;
  const dead = useQuery({
    queryKey: ['channels', channelId, 'inbound', 'dead'],
    queryFn: () => channelsApi.inbound(channelId!),
    enabled: !!channelId,
  });
  const done = async (text: string) => {
    void message.success(text);
    await qc.invalidateQueries({ queryKey: ['channels', channelId, 'inbound'] });
  };
  const retry = useMutation({
    mutationFn: (id: string) => channelsApi.inboundRetry(channelId!, id),
    onSuccess: () => done(t('channels.inbound.retried')),
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const discard = useMutation({
    mutationFn: (v: { id: string; reason?: string }) => channelsApi.inboundDiscard(channelId!, v.id, v.reason),
    onSuccess: () => done(t('channels.inbound.discarded')),
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const askDiscard = (id: string) => {
    let reason = '';
    modal.confirm({
      title: t('channels.inbound.discardTitle'),
      content: (
        <Input.TextArea
          maxLength={500}
          placeholder={t('channels.inbound.discardReason')}
          onChange={(e) => (reason = e.target.value)}
          data-testid="inbound-discard-reason"
        />
      ),
      okText: t('channels.inbound.discard'),
      okButtonProps: { danger: true },
      onOk: () => discard.mutateAsync({ id, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    });
  };
  const nameOf = new Map(channels.map((c) => [c.id, c.name]));
  return (
    <Card
      size="small"
      title={t('channels.inbound.title')}
      extra={
        <Select
          style={{ minWidth: 220 }}
          value={channelId}
          onChange={setPicked}
          placeholder={t('channels.inbound.pickChannel')}
          options={inboundChannels.map((c) => ({ value: c.id, label: c.name }))}
          data-testid="inbound-channel"
        />
      }
    >
      <Typography.Paragraph type="secondary">{t('channels.inbound.hint')}</Typography.Paragraph>
      <Table
        rowKey="id"
        loading={dead.isLoading && !!channelId}
        dataSource={dead.data?.items ?? []}
        locale={{ emptyText: t('channels.inbound.empty') }}
        scroll={{ x: 720 }}
        data-testid="inbound-dead"
        columns={[
          { title: t('channels.inbound.col.received'), dataIndex: 'receivedAt', render: (v: string) => f.dateTime(v) },
          { title: t('channels.inbound.col.channel'), dataIndex: 'channelId', render: (v: string) => nameOf.get(v) ?? '—' },
          { title: t('channels.inbound.col.sender'), dataIndex: 'sender' },
          { title: t('channels.col.error'), dataIndex: 'lastError', ellipsis: true },
          { title: t('channels.col.attempts'), dataIndex: 'attempts' },
          {
            title: '',
            key: 'actions',
            render: (_: unknown, r: InboundItem) => (
              <Space>
                <Button size="small" onClick={() => retry.mutate(r.id)} loading={retry.isPending && retry.variables === r.id}>
                  {t('channels.retry')}
                </Button>
                <Button size="small" danger onClick={() => askDiscard(r.id)}>
                  {t('channels.inbound.discard')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
