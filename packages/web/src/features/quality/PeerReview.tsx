import { useState } from 'react';
import { App, Button, Card, Collapse, DatePicker, Empty, Flex, Form, Input, InputNumber, Rate, Select, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat, useMe } from '../auth/me';
import { useTeams } from '../staff/queries';
import { QA_KEYS } from './api';

type Mine = ResponseOf<'get', '/qa/peer-reviews'>;
type ToReview = ItemOf<Mine['toReview']>;
type Round = ItemOf<ResponseOf<'get', '/qa/peer-rounds'>['items']>;

const KEYS = { mine: [...QA_KEYS.all, 'peer', 'mine'] as const, rounds: [...QA_KEYS.all, 'peer', 'rounds'] as const };

function ReviewForm({ r }: { r: ToReview }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const submit = useMutation({
    mutationFn: () =>
      http.post('/qa/peer-reviews/{id}', {
        path: { id: r.id },
        body: { scores: r.items.map((it) => ({ item: it.key, score: scores[it.key]! })), ...(comment.trim() ? { comment } : {}) },
      }),
    onSuccess: async () => {
      void message.success(t('quality.peer.submitted'));
      await qc.invalidateQueries({ queryKey: KEYS.mine });
    },
    onError: (e) => showError(e),
  });
  return (
    <Flex vertical gap={8}>
      {r.items.map((it) => (
        <Flex key={it.key} gap={8} wrap align="center" justify="space-between">
          <Typography.Text>{it.label}</Typography.Text>
          <Rate value={scores[it.key] ?? 0} onChange={(v) => setScores({ ...scores, [it.key]: v })} data-testid={`peer-rate-${it.key}`} />
        </Flex>
      ))}
      <Input.TextArea
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={1000}
        autoSize={{ minRows: 2 }}
        placeholder={t('quality.peer.comment')}
      />
      <Flex justify="end">
        <Button
          type="primary"
          disabled={r.items.some((it) => !scores[it.key])}
          loading={submit.isPending}
          onClick={() => submit.mutate()}
          data-testid="peer-submit"
        >
          {t('quality.peer.submit')}
        </Button>
      </Flex>
    </Flex>
  );
}

/** 我的质检 → 互评: colleagues' tickets to score (anonymised) and the scores given to one's own (reviewer hidden). */
export function MyPeerReview() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const mine = useQuery({ queryKey: KEYS.mine, queryFn: () => http.get('/qa/peer-reviews') });
  const todo = (mine.data?.toReview ?? []).filter((r) => !r.submittedAt && r.round.state === 'open');
  const label = (items: { key: string; label: string }[], key: string) => items.find((i) => i.key === key)?.label ?? key;
  return (
    <Card size="small" title={t('quality.peer.mineTitle', { count: todo.length })} data-testid="peer-mine">
      <Flex vertical gap={12}>
        {todo.length === 0 ? (
          <Typography.Text type="secondary">{t('quality.peer.nothingToDo')}</Typography.Text>
        ) : (
          <Collapse
            size="small"
            items={todo.map((r, i) => ({
              key: r.id,
              label: `${r.round.name} · ${t('quality.peer.colleagueTicket', { n: i + 1 })} · ${r.subject}`,
              children: (
                <Flex vertical gap={8}>
                  <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{r.description}</Typography.Paragraph>
                  {r.conversation.map((m, j) => (
                    <Typography.Paragraph key={j} style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>
                      <Tag color={m.from === 'customer' ? 'default' : 'blue'}>{t(`quality.peer.from.${m.from}`)}</Tag>
                      {m.body}
                    </Typography.Paragraph>
                  ))}
                  <ReviewForm r={r} />
                </Flex>
              ),
            }))}
          />
        )}
        <Typography.Text strong>{t('quality.peer.received')}</Typography.Text>
        <Table
          size="small"
          rowKey="id"
          loading={mine.isLoading}
          dataSource={mine.data?.received ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 480 }}
          locale={{ emptyText: <Empty description={t('quality.peer.noneReceived')} /> }}
          columns={[
            { title: t('quality.ticket'), render: (_, r) => <Link to={`/tickets/${r.ticketId}`}>{r.ticketNumber}</Link> },
            { title: t('quality.peer.round'), render: (_, r) => r.round.name },
            {
              title: t('quality.peer.scores'),
              render: (_, r) => (
                <Flex gap={4} wrap>
                  {r.scores.map((s) => (
                    <Tag key={s.item}>
                      {label(r.items, s.item)} {s.score}/5
                    </Tag>
                  ))}
                </Flex>
              ),
            },
            { title: t('quality.peer.commentCol'), render: (_, r) => r.comment ?? '—' },
            { title: t('quality.when'), render: (_, r) => fmt.date(r.submittedAt) },
          ]}
        />
      </Flex>
    </Card>
  );
}

function StartForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const showError = useApiError();
  const qc = useQueryClient();
  const teams = useTeams();
  const [form] = Form.useForm<{ name: string; teamId: string; perAgent: number; period: [Dayjs, Dayjs] }>();
  const start = useMutation({
    mutationFn: (v: { name: string; teamId: string; perAgent: number; period: [Dayjs, Dayjs] }) =>
      http.post('/qa/peer-rounds', {
        body: {
          name: v.name,
          teamId: v.teamId,
          perAgent: v.perAgent,
          from: v.period[0].startOf('day').toISOString(),
          to: v.period[1].endOf('day').toISOString(),
          items: [
            { key: 'attitude', label: t('quality.peer.defaultItems.attitude') },
            { key: 'solve', label: t('quality.peer.defaultItems.solve') },
            { key: 'clarity', label: t('quality.peer.defaultItems.clarity') },
          ],
        },
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: KEYS.rounds });
      form.resetFields();
      onDone();
    },
    onError: (e) => showError(e, { form, fields: ['name', 'teamId', 'perAgent'] }),
  });
  const teamItems = teams.data?.items ?? [];
  return (
    <Form form={form} layout="vertical" initialValues={{ perAgent: 3, teamId: me.teamId ?? undefined }} onFinish={(v) => start.mutate(v)}>
      <Flex gap={12} wrap align="end">
        <Form.Item name="name" label={t('quality.peer.name')} rules={[{ required: true, whitespace: true }]} style={{ flex: '1 1 180px' }}>
          <Input maxLength={100} data-testid="peer-name" />
        </Form.Item>
        <Form.Item name="teamId" label={t('quality.peer.team')} rules={[{ required: true }]} style={{ flex: '1 1 160px' }}>
          <Select options={teamItems.map((x) => ({ value: x.id, label: x.name }))} data-testid="peer-team" />
        </Form.Item>
        <Form.Item name="perAgent" label={t('quality.peer.perAgent')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10} />
        </Form.Item>
        <Form.Item name="period" label={t('quality.peer.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={start.isPending} data-testid="peer-start">
            {t('quality.peer.start')}
          </Button>
        </Form.Item>
      </Flex>
    </Form>
  );
}

function RoundCard({ r }: { r: Round }) {
  const { t } = useTranslation();
  const showError = useApiError();
  const qc = useQueryClient();
  const close = useMutation({
    mutationFn: () => http.post('/qa/peer-rounds/{id}/close', { path: { id: r.id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEYS.rounds }),
    onError: (e) => showError(e),
  });
  return (
    <Card
      size="small"
      title={
        <Flex gap={6} wrap align="center">
          {r.name}
          <Tag color={r.state === 'open' ? 'blue' : 'green'}>{t(`quality.peer.state.${r.state}`)}</Tag>
          <Typography.Text type="secondary">{t('quality.peer.progress', { done: r.submitted, all: r.assigned })}</Typography.Text>
        </Flex>
      }
      extra={
        r.state === 'open' ? (
          <Button size="small" loading={close.isPending} onClick={() => close.mutate()}>
            {t('quality.peer.close')}
          </Button>
        ) : null
      }
    >
      <Table
        size="small"
        rowKey="agentId"
        pagination={false}
        dataSource={r.results}
        scroll={{ x: 360 + 90 * r.items.length }}
        locale={{ emptyText: <Empty description={t('quality.peer.noResults')} /> }}
        columns={[
          { title: t('quality.agent'), render: (_, x) => x.agent.name },
          { title: t('quality.peer.reviews'), render: (_, x) => x.n },
          ...r.items.map((it, j) => ({ key: it.key, title: it.label, render: (_: unknown, x: Round['results'][number]) => x.items[j]?.mean ?? '—' })),
          { title: t('quality.peer.mean'), render: (_, x) => <Tag color="blue">{x.mean ?? '—'}</Tag> },
        ]}
      />
    </Card>
  );
}

/** 互评: supervisors start a round for their team and see each agent's peer scores. */
export default function PeerRoundsPage() {
  const { t } = useTranslation();
  const [starting, setStarting] = useState(false);
  const rounds = useQuery({ queryKey: KEYS.rounds, queryFn: () => http.get('/qa/peer-rounds', { query: { limit: 20 } }) });
  return (
    <Page
      title={t('quality.peer.title')}
      subtitle={t('quality.peer.subtitle')}
      extra={
        <Button type="primary" onClick={() => setStarting(!starting)} data-testid="peer-new">
          {t('quality.peer.new')}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        {starting ? (
          <Card size="small">
            <StartForm onDone={() => setStarting(false)} />
          </Card>
        ) : null}
        {(rounds.data?.items ?? []).map((r) => (
          <RoundCard key={r.id} r={r} />
        ))}
        {!rounds.isLoading && (rounds.data?.items.length ?? 0) === 0 ? <Empty description={t('quality.peer.empty')} /> : null}
      </Flex>
    </Page>
  );
}
