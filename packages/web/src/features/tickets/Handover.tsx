import { useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Flex, Form, Grid, Input, Modal, Select, Tag, Typography } from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { handoversApi, ticketsApi } from '../../api/endpoints';
import type { Handover, HandoverCreate, TicketDetail } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { useFormat, useMe } from '../auth/me';
import { ColleagueSelect } from './ColleagueSelect';
import { ticketKeys } from './queries';
import { TRANSFER_REASONS } from '../process/api';

/** The six fields of a structured handover (服务交接), in the order the receiver reads them. */
export const HANDOVER_FIELDS = ['situation', 'need', 'done', 'pending', 'expectation', 'cautions'] as const;
type HandoverField = (typeof HANDOVER_FIELDS)[number];

const STATE_COLOURS: Record<string, string> = { pending: 'orange', confirmed: 'green', declined: 'red', cancelled: 'default' };

export function HandoverStateTag({ state }: { state: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATE_COLOURS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`handover.states.${state}`, { defaultValue: state })}
    </Tag>
  );
}

/** The handover content as a read-only sheet. */
export function HandoverSheet({ h }: { h: Handover }) {
  const { t } = useTranslation();
  return (
    <Descriptions
      size="small"
      column={1}
      bordered
      className="chidu-handover-sheet"
      items={HANDOVER_FIELDS.map((f) => ({
        key: f,
        label: t(`handover.fields.${f}`),
        children: <span style={{ whiteSpace: 'pre-wrap' }}>{h[f] || '—'}</span>,
      }))}
    />
  );
}

/** Decide a handover as its receiver: confirm (ownership moves) or decline with a note. */
export function useHandoverDecision(onDone?: () => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, note }: { id: string; decision: 'confirm' | 'decline'; note?: string; number?: string | null }) =>
      decision === 'confirm' ? handoversApi.confirm(id, note) : handoversApi.decline(id, note),
    onSuccess: (h, v) => {
      void message.success(v.decision === 'confirm' ? t('handover.confirmed', { number: h.ticketNumber ?? v.number ?? '' }) : t('handover.declined'));
      void queryClient.invalidateQueries({ queryKey: ['handovers'] });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['teamLoad'] });
      onDone?.();
    },
    onError: (err) => showError(err),
  });
}

export function HandoverDecisionButtons({ h, size, number }: { h: Handover; size?: 'small' | 'middle'; number?: string }) {
  const { t } = useTranslation();
  const [declining, setDeclining] = useState(false);
  const [note, setNote] = useState('');
  const decide = useHandoverDecision(() => {
    setDeclining(false);
    setNote('');
  });
  return (
    <>
      <Flex gap={8} wrap>
        <Button
          type="primary"
          size={size}
          icon={<CheckOutlined />}
          loading={decide.isPending && decide.variables?.decision === 'confirm'}
          onClick={() => decide.mutate({ id: h.id, decision: 'confirm', number: h.ticketNumber ?? number })}
          data-testid="handover-confirm"
        >
          {t('handover.confirm')}
        </Button>
        <Button size={size} danger icon={<CloseOutlined />} onClick={() => setDeclining(true)} data-testid="handover-decline">
          {t('handover.decline')}
        </Button>
      </Flex>
      <Modal
        open={declining}
        title={t('handover.declineTitle')}
        onCancel={() => setDeclining(false)}
        onOk={() => decide.mutate({ id: h.id, decision: 'decline', note: note.trim() || undefined })}
        okText={t('handover.decline')}
        okButtonProps={{ danger: true }}
        cancelText={t('common.cancel')}
        confirmLoading={decide.isPending}
        destroyOnHidden
      >
        <Input.TextArea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          autoSize={{ minRows: 3 }}
          maxLength={2000}
          placeholder={t('handover.declineNote')}
        />
      </Modal>
    </>
  );
}

