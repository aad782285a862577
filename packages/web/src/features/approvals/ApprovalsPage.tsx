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

const STATE_COLOURS: Record<string, string> = { pending: 'orange', approved: 'green', rejected: 'red' };

/** 审批: compensation above the requester's limit and changes to confirmed orders. Decide only where `canDecide`. */
export default function ApprovalsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const me = useMe();
  const [state, setState] = useState<Approval['state']>('pending');
  const [deciding, setDeciding] = useState<{ a: Approval; decision: 'approve' | 'reject' } | null>(null);
  const list = useQuery({ queryKey: ['approvals', state], queryFn: () => approvalsApi.list(state), refetchInterval: 60_000 });

  const columns: TableColumnsType<Approval> = [
    {
      title: t('approvals.ticket'),
      dataIndex: 'ticketNumber',
      width: 170,
      render: (n: string | null, a) => (
        <Link to={`/tickets/${a.ticketId}`} className="chidu-ticket-no">
          {n ?? a.ticketId}
        </Link>
      ),
    },
    { title: t('approvals.kind'), dataIndex: 'kind', width: 110, render: (k: string) => t(`approvals.kinds.${k}`, { defaultValue: k }) },
    { title: t('approvals.summary'), dataIndex: 'summary', width: 200 },
    { title: t('approvals.amount'), dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number | null) => (v === null ? '—' : fmt.money(v)) },
    {
      title: t('approvals.requester'),
      dataIndex: 'requestedByName',
      width: 120,
      render: (v: string | null, a) => (a.requestedById === me.id ? t('approvals.me') : (v ?? '—')),
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
                  <Button size="small" type="primary" icon={<CheckOutlined />} onClick={() => setDeciding({ a, decision: 'approve' })} data-testid="approval-approve">
                    {t('approvals.approve')}
                  </Button>
                  <Button size="small" danger icon={<CloseOutlined />} onClick={() => setDeciding({ a, decision: 'reject' })} data-testid="approval-reject">
                    {t('approvals.reject')}
                  </Button>
                </Flex>
              ) : (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.requestedById === me.id ? t('approvals.waiting') : t('approvals.notYours')}
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
          scroll={{ x: 1100 }}
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
  const fmt = useFormat();
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
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Typography.Text>
          <span className="chidu-ticket-no">{value.a.ticketNumber}</span> · {value.a.summary}
          {value.a.amountFen !== null ? ` · ${fmt.money(value.a.amountFen)}` : ''} · {t('approvals.requestedBy', { name: value.a.requestedByName ?? '—' })}
        </Typography.Text>
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
