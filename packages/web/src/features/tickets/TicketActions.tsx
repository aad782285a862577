import { useState } from 'react';
import { App, Button, Dropdown, Flex, Form, Grid, Input, InputNumber, Modal, Popconfirm, Radio, Result, Select, Typography, type MenuProps } from 'antd';
import {
  CheckOutlined,
  DollarOutlined,
  DownOutlined,
  LinkOutlined,
  MergeCellsOutlined,
  MoreOutlined,
  RedoOutlined,
  StopOutlined,
  SwapOutlined,
  UserAddOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { ticketsApi } from '../../api/endpoints';
import { COMPENSATION_KINDS, LINK_KINDS, OPEN_STATUSES, PERM, WORK_STATUSES, type TicketDetail, type WorkStatus } from '../../api/types';
import { yuanToFen } from '../../lib/money';
import { useGiftLimit } from '../rules/gifts';
import { useApiError } from '../../lib/useApiError';
import { compensationKindLabel, linkKindLabel, ticketStatusLabel } from '../auth/labels';
import { useFormat, useMe, usePermission } from '../auth/me';
import { ColleagueSelect } from './ColleagueSelect';
import { TRANSFER_REASONS, type TransferReason } from '../process/api';
import { HandoverDrawer } from './Handover';
import { ticketKeys } from './queries';
import { TicketSearchSelect } from './TicketSearchSelect';

type Dialog = 'assign' | 'resolve' | 'reopen' | 'handover' | 'compensate' | 'link' | 'merge' | null;

export function useTicketMutation<TVars, TRes>(ticketId: string, fn: (v: TVars) => Promise<TRes>, success?: (res: TRes) => string | null) {
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (res) => {
      const text = success?.(res);
      if (text) void message.success(text);
      void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticketId) });
      void queryClient.invalidateQueries({ queryKey: ticketKeys.lists });
    },
    onError: (err) => showError(err),
  });
}

