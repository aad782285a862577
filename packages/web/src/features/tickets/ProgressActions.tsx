/**
 * 客户询问进度 / 客户确认方案 on the ticket page: staff record that the customer asked how the request stands (starts the
 * "status within 1 minute of asking" standard; the next public reply answers it) or accepted the proposed solution
 * (the 方案确认 checkpoint). Both land on the timeline.
 */
import { useState } from 'react';
import { Button, Flex, Form, Input, Modal, Select } from 'antd';
import { CheckSquareOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { OPEN_STATUSES, PERM, type TicketDetail } from '../../api/types';
import { usePermission } from '../auth/me';
import { useTicketMutation } from './TicketActions';

const CHANNELS = ['phone', 'walk_in', 'chat', 'wechat', 'email', 'other'] as const;
type Channel = (typeof CHANNELS)[number];

export function ProgressActions({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const canWork = usePermission(PERM.ticketsWork);
  const [dialog, setDialog] = useState<'status' | 'solution' | null>(null);
  const [channel, setChannel] = useState<Channel>('phone');
  const [note, setNote] = useState('');
  const ask = useTicketMutation(
    ticket.id,
    (c: Channel) => http.post('/tickets/{id}/status-requests', { path: { id: ticket.id }, body: { channel: c } }),
    () => t('stdEvents.progress.asked'),
  );
  const confirm = useTicketMutation(
    ticket.id,
    (v: { channel: Channel; note: string }) =>
      http.post('/tickets/{id}/solution-confirmations', { path: { id: ticket.id }, body: { channel: v.channel, note: v.note.trim() || null } }),
    () => t('stdEvents.progress.confirmed'),
  );
  // An internal ticket (内部工单) has no customer to ask or confirm with.
  if (!canWork || ticket.type === 'internal' || !OPEN_STATUSES.includes(ticket.status)) return null;
  const channelSelect = (
    <Select<Channel>
      value={channel}
      onChange={setChannel}
      options={CHANNELS.map((c) => ({ value: c, label: t(`stdEvents.channel.${c}`) }))}
      data-testid="progress-channel"
    />
  );
  return (
    <Flex gap={8} wrap data-testid="progress-actions">
      <Button icon={<QuestionCircleOutlined />} onClick={() => setDialog('status')} data-testid="ask-status">
        {t('stdEvents.progress.ask')}
      </Button>
      <Button icon={<CheckSquareOutlined />} onClick={() => setDialog('solution')} data-testid="confirm-solution">
        {t('stdEvents.progress.confirm')}
      </Button>
      <Modal
        open={dialog === 'status'}
        title={t('stdEvents.progress.askTitle')}
        okText={t('stdEvents.progress.record')}
        confirmLoading={ask.isPending}
        onCancel={() => setDialog(null)}
        onOk={() => ask.mutate(channel, { onSuccess: () => setDialog(null) })}
      >
        <Form layout="vertical">
          <Form.Item label={t('stdEvents.progress.channel')} extra={t('stdEvents.progress.askHelp')}>
            {channelSelect}
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={dialog === 'solution'}
        title={t('stdEvents.progress.confirmTitle')}
        okText={t('stdEvents.progress.record')}
        confirmLoading={confirm.isPending}
        onCancel={() => setDialog(null)}
        onOk={() => confirm.mutate({ channel, note }, { onSuccess: () => setDialog(null) })}
      >
        <Form layout="vertical">
          <Form.Item label={t('stdEvents.progress.channel')}>{channelSelect}</Form.Item>
          <Form.Item label={t('stdEvents.progress.note')}>
            <Input.TextArea
              value={note}
              onChange={(e) => setNote(e.target.value)}
              maxLength={500}
              rows={2}
              placeholder={t('stdEvents.progress.notePlaceholder')}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
