import { useMemo, useState } from 'react';
import { App, Badge, Button, Calendar, Card, Col, Empty, Flex, Form, Input, List, Modal, Row, Select, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { useCareTasks, type CareTask } from './api';

/** 关怀日历: the agent's after-sales care and reactivation tasks by day; complete one with its result and outcome. */
export default function CareCalendar() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [month, setMonth] = useState(dayjs());
  const [day, setDay] = useState(dayjs());
  const from = month.startOf('month').subtract(7, 'day').toISOString();
  const to = month.endOf('month').add(7, 'day').toISOString();
  const q = useCareTasks(from, to);
  const [doing, setDoing] = useState<CareTask | null>(null);
  const byDay = useMemo(() => {
    const m = new Map<string, CareTask[]>();
    for (const x of q.data?.items ?? []) {
      const k = fmt.date(x.dueAt);
      m.set(k, [...(m.get(k) ?? []), x]);
    }
    return m;
  }, [q.data, fmt]);
  const todays = byDay.get(fmt.date(day.toISOString())) ?? [];
  const overdue = (q.data?.items ?? []).filter((x) => x.overdue);
  const soon = Date.now() + 7 * 86400_000;
  const upcoming = (q.data?.items ?? []).filter((x) => x.state === 'pending' && !x.overdue && Date.parse(x.dueAt) <= soon);
  const cell = (d: Dayjs) => {
    const list = byDay.get(fmt.date(d.toISOString())) ?? [];
    if (!list.length) return null;
    return (
      <Flex vertical gap={2}>
        {list.slice(0, 3).map((x) => (
          <Badge
            key={x.id}
            status={x.state === 'done' ? 'success' : x.overdue ? 'error' : x.state === 'cancelled' ? 'default' : 'processing'}
            text={<span style={{ fontSize: 12 }}>{x.customerName}</span>}
          />
        ))}
        {list.length > 3 ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            +{list.length - 3}
          </Typography.Text>
        ) : null}
      </Flex>
    );
  };
  return (
    <Page title={t('loops.care.title')} subtitle={t('loops.care.subtitle')}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card size="small">
            <Calendar
              value={day}
              onSelect={(d) => {
                setDay(d);
                setMonth(d);
              }}
              onPanelChange={(d) => setMonth(d)}
              cellRender={(d, info) => (info.type === 'date' ? cell(d) : null)}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={16}>
            <Card size="small" title={t('loops.care.dayTitle', { date: fmt.date(day.toISOString()) })}>
              <TaskList items={todays} onDo={setDoing} />
            </Card>
            <Card
              size="small"
              title={
                <span>
                  {t('loops.care.overdue')} <Badge count={overdue.length} />
                </span>
              }
            >
              <TaskList items={overdue} onDo={setDoing} />
            </Card>
            <Card
              size="small"
              title={
                <span>
                  {t('loops.care.upcoming')} <Badge count={upcoming.length} color="#1677ff" />
                </span>
              }
            >
              <TaskList items={upcoming} onDo={setDoing} />
            </Card>
          </Flex>
        </Col>
      </Row>
      {doing ? <CompleteModal task={doing} onClose={() => setDoing(null)} /> : null}
    </Page>
  );
}

function TaskList({ items, onDo }: { items: CareTask[]; onDo: (t: CareTask) => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('loops.empty')} />;
  return (
    <List
      size="small"
      dataSource={items}
      renderItem={(x) => (
        <List.Item
          actions={
            x.state === 'pending'
              ? [
                  <Button key="do" size="small" type="primary" onClick={() => onDo(x)}>
                    {t('loops.care.complete')}
                  </Button>,
                ]
              : []
          }
        >
          <List.Item.Meta
            title={
              <Flex gap={6} wrap align="center">
                <Tag color={x.kind === 'care' ? 'blue' : 'purple'}>
                  {t(`loops.care.kinds.${x.kind}`)} {x.seq}
                </Tag>
                {x.ticketId ? <Link to={`/tickets/${x.ticketId}`}>{x.ticketNumber}</Link> : <Link to={`/customers/${x.customerId}`}>{x.customerName}</Link>}
                <AutoTag x={x} />
                {x.overdue ? <Tag color="red">{t('loops.care.late')}</Tag> : null}
                {x.state !== 'pending' ? <Tag>{t(`loops.care.states.${x.state}`)}</Tag> : null}
              </Flex>
            }
            description={
              <span>
                {x.customerName} · {fmt.shortTime(x.dueAt)}
                {x.outcome ? ` · ${x.outcome}` : ''}
              </span>
            }
          />
        </List.Item>
      )}
    />
  );
}

const DELIVERY_COLOR: Record<string, string> = { delivered: 'green', sent: 'cyan', failed: 'red' };

/** An automatic touch: 自动发送 · 短信 · 已送达; fell back: why; planned: sent when due. */
function AutoTag({ x }: { x: CareTask }) {
  const { t } = useTranslation();
  if (x.auto?.state === 'queued')
    return (
      <Tag color={DELIVERY_COLOR[x.auto.delivery ?? ''] ?? 'geekblue'} data-testid="auto-touch-tag">
        {[t('loops.auto.sent'), t(`loops.auto.channel.${x.auto.channel ?? 'email'}`), t(`loops.auto.delivery.${x.auto.delivery ?? 'queued'}`)].join(' · ')}
      </Tag>
    );
  if (x.auto?.state === 'fallback')
    return (
      <Tag color="orange" data-testid="auto-touch-tag" style={{ whiteSpace: 'normal' }}>
        {t('loops.auto.fallback')}：{t(`loops.auto.reason.${x.auto.reason ?? 'unreachable'}`)}
      </Tag>
    );
  if (x.mode === 'message' && x.state === 'pending') return <Tag color="geekblue">{t('loops.auto.planned')}</Tag>;
  return null;
}

function CompleteModal({ task, onClose }: { task: CareTask; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ result: string; outcome: string }>();
  const m = useMutation({
    mutationFn: (v: { result: string; outcome: string }) => api.post(`/care-tasks/${task.id}/complete`, v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['care-tasks'] });
      onClose();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Modal
      open
      title={t('loops.care.complete')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={m.isPending}
      okText={t('common.save')}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ result: 'reached' }} onFinish={(v) => m.mutate(v)}>
        <Form.Item name="result" label={t('loops.care.result')}>
          <Select options={['reached', 'no_answer', 'issue_found', 'declined'].map((x) => ({ value: x, label: t(`loops.care.results.${x}`) }))} />
        </Form.Item>
        <Form.Item name="outcome" label={t('loops.care.outcome')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
