import { useState } from 'react';
import { App, Button, Card, Col, DatePicker, Flex, Form, Input, Modal, Row, Select, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { applyFormErrors, errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { useFormat, usePermission } from '../auth/me';
import { StaffSelect } from '../staff/StaffSelect';
import { pct, STD_PERM, standardsApi, type Improvement, type Standard, type Window } from './api';

const WINDOWS = [7, 30, 90];

/** 一次性修正: a one-time fix against a class of failure, with the standard's rate before vs after it took effect. */
export function Improvements({ standard }: { standard: Standard }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const canImprove = usePermission(STD_PERM.improve);
  const [windowDays, setWindowDays] = useState(30);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<{ cause: string; change: string; ownerId: string; dueDate: dayjs.Dayjs }>();
  const key = ['standards', 'improvements', standard.id, windowDays, fmt.timeZone];
  const q = useQuery({ queryKey: key, queryFn: () => standardsApi.improvements(standard.id, windowDays, fmt.timeZone) });

  const create = useMutation({
    mutationFn: (v: { cause: string; change: string; ownerId: string; dueDate: dayjs.Dayjs }) =>
      standardsApi.createImprovement(standard.id, { cause: v.cause, change: v.change, ownerId: v.ownerId, dueDate: v.dueDate.format('YYYY-MM-DD') }),
    onSuccess: () => {
      void message.success(t('std.imp.created'));
      setCreating(false);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: ['standards', 'improvements', standard.id] });
    },
    onError: (err) => {
      const { mapped } = applyFormErrors(err, { form, fields: ['cause', 'change', 'ownerId', 'dueDate'] });
      if (!mapped || !(err instanceof ApiError)) void message.error(errorMessage(err, t));
    },
  });
  const done = useMutation({
    mutationFn: (imp: Improvement) => standardsApi.updateImprovement(imp.id, { state: imp.state === 'done' ? 'open' : 'done' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['standards', 'improvements', standard.id] }),
    onError: (err) => void message.error(errorMessage(err, t)),
  });

  const windowText = (w: Window | undefined) =>
    w ? (
      <Tooltip title={t('std.imp.windowTip', { met: w.met, breached: w.breached, from: fmt.date(w.from), to: fmt.date(w.to) })}>
        <span>
          {pct(w.rate)}{' '}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            ({w.met}/{w.met + w.breached})
          </Typography.Text>
        </span>
      </Tooltip>
    ) : (
      '—'
    );

  const columns: TableColumnsType<Improvement> = [
    {
      title: t('std.imp.cause'),
      dataIndex: 'cause',
      render: (v: string, r) => (
        <Flex vertical gap={2} style={{ minWidth: 200 }}>
          <Typography.Text>{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('std.imp.change')}：{r.change}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('std.imp.owner'), dataIndex: 'ownerName', width: 100, render: (v: string | null) => v ?? '—' },
    { title: t('std.imp.due'), dataIndex: 'dueDate', width: 110 },
    {
      title: t('std.imp.state'),
      dataIndex: 'state',
      width: 130,
      render: (s: string, r) =>
        s === 'done' ? (
          <Tooltip title={r.doneAt ? fmt.dateTime(r.doneAt) : undefined}>
            <Tag color="green">{t('std.imp.done')}</Tag>
          </Tooltip>
        ) : (
          <Tag color={dayjs(r.dueDate).isBefore(dayjs(), 'day') ? 'red' : 'blue'}>{t('std.imp.open')}</Tag>
        ),
    },
    { title: t('std.imp.before', { n: windowDays }), key: 'before', width: 130, render: (_: unknown, r) => windowText(r.effect?.before) },
    { title: t('std.imp.after', { n: windowDays }), key: 'after', width: 130, render: (_: unknown, r) => windowText(r.effect?.after) },
    {
      title: t('std.imp.delta'),
      key: 'delta',
      width: 100,
      render: (_: unknown, r) => {
        const d = r.effect?.rateChange;
        if (d === null || d === undefined) return '—';
        const text = `${d > 0 ? '+' : ''}${Math.round(d * 1000) / 10}%`;
        return <Typography.Text type={d > 0 ? 'success' : d < 0 ? 'danger' : undefined}>{text}</Typography.Text>;
      },
    },
    ...(canImprove
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 120,
            render: (_: unknown, r: Improvement) => (
              <Button
                size="small"
                icon={r.state === 'done' ? undefined : <CheckOutlined />}
                loading={done.isPending && done.variables?.id === r.id}
                onClick={() => done.mutate(r)}
              >
                {r.state === 'done' ? t('std.imp.reopen') : t('std.imp.markDone')}
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      size="small"
      title={t('std.imp.title')}
      extra={
        <Flex gap={8} align="center">
          <Select
            size="small"
            value={windowDays}
            onChange={setWindowDays}
            options={WINDOWS.map((n) => ({ value: n, label: t('std.imp.window', { n }) }))}
            style={{ width: 150 }}
          />
          {canImprove ? (
            <Button size="small" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="imp-new">
              {t('std.imp.new')}
            </Button>
          ) : null}
        </Flex>
      }
      data-testid="std-improvements"
    >
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 0 }}>
        {t('std.imp.help')}
      </Typography.Paragraph>
      {q.isError ? <Typography.Text type="danger">{errorMessage(q.error, t)}</Typography.Text> : null}
      <Table<Improvement>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={q.data?.items ?? []}
        loading={q.isPending}
        pagination={false}
        scroll={{ x: 900 }}
      />
      <Modal
        open={creating}
        title={t('std.imp.new')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        okText={t('common.save')}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} initialValues={{ dueDate: dayjs().add(14, 'day') }}>
          <Form.Item name="cause" label={t('std.imp.cause')} extra={t('std.imp.causeHelp')} rules={[{ required: true, message: t('std.form.required') }]}>
            <Input.TextArea autoSize={{ minRows: 2 }} maxLength={2000} />
          </Form.Item>
          <Form.Item name="change" label={t('std.imp.change')} extra={t('std.imp.changeHelp')} rules={[{ required: true, message: t('std.form.required') }]}>
            <Input.TextArea autoSize={{ minRows: 2 }} maxLength={2000} />
          </Form.Item>
          <Row gutter={12}>
            <Col span={14}>
              <Form.Item name="ownerId" label={t('std.imp.owner')} rules={[{ required: true, message: t('std.form.required') }]}>
                <StaffSelect />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item name="dueDate" label={t('std.imp.due')} rules={[{ required: true, message: t('std.form.required') }]}>
                <DatePicker style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Modal>
    </Card>
  );
}