/** The action bar, driven by `allowed` and the status machine. */
export function TicketActions({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const me = useMe();
  const screens = Grid.useBreakpoint();
  const isPhone = screens.md === false;
  const canWork = usePermission(PERM.ticketsWork);
  const supervisor = usePermission(PERM.ticketsAssignAny);
  const [dialog, setDialog] = useState<Dialog>(null);
  const open = OPEN_STATUSES.includes(ticket.status);
  const pendingHandover = ticket.handovers.some((h) => h.state === 'pending');

  const take = useTicketMutation(
    ticket.id,
    () => ticketsApi.take(ticket.id),
    () => t('tickets.actions.taken'),
  );
  const status = useTicketMutation(
    ticket.id,
    (s: WorkStatus) => ticketsApi.status(ticket.id, s),
    (r) => t('tickets.actions.statusChanged', { status: ticketStatusLabel(t, r.status ?? '') }),
  );
  const close = useTicketMutation(
    ticket.id,
    () => ticketsApi.close(ticket.id),
    () => t('tickets.actions.closed'),
  );

  const statusItems: MenuProps['items'] = WORK_STATUSES.filter((s) => s !== ticket.status).map((s) => ({
    key: s,
    label: ticketStatusLabel(t, s),
    onClick: () => status.mutate(s),
  }));

  const buttons: { key: string; node: React.ReactNode }[] = [];
  if (canWork && open && !ticket.ownerId) {
    buttons.push({
      key: 'take',
      node: (
        <Button type="primary" icon={<UserAddOutlined />} loading={take.isPending} onClick={() => take.mutate(undefined)} data-testid="action-take">
          {t('tickets.actions.take')}
        </Button>
      ),
    });
  }
  if (ticket.allowed.resolve && open) {
    buttons.push({
      key: 'status',
      node: (
        <Dropdown menu={{ items: statusItems }} trigger={['click']}>
          <Button icon={<SwapOutlined />} loading={status.isPending} data-testid="action-status">
            {t('tickets.actions.status')} <DownOutlined />
          </Button>
        </Dropdown>
      ),
    });
    buttons.push({
      key: 'resolve',
      node: (
        <Button
          type={ticket.ownerId === me.id ? 'primary' : 'default'}
          icon={<CheckOutlined />}
          onClick={() => setDialog('resolve')}
          data-testid="action-resolve"
        >
          {t('tickets.actions.resolve')}
        </Button>
      ),
    });
  }
  if (canWork && ticket.status === 'resolved') {
    buttons.push({
      key: 'close',
      node: (
        <Popconfirm
          title={t('tickets.actions.closeConfirm')}
          onConfirm={() => close.mutate(undefined)}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
        >
          <Button icon={<StopOutlined />} loading={close.isPending} data-testid="action-close">
            {t('tickets.actions.close')}
          </Button>
        </Popconfirm>
      ),
    });
  }
  if (ticket.allowed.reopen) {
    buttons.push({
      key: 'reopen',
      node: (
        <Button icon={<RedoOutlined />} onClick={() => setDialog('reopen')} data-testid="action-reopen">
          {t('tickets.actions.reopen')}
        </Button>
      ),
    });
  }
  if (ticket.allowed.handover && ticket.ownerId && !pendingHandover) {
    buttons.push({
      key: 'handover',
      node: (
        <Button icon={<UserSwitchOutlined />} onClick={() => setDialog('handover')} data-testid="action-handover">
          {t('handover.action')}
        </Button>
      ),
    });
  }
  if (ticket.allowed.assign && supervisor && open) {
    buttons.push({
      key: 'assign',
      node: (
        <Button icon={<UserAddOutlined />} onClick={() => setDialog('assign')} data-testid="action-assign">
          {t('tickets.actions.assign')}
        </Button>
      ),
    });
  }
  if (ticket.allowed.compensate) {
    buttons.push({
      key: 'compensate',
      node: (
        <Button icon={<DollarOutlined />} onClick={() => setDialog('compensate')} data-testid="action-compensate">
          {t('compensation.action')}
        </Button>
      ),
    });
  }

  const more: MenuProps['items'] = canWork
    ? [
        { key: 'link', icon: <LinkOutlined />, label: t('tickets.links.link'), onClick: () => setDialog('link') },
        ...(ticket.mergedIntoId || !open
          ? []
          : [{ key: 'merge', icon: <MergeCellsOutlined />, label: t('tickets.links.merge'), onClick: () => setDialog('merge') }]),
      ]
    : [];

  return (
    <>
      <Flex gap={isPhone ? 6 : 8} wrap align="center" data-testid="ticket-actions" className="chidu-actions">
        {buttons.map((b) => (
          <span key={b.key}>{b.node}</span>
        ))}
        {more.length ? (
          <Dropdown menu={{ items: more }} trigger={['click']}>
            <Button icon={<MoreOutlined />} data-testid="action-more">
              {t('common.more')}
            </Button>
          </Dropdown>
        ) : null}
      </Flex>

      <ResolveModal ticket={ticket} open={dialog === 'resolve'} onClose={() => setDialog(null)} />
      <ReopenModal ticket={ticket} open={dialog === 'reopen'} onClose={() => setDialog(null)} />
      <AssignModal ticket={ticket} open={dialog === 'assign'} onClose={() => setDialog(null)} />
      <CompensationModal ticket={ticket} open={dialog === 'compensate'} onClose={() => setDialog(null)} />
      <LinkModal ticket={ticket} open={dialog === 'link'} onClose={() => setDialog(null)} />
      <MergeModal ticket={ticket} open={dialog === 'merge'} onClose={() => setDialog(null)} />
      <HandoverDrawer ticket={ticket} open={dialog === 'handover'} onClose={() => setDialog(null)} />
    </>
  );
}

function ResolveModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ resolution: string }>();
  const resolve = useTicketMutation(
    ticket.id,
    (resolution: string) => ticketsApi.resolve(ticket.id, resolution),
    () => t('tickets.actions.resolved'),
  );
  return (
    <Modal
      open={open}
      title={t('tickets.actions.resolveTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.actions.resolve')}
      cancelText={t('common.cancel')}
      confirmLoading={resolve.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} onFinish={(v) => resolve.mutate(v.resolution.trim(), { onSuccess: onClose })}>
        <Form.Item
          name="resolution"
          label={t('tickets.resolution')}
          rules={[{ required: true, whitespace: true, message: t('validation.required') }]}
          extra={t('tickets.actions.resolutionHint')}
        >
          <Input.TextArea
            autoSize={{ minRows: 4, maxRows: 10 }}
            maxLength={5000}
            showCount
            placeholder={t('tickets.actions.resolutionPlaceholder')}
            autoFocus
            data-testid="resolution-input"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReopenModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason?: string }>();
  const reopen = useTicketMutation(
    ticket.id,
    (reason: string | undefined) => ticketsApi.reopen(ticket.id, reason),
    () => t('tickets.actions.reopened'),
  );
  return (
    <Modal
      open={open}
      title={t('tickets.actions.reopenTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.actions.reopen')}
      cancelText={t('common.cancel')}
      confirmLoading={reopen.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} onFinish={(v) => reopen.mutate(v.reason?.trim() || undefined, { onSuccess: onClose })}>
        <Form.Item name="reason" label={t('tickets.actions.reopenReason')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={2000} autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AssignModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ ownerId: string; reasonKind?: TransferReason; reason?: string }>();
  // Moving an owned ticket to another agent is a transfer: it states why (seed 000; the server refuses without).
  const transfer = ticket.ownerId !== null;
  const reasonKind = Form.useWatch('reasonKind', form);
  const assign = useTicketMutation(
    ticket.id,
    (v: { ownerId: string; reasonKind?: TransferReason | undefined; reason?: string | undefined }) =>
      ticketsApi.assign(ticket.id, { ownerId: v.ownerId, ...(v.reasonKind ? { reasonKind: v.reasonKind } : {}), ...(v.reason ? { reason: v.reason } : {}) }),
    () => t('tickets.actions.assigned'),
  );
  return (
    <Modal
      open={open}
      title={t('tickets.actions.assignTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.actions.assign')}
      cancelText={t('common.cancel')}
      confirmLoading={assign.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) => assign.mutate({ ownerId: v.ownerId, reasonKind: v.reasonKind, reason: v.reason?.trim() || undefined }, { onSuccess: onClose })}
      >
        <Form.Item
          name="ownerId"
          label={t('tickets.owner')}
          rules={[{ required: true, message: t('validation.required') }]}
          extra={t('tickets.actions.assignHint')}
        >
          <ColleagueSelect exclude={[ticket.ownerId]} data-testid="assign-owner" />
        </Form.Item>
        <Form.Item
          name="reasonKind"
          label={t('process.transfer.reasonKind')}
          rules={transfer ? [{ required: true, message: t('process.transfer.reasonRequired') }] : []}
          extra={transfer ? t('process.transfer.hint') : undefined}
        >
          <Select
            allowClear
            data-testid="assign-reason-kind"
            placeholder={t('process.transfer.pick')}
            options={TRANSFER_REASONS.map((k) => ({ value: k, label: t(`process.transfer.reasons.${k}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('tickets.actions.assignReason')}
          rules={reasonKind === 'other' ? [{ required: true, whitespace: true, message: t('process.transfer.otherNeedsText') }] : []}
        >
          <Input maxLength={500} placeholder={t('tickets.actions.assignReasonPlaceholder')} data-testid="assign-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface CompValues {
  kind: string;
  amountYuan: number;
  reason: string;
}

/** 赔付: within the caller's limit it is granted; above it the server files an approval (403 approval_required). */
function CompensationModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CompValues>();
  const [filed, setFiled] = useState<{ approvalId: string; limitFen: number | null } | null>(null);
  const amount = Form.useWatch('amountYuan', form);
  const kind = Form.useWatch('kind', form);
  // the front desk grants a routine gift up to its gift limit without approval (process rule, seed 000)
  const giftLimit = useGiftLimit();
  const limitFen = giftLimit !== null && kind === 'gift' ? Math.max(giftLimit, me.compensationLimitFen) : me.compensationLimitFen;
  const over = typeof amount === 'number' && yuanToFen(amount)! > limitFen;

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ticketKeys.detail(ticket.id) });
    void queryClient.invalidateQueries({ queryKey: ['approvals'] });
  };
  const grant = useMutation({
    mutationFn: (v: CompValues) => ticketsApi.compensate(ticket.id, { kind: v.kind, amountFen: yuanToFen(v.amountYuan)!, reason: v.reason.trim() }),
    onSuccess: (c) => {
      void message.success(t('compensation.granted', { amount: fmt.money(c.amountFen) }));
      refresh();
      close();
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'approval_required') {
        const approvalId = typeof err.problem.approvalId === 'string' ? err.problem.approvalId : '';
        const limitFen = typeof err.problem.limitFen === 'number' ? err.problem.limitFen : null;
        setFiled({ approvalId, limitFen });
        refresh();
        return;
      }
      showError(err, { form, fields: ['kind', 'amountYuan', 'reason'], fieldMap: { amountFen: 'amountYuan' } });
    },
  });
  const close = () => {
    setFiled(null);
    form.resetFields();
    onClose();
  };

  return (
    <Modal
      open={open}
      title={t('compensation.title', { number: ticket.number })}
      onCancel={close}
      destroyOnHidden
      footer={
        filed ? (
          <Button type="primary" onClick={close}>
            {t('common.close')}
          </Button>
        ) : (
          <Flex justify="flex-end" gap={8}>
            <Button onClick={close}>{t('common.cancel')}</Button>
            <Button type="primary" loading={grant.isPending} onClick={() => form.submit()} data-testid="compensation-submit">
              {over ? t('compensation.submitForApproval') : t('compensation.submit')}
            </Button>
          </Flex>
        )
      }
    >
      {filed ? (
        <Result
          status="info"
          title={<span data-testid="approval-filed">{t('compensation.filedTitle')}</span>}
          subTitle={
            <Flex vertical gap={4}>
              <span>{filed.limitFen !== null ? t('compensation.filedOverLimit', { limit: fmt.money(filed.limitFen) }) : t('compensation.filedHint')}</span>
              {filed.approvalId ? (
                <span>
                  {t('compensation.approvalId')}
                  <Typography.Text code copyable data-testid="approval-id">
                    {filed.approvalId}
                  </Typography.Text>
                </span>
              ) : null}
            </Flex>
          }
        />
      ) : (
        <Form<CompValues> form={form} layout="vertical" preserve={false} onFinish={(v) => grant.mutate(v)} initialValues={{ kind: 'coupon' }}>
          <Form.Item name="kind" label={t('compensation.kind')} rules={[{ required: true }]}>
            <Radio.Group
              optionType="button"
              options={COMPENSATION_KINDS.map((k) => ({ value: k, label: compensationKindLabel(t, k) }))}
              className="chidu-radio-wrap"
            />
          </Form.Item>
          <Form.Item
            name="amountYuan"
            label={t('compensation.amount')}
            rules={[{ required: true, message: t('validation.required') }]}
            extra={
              over ? (
                <Typography.Text type="warning">{t('compensation.overLimit', { limit: fmt.money(limitFen) })}</Typography.Text>
              ) : giftLimit !== null ? (
                <span data-testid="gift-limit-hint">{t('stdRules.gift.hint', { limit: fmt.money(giftLimit) })}</span>
              ) : (
                t('compensation.limitHint', { limit: fmt.money(me.compensationLimitFen) })
              )
            }
          >
            <InputNumber
              min={0}
              max={10_000_000}
              precision={2}
              step={10}
              prefix="¥"
              suffix={t('common.yuan')}
              style={{ width: 220 }}
              data-testid="compensation-amount"
            />
          </Form.Item>
          <Form.Item name="reason" label={t('compensation.reason')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 8 }}
              maxLength={2000}
              placeholder={t('compensation.reasonPlaceholder')}
              data-testid="compensation-reason"
            />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}

function LinkModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ otherId: string; kind: string }>();
  const link = useTicketMutation(
    ticket.id,
    (v: { otherId: string; kind: string }) => ticketsApi.link(ticket.id, v.otherId, v.kind),
    () => t('tickets.links.linked'),
  );
  return (
    <Modal
      open={open}
      title={t('tickets.links.linkTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.links.link')}
      cancelText={t('common.cancel')}
      confirmLoading={link.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ kind: 'related' }} onFinish={(v) => link.mutate(v, { onSuccess: onClose })}>
        <Form.Item name="otherId" label={t('tickets.links.other')} rules={[{ required: true, message: t('validation.required') }]}>
          <TicketSearchSelect excludeId={ticket.id} />
        </Form.Item>
        <Form.Item name="kind" label={t('tickets.links.kind')}>
          <Radio.Group optionType="button" options={LINK_KINDS.map((k) => ({ value: k, label: linkKindLabel(t, k) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function MergeModal({ ticket, open, onClose }: { ticket: TicketDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ intoId: string }>();
  const merge = useTicketMutation(
    ticket.id,
    (intoId: string) => ticketsApi.merge(ticket.id, intoId),
    () => t('tickets.links.merged'),
  );
  return (
    <Modal
      open={open}
      title={t('tickets.links.mergeTitle', { number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('tickets.links.merge')}
      okButtonProps={{ danger: true }}
      cancelText={t('common.cancel')}
      confirmLoading={merge.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('tickets.links.mergeHint')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) =>
          merge.mutate(v.intoId, {
            onSuccess: () => {
              onClose();
              void navigate(`/tickets/${v.intoId}`);
            },
          })
        }
      >
        <Form.Item name="intoId" label={t('tickets.links.into')} rules={[{ required: true, message: t('validation.required') }]}>
          <TicketSearchSelect customerId={ticket.customerId} excludeId={ticket.id} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
