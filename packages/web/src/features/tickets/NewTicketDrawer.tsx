import { useRef, useState } from 'react';
import { App, Button, Checkbox, Drawer, Flex, Form, Grid, Input, InputNumber, Radio, Select, TreeSelect } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { NetworkError, newIdempotencyKey } from '../../api/client';
import { ticketsApi } from '../../api/endpoints';
import { CHANNELS, PRIORITIES, TICKET_TYPES, type Channel, type TicketCreate, type TicketCreated, type TicketType } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { channelLabel, priorityLabel, ticketTypeLabel } from '../auth/labels';
import { CustomerPicker } from '../customers/CustomerPicker';
import { AttachmentUpload, useAttachmentList } from './Attachments';
import { OrderLinesEditor, cleanLines, type EditableLine } from './OrderLinesEditor';
import { ticketKeys, useCategoryTree } from './queries';

interface Values {
  /** Absent for an internal ticket (内部工单): the server files it on the internal customer. */
  customerId?: string;
  type: TicketType;
  channel: Channel;
  priority: string;
  categoryId?: string;
  subject: string;
  description?: string;
  site?: string;
  callMinutes?: number;
  callSeconds?: number;
  ringCount?: number;
  takeOwnership: boolean;
  tags?: string[];
  orderLines?: EditableLine[];
}

const FIELDS = [
  'customerId',
  'type',
  'channel',
  'priority',
  'categoryId',
  'subject',
  'description',
  'site',
  'ringCount',
  'takeOwnership',
  'tags',
  'orderLines',
];

/** What the ticket page shows right after creation (number, dispatch reason). */
export interface CreatedState {
  created: { number: string; reason: string | null; status: string };
}

