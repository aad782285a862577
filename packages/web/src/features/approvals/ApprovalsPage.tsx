import { useState } from 'react';
import { App, Button, Card, Flex, Input, Modal, Segmented, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { approvalsApi } from '../../api/endpoints';
import type { Approval } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { useFormat, useMe } from '../auth/me';
import { TierTag } from '../customers/CustomersPage';
import { useRealtimeMessages } from '../notifications/realtime';
import { ApprovalDetails, historyText, kindLabel } from './ApprovalDetails';

const STATE_COLOURS: Record<string, string> = { pending: 'orange', approved: 'green', rejected: 'red' };

/** 审批: compensation above the requester's limit and changes to confirmed orders. Decide only where `canDecide`. */
export default function ApprovalsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const me = useMe();
  const [state, setState] = useState<Approval['state']>('pending');
  const [deciding, setDeciding] = useState<{ a: Approval; decision: 'approve' | 'reject' } | null>(null);
  const list = useQuery({ queryKey: ['approvals', state], queryFn: () => approvalsApi.list(state), refetchInterval: 15_000 });

  // Live: a new request notifies its approvers over the WebSocket (the provider refreshes ['approvals']); refetch on any
  // approval notification here too, and poll slowly for approvers who are not notified (directors above a supervisor).
  useRealtimeMessages((m) => {
    if (m.type === 'notification' && typeof m.kind === 'string' && m.kind.startsWith('approval.')) void list.refetch();
  });

  const columns: TableColumnsType<Approval> = [
    {
      title: t('approvals.number'),
      dataIndex: 'number',
      width: 160,
      fixed: 'left',
      render: (n: string) => (
        <Typography.Text strong className="chidu-ticket-no" data-testid="approval-number">
          {n}
        </Typography.Text>
      ),
    },
    {
      title: t('approvals.ticket'),
      dataIndex: 'ticketNumber',
      width: 220,
      render: (n: string | null, a) => (
        <Flex vertical style={{ minWidth: 0 }}>
          <Link to={`/tickets/${a.ticketId}`} className="chidu-ticket-no">
            {n ?? '—'}
          </Link>
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, maxWidth: 200 }} title={a.ticketSubject ?? ''}>
            {a.ticketSubject ?? ''}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('approvals.kind'), dataIndex: 'kind', width: 110, render: (_: string, a) => kindLabel(t, a) },
    { title: t('approvals.amount'), dataIndex: 'amountFen', width: 110, align: 'right', render: (v: number | null) => (v === null ? '—' : fmt.money(v)) },
    {
      title: t('approvals.reason'),
      dataIndex: 'reason',
      width: 200,
      ellipsis: { showTitle: true },
      render: (v: string | null) => v ?? '—',
    },
    {
      title: t('approvals.customer'),
      dataIndex: 'customerName',
      width: 220,
      render: (v: string | null, a) => (
        <Flex vertical style={{ minWidth: 0 }}>
          <Flex gap={6} align="center">
            <span>{v ?? '—'}</span>
            {a.customerTier ? <TierTag tier={a.customerTier} /> : null}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {historyText(t, fmt.money, a)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('approvals.requester'),
      dataIndex: 'requestedByName',
      width: 150,
      render: (v: string | null, a) => (
        <Flex vertical>
          <span data-testid="approval-requester">{a.requestedById === me.id ? t('approvals.me') : (v ?? '—')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('approvals.requesterLimit', { limit: fmt.money(a.requesterLimitFen) })}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => fmt.tableTime(v) },
    {
      title: t('approvals.state'),
      dataIndex: 'state',
      width: 100,
      render: (s: string) => <Tag color={STATE_COLOURS[s] ?? 'default'}>{t(`approvals.states.${s}`, { defaultValue: s })}</Tag>,
    },
    ...(state === 'pending'
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 200,
            fixed: 'right' as const,
            render: (_: unknown, a: Approval) =>
              a.canDecide ? (
                <Flex gap={8}>
                  <Button
                    size="small"
                    type="primary"
                    icon={<CheckOutlined />}
                    onClick={() => setDeciding({ a, decision: 'approve' })}
                    data-testid="approval-approve"
                  >
                    {t('approvals.approve')}
                  </Button>
                  <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ a, decision: 'reject' })} data-testid="approval-reject">
                    {t('approvals.reject')}
                  </Button>
                </Flex>
              ) : (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.requestedById === me.id
                    ? t('approvals.waiting')
                    : a.kind === 'compensation' && (a.amountFen ?? 0) > a.approverLimitFen
                      ? t('approvals.overMyLimit')
                      : t('approvals.notYours')}
                </Typography.Text>
              ),
          },
        ]
      : [
          {
            title: t('approvals.comment'),
            dataIndex: 'comment',
            render: (v: string | null, a: Approval) => (
              <Flex vertical>
                <span>{v || '—'}</span>
                {a.decidedAt ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {fmt.tableTime(a.decidedAt)}
                  </Typography.Text>
                ) : null}
              </Flex>
            ),
          },
        ]),
  ];

  return (
    <Page title={t('approvals.title')} subtitle={t('approvals.subtitle', { limit: fmt.money(me.compensationLimitFen) })}>
      <Flex className="chidu-toolbar">
        <Segmented<Approval['state']>
          value={state}
          onChange={setState}
          options={(['pending', 'approved', 'rejected'] as const).map((s) => ({ value: s, label: t(`approvals.states.${s}`) }))}
        />
      </Flex>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Approval>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list.data?.items ?? []}
          loading={list.isPending}
          pagination={false}
          scroll={{ x: 1600 }}
          locale={{ emptyText: list.isError ? errorMessage(list.error, t) : t(`approvals.empty.${state}`) }}
          data-testid="approvals-table"
        />
      </Card>
      <DecisionModal value={deciding} onClose={() => setDeciding(null)} />
    </Page>
  );
}

function DecisionModal({ value, onClose }: { value: { a: Approval; decision: 'approve' | 'reject' } | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const decide = useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: 'approve' | 'reject' }) =>
      decision === 'approve' ? approvalsApi.approve(id, comment.trim()) : approvalsApi.reject(id, comment.trim()),
    onSuccess: (_, v) => {
      void message.success(v.decision === 'approve' ? t('approvals.approved') : t('approvals.rejected'));
      void queryClient.invalidateQueries({ queryKey: ['approvals'] });
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      setComment('');
      onClose();
    },
    onError: (err) => showError(err),
  });
  if (!value) return null;
  const approve = value.decision === 'approve';
  return (
    <Modal
      open
      title={approve ? t('approvals.approveTitle') : t('approvals.rejectTitle')}
      onCancel={onClose}
      onOk={() => decide.mutate({ id: value.a.id, decision: value.decision })}
      okText={approve ? t('approvals.approve') : t('approvals.reject')}
      okButtonProps={{ danger: !approve, disabled: !approve && !comment.trim(), ...({ 'data-testid': 'approval-decide' } as object) }}
      cancelText={t('common.cancel')}
      confirmLoading={decide.isPending}
      width={620}
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <ApprovalDetails a={value.a} />
        <Input.TextArea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          autoSize={{ minRows: 3 }}
          maxLength={2000}
          placeholder={approve ? t('approvals.commentOptional') : t('approvals.commentRequired')}
          data-testid="approval-comment"
        />
      </Flex>
    </Modal>
  );
}