/** Pending-handover banner on the ticket page: the receiver decides, the sender waits. */
export function HandoverBanner({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useFormat();
  const [expanded, setExpanded] = useState(false);
  const pending = ticket.handovers.find((h) => h.state === 'pending');
  if (!pending) return null;
  const receiver = pending.toStaffId === me.id;
  const sender = pending.fromStaffId === me.id;
  const title = receiver
    ? t('handover.bannerReceiver', { from: pending.fromStaffName ?? '' })
    : sender
      ? t('handover.bannerSender', { to: pending.toStaffName ?? '' })
      : t('handover.bannerOther', { from: pending.fromStaffName ?? '', to: pending.toStaffName ?? '' });
  return (
    <Alert
      type={receiver ? 'warning' : 'info'}
      showIcon
      data-testid="handover-banner"
      title={
        <Flex justify="space-between" align="center" wrap gap={8}>
          <span>
            {title}
            <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
              {fmt.dateTime(pending.createdAt)}
            </Typography.Text>
          </span>
          {!receiver ? (
            <Button size="small" type="link" onClick={() => setExpanded((x) => !x)}>
              {expanded ? t('handover.hide') : t('handover.show')}
            </Button>
          ) : null}
        </Flex>
      }
      description={
        receiver || expanded ? (
          <Flex vertical gap={12} style={{ marginTop: 8 }}>
            <HandoverSheet h={pending} />
            {receiver ? <HandoverDecisionButtons h={pending} number={ticket.number} /> : null}
          </Flex>
        ) : undefined
      }
    />
  );
}

/** The handover form: six fields and the receiver. */
export function HandoverDrawer({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<HandoverCreate>();
  const create = useMutation({
    mutationFn: (body: HandoverCreate) => ticketsApi.handover(ticket.id, body),
    onSuccess: (h) => {
      void message.success(t('handover.requested', { name: h.toStaffName ?? '' }));
      void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) });
      void queryClient.invalidateQueries({ queryKey: ['handovers'] });
      form.resetFields();
      onClose();
    },
    onError: (err) => showError(err, { form, fields: ['toStaffId', 'reasonKind', 'reasonNote', ...HANDOVER_FIELDS] }),
  });
  const required = (f: HandoverField) => f !== 'cautions';
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('handover.title', { number: ticket.number })}
      size={screens.md === false ? '100%' : 560}
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={create.isPending} onClick={() => form.submit()} data-testid="handover-submit">
            {t('handover.submit')}
          </Button>
        </Flex>
      }
    >
      <Typography.Paragraph type="secondary">{t('handover.intro')}</Typography.Paragraph>
      <Form<HandoverCreate>
        form={form}
        layout="vertical"
        onFinish={(v) => {
          const body: HandoverCreate = {
            toStaffId: v.toStaffId,
            situation: '',
            need: '',
            done: '',
            pending: '',
            expectation: '',
            reasonKind: v.reasonKind ?? 'shift_handover',
          };
          if (v.reasonNote?.trim()) body.reasonNote = v.reasonNote.trim();
          for (const f of HANDOVER_FIELDS) {
            const value = (v[f] ?? '').trim();
            if (f === 'cautions') {
              if (value) body.cautions = value;
            } else body[f] = value;
          }
          create.mutate(body);
        }}
        data-testid="handover-form"
      >
        <Form.Item
          name="toStaffId"
          label={t('handover.receiver')}
          rules={[{ required: true, message: t('validation.required') }]}
          extra={t('handover.receiverHint')}
        >
          <ColleagueSelect exclude={[me.id, ticket.ownerId]} data-testid="handover-receiver" />
        </Form.Item>
        <Form.Item name="reasonKind" label={t('process.transfer.handoverReason')} initialValue="shift_handover" extra={t('process.transfer.handoverHint')}>
          <Select data-testid="handover-reason-kind" options={TRANSFER_REASONS.map((k) => ({ value: k, label: t(`process.transfer.reasons.${k}`) }))} />
        </Form.Item>
        <Form.Item noStyle dependencies={['reasonKind']}>
          {({ getFieldValue }) => (
            <Form.Item
              name="reasonNote"
              label={t('process.transfer.note')}
              rules={getFieldValue('reasonKind') === 'other' ? [{ required: true, whitespace: true, message: t('process.transfer.otherNeedsText') }] : []}
            >
              <Input maxLength={500} data-testid="handover-reason-note" />
            </Form.Item>
          )}
        </Form.Item>
        {HANDOVER_FIELDS.map((f) => (
          <Form.Item
            key={f}
            name={f}
            label={t(`handover.fields.${f}`)}
            extra={t(`handover.hints.${f}`)}
            rules={required(f) ? [{ required: true, whitespace: true, message: t('validation.required') }] : []}
          >
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid={`handover-${f}`} />
          </Form.Item>
        ))}
      </Form>
    </Drawer>
  );
}