/** 新建工单 — customer, type, channel (call data for phone / walk-in), category, subject, photos. */
export function NewTicketDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const categories = useCategoryTree(open);
  const files = useAttachmentList();
  const channel = Form.useWatch('channel', form);
  const type = Form.useWatch('type', form);
  // One Idempotency-Key per submission; reused only to retry the identical payload after a network failure.
  const pending = useRef<{ key: string; payload: string } | null>(null);
  const [takeTouched, setTakeTouched] = useState(false);

  const create = useMutation({
    mutationFn: async (body: TicketCreate) => {
      const payload = JSON.stringify(body);
      const key = pending.current?.payload === payload ? pending.current.key : newIdempotencyKey();
      pending.current = { key, payload };
      const created = await ticketsApi.create(body, key);
      // The create contract may drop attachmentIds: make sure the files end up on the ticket.
      if (body.attachmentIds?.length) {
        const detail = await ticketsApi.get(created.id).catch(() => null);
        const attached = new Set(detail?.attachments.map((a) => a.id) ?? []);
        const missing = body.attachmentIds.filter((id) => !attached.has(id));
        if (missing.length) {
          await ticketsApi.reply(created.id, { body: t('tickets.new.attachmentsNote'), visibility: 'internal', attachmentIds: missing });
        }
      }
      return created;
    },
    onSuccess: (created: TicketCreated) => {
      pending.current = null;
      void message.success(t('tickets.new.created', { number: created.number }));
      void queryClient.invalidateQueries({ queryKey: ticketKeys.lists });
      form.resetFields();
      files.reset();
      setTakeTouched(false);
      onClose();
      const state: CreatedState = { created: { number: created.number, reason: created.dispatch?.reason ?? null, status: created.status } };
      void navigate(`/tickets/${created.id}`, { state });
    },
    onError: (err) => {
      if (!(err instanceof NetworkError)) pending.current = null;
      showError(err, { form, fields: FIELDS });
    },
  });

  const submit = (v: Values) => {
    const body: TicketCreate = {
      ...(v.type !== 'internal' && v.customerId ? { customerId: v.customerId } : {}),
      type: v.type,
      channel: v.channel,
      priority: v.priority as TicketCreate['priority'],
      subject: v.subject.trim(),
      takeOwnership: v.takeOwnership,
    };
    if (v.description?.trim()) body.description = v.description.trim();
    if (v.categoryId) body.categoryId = v.categoryId;
    if (v.site?.trim()) body.site = v.site.trim();
    const tags = (v.tags ?? []).map((s) => s.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    if (v.channel === 'phone' || v.channel === 'walk_in') {
      const seconds = (v.callMinutes ?? 0) * 60 + (v.callSeconds ?? 0);
      if (v.callMinutes !== undefined || v.callSeconds !== undefined) body.callDurationSeconds = Math.min(86_400, Math.round(seconds));
      if (v.channel === 'phone' && v.ringCount !== undefined && v.ringCount !== null) body.ringCount = v.ringCount;
    }
    if (v.type === 'order') {
      const lines = cleanLines(v.orderLines ?? []);
      if (lines.length) body.orderLines = lines;
    }
    if (files.ids.length) body.attachmentIds = files.ids;
    create.mutate(body);
  };

  const callChannel = channel === 'phone' || channel === 'walk_in';

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('tickets.new.title')}
      size={screens.md === false ? '100%' : 640}
      destroyOnHidden={false}
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={create.isPending} disabled={files.uploading} onClick={() => form.submit()} data-testid="ticket-create-submit">
            {t('tickets.new.submit')}
          </Button>
        </Flex>
      }
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ type: 'inquiry', channel: 'phone', priority: 'normal', takeOwnership: true, orderLines: [] }}
        onValuesChange={(changed: Partial<Values>) => {
          // first-contact ownership: phone and walk-in are taken by whoever logs them, unless changed by hand
          if (changed.channel && !takeTouched) form.setFieldValue('takeOwnership', changed.channel === 'phone' || changed.channel === 'walk_in');
        }}
        data-testid="ticket-create-form"
      >
        {type === 'internal' ? (
          <Form.Item label={t('tickets.customer')} extra={t('tickets.new.internalHint')} data-testid="ticket-internal-note">
            {t('ticketTypes.internal')}
          </Form.Item>
        ) : (
          <Form.Item name="customerId" label={t('tickets.customer')} rules={[{ required: true, message: t('tickets.new.customerRequired') }]}>
            <CustomerPicker data-testid="ticket-customer" />
          </Form.Item>
        )}
        <Form.Item name="type" label={t('tickets.type')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={TICKET_TYPES.map((v) => ({ value: v, label: ticketTypeLabel(t, v) }))}
            className="chidu-radio-wrap"
          />
        </Form.Item>
        <Form.Item name="channel" label={t('tickets.channel')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" options={CHANNELS.map((v) => ({ value: v, label: channelLabel(t, v) }))} className="chidu-radio-wrap" />
        </Form.Item>
        {callChannel ? (
          <Flex gap={16} wrap className="chidu-call-fields">
            <Form.Item label={channel === 'phone' ? t('tickets.new.callDuration') : t('tickets.new.visitDuration')} style={{ marginBottom: 16 }}>
              <Flex gap={6} align="center">
                <Form.Item name="callMinutes" noStyle>
                  <InputNumber
                    min={0}
                    max={1440}
                    precision={0}
                    style={{ width: 110 }}
                    suffix={t('tickets.new.minutes')}
                    aria-label={t('tickets.new.minutes')}
                  />
                </Form.Item>
                <Form.Item name="callSeconds" noStyle>
                  <InputNumber min={0} max={59} precision={0} style={{ width: 100 }} suffix={t('tickets.new.seconds')} aria-label={t('tickets.new.seconds')} />
                </Form.Item>
              </Flex>
            </Form.Item>
            {channel === 'phone' ? (
              <Form.Item name="ringCount" label={t('tickets.new.ringCount')} extra={t('tickets.new.ringCountHint')} style={{ marginBottom: 16 }}>
                <InputNumber min={0} max={100} precision={0} style={{ width: 120 }} suffix={t('tickets.new.rings')} />
              </Form.Item>
            ) : null}
          </Flex>
        ) : null}
        <Flex gap={16} wrap>
          <Form.Item name="priority" label={t('tickets.priority')} style={{ flex: '1 1 240px' }}>
            <Radio.Group optionType="button" options={PRIORITIES.map((v) => ({ value: v, label: priorityLabel(t, v) }))} />
          </Form.Item>
          <Form.Item name="categoryId" label={t('tickets.category')} style={{ flex: '1 1 220px' }}>
            <TreeSelect
              treeData={categories.tree}
              allowClear
              showSearch={{ treeNodeFilterProp: 'title' }}
              placeholder={t('tickets.new.categoryPlaceholder')}
              loading={categories.isPending}
              treeDefaultExpandAll
              popupMatchSelectWidth={false}
            />
          </Form.Item>
        </Flex>
        <Form.Item name="subject" label={t('tickets.subject')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={200} showCount placeholder={t('tickets.new.subjectPlaceholder')} data-testid="ticket-subject" />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.description')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={20_000} placeholder={t('tickets.new.descriptionPlaceholder')} />
        </Form.Item>
        {type === 'order' ? (
          <Form.Item name="orderLines" label={t('orders.title')} extra={t('orders.createHint')}>
            <OrderLinesEditor />
          </Form.Item>
        ) : null}
        <Flex gap={16} wrap>
          <Form.Item name="site" label={t('tickets.site')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={64} placeholder={t('tickets.new.sitePlaceholder')} />
          </Form.Item>
          <Form.Item name="tags" label={t('tickets.tags')} style={{ flex: '1 1 200px' }}>
            <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} placeholder={t('customers.tagsHint')} />
          </Form.Item>
        </Flex>
        <Form.Item label={t('attachments.title')} extra={t('attachments.hint')}>
          <AttachmentUpload state={files} />
        </Form.Item>
        <Form.Item name="takeOwnership" valuePropName="checked" extra={t('tickets.new.takeOwnershipHint')}>
          <Checkbox onChange={() => setTakeTouched(true)}>{t('tickets.new.takeOwnership')}</Checkbox>
        </Form.Item>
      </Form>
    </Drawer>
  );
}
