import { useMemo, useState } from 'react';
import { App, Button, Card, DatePicker, Empty, Flex, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import { useFormat, usePermission } from '../auth/me';
import { EChart } from '../standards/EChart';
import { TicketSearchSelect } from '../tickets/TicketSearchSelect';
import { maxOf, QA_KEYS, QA_PERM, useScorecards, type ScorecardItem } from './api';

type Calibration = ResponseOf<'get', '/qa/calibrations/{id}'>;
type Summary = ItemOf<ResponseOf<'get', '/qa/calibrations'>['items']>;
type Scores = Record<string, number | null | undefined>;

const KEYS = {
  list: [...QA_KEYS.all, 'calibrations'] as const,
  one: (id: string) => [...QA_KEYS.all, 'calibrations', id] as const,
  agreement: [...QA_KEYS.all, 'calibrations', 'agreement'] as const,
};

/** How far apart the inspectors are on an item, as a share of its maximum: ≥ 50 % red, anything above 0 gold. */
export const spreadLevel = (low: number | null, high: number | null, max: number): 'none' | 'some' | 'wide' =>
  low === null || high === null || high === low ? 'none' : (high - low) / max >= 0.5 ? 'wide' : 'some';
const SPREAD_BG = { none: undefined, some: '#fffbe6', wide: '#fff1f0' } as const;

/** One ticket scored item by item (yes/no, 0–N, N/A where allowed). */
function ScoreItems({ items, value, onChange, testPrefix }: { items: ScorecardItem[]; value: Scores; onChange: (v: Scores) => void; testPrefix: string }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={10}>
      {items.map((it) => {
        const max = maxOf(it);
        const v = value[it.key];
        const set = (score: number | null) => onChange({ ...value, [it.key]: score });
        return (
          <Flex key={it.key} gap={8} wrap align="center" justify="space-between" data-testid={`${testPrefix}-${it.key}`}>
            <Typography.Text style={{ flex: '1 1 200px', minWidth: 0 }}>
              {it.label}
              {it.critical ? (
                <Tag color="red" style={{ marginInlineStart: 6 }}>
                  {t('quality.critical')}
                </Tag>
              ) : null}
            </Typography.Text>
            <Space size={4} wrap>
              {max <= 10 ? (
                <Radio.Group
                  size="small"
                  optionType="button"
                  value={v === null ? 'na' : v}
                  onChange={(e) => set(e.target.value === 'na' ? null : Number(e.target.value))}
                  options={[
                    ...(it.scale.kind === 'yesno'
                      ? [
                          { value: 1, label: t('quality.calib.yes') },
                          { value: 0, label: t('quality.calib.no') },
                        ]
                      : Array.from({ length: max + 1 }, (_, i) => ({ value: i, label: String(i) }))),
                    ...(it.allowNa ? [{ value: 'na', label: t('quality.calib.na') }] : []),
                  ]}
                />
              ) : (
                <InputNumber size="small" min={0} max={max} precision={0} value={v ?? null} onChange={(n) => set(n === null ? null : Number(n))} />
              )}
            </Space>
          </Flex>
        );
      })}
    </Flex>
  );
}

const complete = (items: ScorecardItem[], s: Scores) => items.every((it) => s[it.key] !== undefined && (s[it.key] !== null || it.allowNa));
const toBody = (items: ScorecardItem[], s: Scores) => items.map((it) => ({ item: it.key, score: s[it.key] ?? null }));
const fromStored = (rows: { item: string; score: number | null }[] | undefined): Scores => Object.fromEntries((rows ?? []).map((r) => [r.item, r.score]));

function TicketScoring({ c, ticket }: { c: Calibration; ticket: Calibration['tickets'][number] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const saved = c.mine.find((m) => m.ticketId === ticket.id);
  const [scores, setScores] = useState<Scores>(() => fromStored(saved?.scores));
  const save = useMutation({
    mutationFn: () => http.post('/qa/calibrations/{id}/scores', { path: { id: c.id }, body: { ticketId: ticket.id, scores: toBody(c.items, scores) } }),
    onSuccess: async (r) => {
      void message.success(r.state === 'closed' ? t('quality.calib.closedNow') : t('quality.calib.saved'));
      qc.setQueryData(KEYS.one(c.id), r);
      await qc.invalidateQueries({ queryKey: KEYS.list });
    },
    onError: (e) => showError(e),
  });
  return (
    <Card
      size="small"
      title={
        <Space wrap>
          <Link to={`/tickets/${ticket.id}`}>{ticket.number}</Link>
          <Typography.Text type="secondary">{ticket.subject}</Typography.Text>
          {saved ? <Tag color="green">{t('quality.calib.scoredMine')}</Tag> : null}
        </Space>
      }
      data-testid={`calib-ticket-${ticket.number}`}
    >
      <ScoreItems items={c.items} value={scores} onChange={setScores} testPrefix={`calib-${ticket.number}`} />
      <Flex justify="end" style={{ marginTop: 12 }}>
        <Button
          type="primary"
          disabled={!complete(c.items, scores)}
          loading={save.isPending}
          onClick={() => save.mutate()}
          data-testid={`calib-save-${ticket.number}`}
        >
          {t('quality.calib.save')}
        </Button>
      </Flex>
    </Card>
  );
}

function ReferenceModal({ c, ticketId, onClose }: { c: Calibration; ticketId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const showError = useApiError();
  const qc = useQueryClient();
  const existing = c.references.find((r) => r.ticketId === ticketId);
  const [scores, setScores] = useState<Scores>(() => fromStored(existing?.scores));
  const put = useMutation({
    mutationFn: (remove: boolean) =>
      http.put('/qa/calibrations/{id}/reference', { path: { id: c.id }, body: { ticketId, scores: remove ? null : toBody(c.items, scores) } }),
    onSuccess: async (r) => {
      qc.setQueryData(KEYS.one(c.id), r);
      await qc.invalidateQueries({ queryKey: KEYS.list });
      onClose();
    },
    onError: (e) => showError(e),
  });
  return (
    <Modal
      open
      title={t('quality.calib.referenceTitle', { number: c.tickets.find((x) => x.id === ticketId)?.number ?? '' })}
      onCancel={onClose}
      footer={[
        existing ? (
          <Button key="rm" danger onClick={() => put.mutate(true)}>
            {t('quality.calib.referenceRemove')}
          </Button>
        ) : null,
        <Button
          key="ok"
          type="primary"
          disabled={!complete(c.items, scores)}
          loading={put.isPending}
          onClick={() => put.mutate(false)}
          data-testid="calib-reference-ok"
        >
          {t('quality.calib.referenceSave')}
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">{t('quality.calib.referenceHelp')}</Typography.Paragraph>
      <ScoreItems items={c.items} value={scores} onChange={setScores} testPrefix="calib-ref" />
    </Modal>
  );
}

function Results({ c }: { c: Calibration }) {
  const { t } = useTranslation();
  const [referencing, setReferencing] = useState<string | null>(null);
  const r = c.results!;
  const names = new Map(c.inspectors.map((i) => [i.id, i.name]));
  const labels = new Map(c.items.map((it) => [it.key, it.label]));
  const devOption = useMemo(
    () => ({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'value', name: t('quality.calib.points') },
      yAxis: { type: 'category', data: r.inspectors.map((i) => names.get(i.inspectorId) ?? '') },
      series: [{ type: 'bar', name: t('quality.calib.mad'), data: r.inspectors.map((i) => i.mad), label: { show: true, position: 'right' } }],
    }),
    [r, names, t],
  );
  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t('quality.calib.agreement')}>
        <Space size="large" wrap>
          <Typography.Text data-testid="calib-mad">
            {t('quality.calib.mad')}: <b>{r.mad ?? '—'}</b> {t('quality.calib.pointsUnit')}
          </Typography.Text>
          <Typography.Text data-testid="calib-icc">
            ICC(2,1): <b>{r.icc ?? '—'}</b>
          </Typography.Text>
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('quality.calib.explain')}
        </Typography.Paragraph>
      </Card>
      <Card size="small" title={t('quality.calib.deviation')}>
        <EChart option={devOption} height={Math.max(140, 48 * r.inspectors.length)} testId="calib-deviation-chart" />
      </Card>
      {r.tickets.map((tr) => {
        const ticket = c.tickets.find((x) => x.id === tr.ticketId);
        return (
          <Card
            key={tr.ticketId}
            size="small"
            title={
              <Space wrap>
                <Link to={`/tickets/${tr.ticketId}`}>{ticket?.number}</Link>
                <Typography.Text type="secondary">{t('quality.calib.consensusTotal', { score: tr.consensusTotal ?? '—' })}</Typography.Text>
              </Space>
            }
            extra={
              c.allowed.reference ? (
                <Button size="small" onClick={() => setReferencing(tr.ticketId)} data-testid={`calib-reference-${ticket?.number}`}>
                  {t('quality.calib.reference')}
                </Button>
              ) : null
            }
          >
            <Table
              size="small"
              rowKey="item"
              pagination={false}
              scroll={{ x: 420 + 70 * c.inspectors.length }}
              dataSource={tr.items}
              onRow={(row) => ({ style: { background: SPREAD_BG[spreadLevel(row.low, row.high, row.max)] }, 'data-testid': `calib-row-${row.item}` }) as never}
              columns={[
                { title: t('quality.item'), fixed: 'left', width: 160, render: (_, row) => labels.get(row.item) ?? row.item },
                ...c.inspectors.map((ins, j) => ({
                  key: ins.id,
                  title: ins.name,
                  width: 70,
                  render: (_: unknown, row: (typeof tr.items)[number]) =>
                    row.scores[j]?.score === null ? t('quality.calib.na') : `${row.scores[j]?.score ?? '—'}`,
                })),
                { title: t('quality.calib.range'), width: 80, render: (_, row) => (row.low === null ? '—' : `${row.low}–${row.high} / ${row.max}`) },
                { title: 'σ', width: 60, render: (_, row) => row.stdev ?? '—' },
                {
                  title: t('quality.calib.consensus'),
                  width: 110,
                  render: (_, row) => (
                    <Space size={4}>
                      {row.consensus ?? '—'}
                      {row.reference ? <Tag color="purple">{t('quality.calib.ref')}</Tag> : null}
                    </Space>
                  ),
                },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0}>{t('quality.calib.total')}</Table.Summary.Cell>
                  {tr.totals.map((x, j) => (
                    <Table.Summary.Cell key={x.inspectorId} index={j + 1}>
                      {x.score ?? '—'}
                    </Table.Summary.Cell>
                  ))}
                  <Table.Summary.Cell index={tr.totals.length + 1} />
                  <Table.Summary.Cell index={tr.totals.length + 2} />
                  <Table.Summary.Cell index={tr.totals.length + 3}>{tr.consensusTotal ?? '—'}</Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>
        );
      })}
      {referencing ? <ReferenceModal c={c} ticketId={referencing} onClose={() => setReferencing(null)} /> : null}
    </Flex>
  );
}

function Session({ id }: { id: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const showError = useApiError();
  const qc = useQueryClient();
  const { modal } = App.useApp();
  const [referencing, setReferencing] = useState<string | null>(null);
  const one = useQuery({ queryKey: KEYS.one(id), queryFn: () => http.get('/qa/calibrations/{id}', { path: { id } }) });
  const close = useMutation({
    mutationFn: () => http.post('/qa/calibrations/{id}/close', { path: { id } }),
    onSuccess: async (r) => {
      qc.setQueryData(KEYS.one(id), r);
      await qc.invalidateQueries({ queryKey: KEYS.list });
    },
    onError: (e) => showError(e),
  });
  const c = one.data;
  return (
    <Page
      title={c?.name ?? t('quality.calib.title')}
      subtitle={c ? `${c.scorecardName} · v${c.scorecardVersion} · ${t('quality.calib.due', { at: fmt.dateTime(c.dueAt) })}` : undefined}
      extra={
        <Space wrap>
          <Link to="/qa/calibrations">{t('quality.calib.back')}</Link>
          {c?.allowed.close ? (
            <Button
              danger
              loading={close.isPending}
              data-testid="calib-close"
              onClick={() => {
                modal.confirm({ title: t('quality.calib.closeConfirm'), onOk: () => close.mutateAsync() });
              }}
            >
              {t('quality.calib.close')}
            </Button>
          ) : null}
        </Space>
      }
    >
      {!c ? (
        <Card loading />
      ) : (
        <Flex vertical gap={16}>
          <Card size="small">
            <Flex gap={8} wrap align="center">
              <Tag color={c.state === 'open' ? 'blue' : 'green'} data-testid="calib-state">
                {t(`quality.calib.state.${c.state}`)}
              </Tag>
              {c.inspectors.map((i) => (
                <Tag key={i.id} color={i.scored === c.tickets.length ? 'green' : 'default'} data-testid={`calib-progress-${i.employeeNo}`}>
                  {i.name} {i.scored}/{c.tickets.length}
                </Tag>
              ))}
            </Flex>
            {c.state === 'open' ? (
              <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
                {t('quality.calib.blind')}
              </Typography.Paragraph>
            ) : null}
          </Card>
          {c.state === 'open' && c.allowed.score ? c.tickets.map((tk) => <TicketScoring key={tk.id} c={c} ticket={tk} />) : null}
          {c.state === 'open' && c.allowed.reference ? (
            <Card size="small" title={t('quality.calib.references')}>
              <Flex gap={8} wrap>
                {c.tickets.map((tk) => (
                  <Button key={tk.id} size="small" onClick={() => setReferencing(tk.id)} data-testid={`calib-reference-${tk.number}`}>
                    {tk.number}
                    {c.references.some((r) => r.ticketId === tk.id) ? ` ✓` : ''}
                  </Button>
                ))}
              </Flex>
            </Card>
          ) : null}
          {c.results ? <Results c={c} /> : null}
        </Flex>
      )}
      {c && referencing ? <ReferenceModal c={c} ticketId={referencing} onClose={() => setReferencing(null)} /> : null}
    </Page>
  );
}

function CreateModal({ candidates, onClose }: { candidates: ResponseOf<'get', '/qa/calibrations'>['candidates']; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const showError = useApiError();
  const qc = useQueryClient();
  const cards = useScorecards();
  const [form] = Form.useForm<{ name: string; scorecardId: string; inspectorIds: string[]; dueAt: Dayjs }>();
  const [tickets, setTickets] = useState<string[]>([]);
  const [picking, setPicking] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: (v: { name: string; scorecardId: string; inspectorIds: string[]; dueAt: Dayjs }) =>
      http.post('/qa/calibrations', { body: { ...v, ticketIds: tickets, dueAt: v.dueAt.toISOString() } }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: KEYS.list });
      onClose();
      void navigate(`/qa/calibrations/${r.id}`);
    },
    onError: (e) => showError(e, { form, fields: ['name', 'scorecardId', 'inspectorIds', 'dueAt'] }),
  });
  return (
    <Modal
      open
      title={t('quality.calib.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okButtonProps={{ disabled: tickets.length === 0, 'data-testid': 'calib-create-ok' }}
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
        <Form.Item name="name" label={t('quality.calib.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={100} data-testid="calib-name" />
        </Form.Item>
        <Form.Item name="scorecardId" label={t('quality.scorecard')} rules={[{ required: true }]}>
          <Select
            data-testid="calib-scorecard"
            options={(cards.data?.items ?? []).filter((x) => x.active).map((x) => ({ value: x.id, label: `${x.name} · v${x.version}` }))}
          />
        </Form.Item>
        <Form.Item label={t('quality.calib.tickets', { count: tickets.length })} required>
          <Flex gap={8} wrap>
            <div style={{ flex: '1 1 220px', minWidth: 0 }} data-testid="calib-ticket-search">
              <TicketSearchSelect value={picking} onChange={setPicking} />
            </div>
            <Button
              disabled={!picking || tickets.includes(picking) || tickets.length >= 10}
              onClick={() => {
                setTickets([...tickets, picking!]);
                setPicking(undefined);
              }}
              data-testid="calib-ticket-add"
            >
              {t('quality.calib.addTicket')}
            </Button>
          </Flex>
          <TicketTags ids={tickets} onRemove={(id) => setTickets(tickets.filter((x) => x !== id))} />
        </Form.Item>
        <Form.Item
          name="inspectorIds"
          label={t('quality.calib.inspectors')}
          rules={[{ required: true, type: 'array', min: 2, message: t('quality.calib.twoInspectors') }]}
        >
          <Select
            mode="multiple"
            optionFilterProp="label"
            data-testid="calib-inspectors"
            options={candidates.map((p) => ({ value: p.id, label: `${p.name}（${p.employeeNo}）` }))}
          />
        </Form.Item>
        <Form.Item name="dueAt" label={t('quality.calib.dueAt')} rules={[{ required: true }]}>
          <DatePicker showTime style={{ width: '100%' }} data-testid="calib-due" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The chosen tickets by number (looked up one by one; a session has at most 10). */
function TicketTags({ ids, onRemove }: { ids: string[]; onRemove: (id: string) => void }) {
  const rows = useQuery({
    queryKey: ['tickets', 'numbers', ids],
    queryFn: async () => Promise.all(ids.map((id) => http.get('/tickets/{id}', { path: { id } }).then((d) => ({ id, number: d.number })))),
    enabled: ids.length > 0,
  });
  return (
    <Flex gap={4} wrap style={{ marginTop: 8 }}>
      {ids.map((id) => (
        <Tag key={id} closable onClose={() => onRemove(id)}>
          {rows.data?.find((r) => r.id === id)?.number ?? '…'}
        </Tag>
      ))}
    </Flex>
  );
}

function List() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const lead = usePermission(QA_PERM.manage);
  const [creating, setCreating] = useState(false);
  const list = useQuery({ queryKey: KEYS.list, queryFn: () => http.get('/qa/calibrations', { query: { limit: 100 } }) });
  const agreement = useQuery({ queryKey: KEYS.agreement, queryFn: () => http.get('/qa/calibrations/agreement') });
  const trend = useMemo(() => {
    const rows = [...(agreement.data?.items ?? [])].reverse();
    return {
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      xAxis: { type: 'category', data: rows.map((r) => fmt.date(r.closedAt)) },
      yAxis: [
        { type: 'value', name: t('quality.calib.points') },
        { type: 'value', min: -1, max: 1 },
      ],
      series: [
        { type: 'line', name: t('quality.calib.mad'), data: rows.map((r) => r.mad) },
        { type: 'line', name: 'ICC', yAxisIndex: 1, data: rows.map((r) => r.icc) },
      ],
    };
  }, [agreement.data, fmt, t]);
  return (
    <Page
      title={t('quality.calib.title')}
      subtitle={t('quality.calib.subtitle')}
      extra={
        lead ? (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="calib-new">
            {t('quality.calib.create')}
          </Button>
        ) : null
      }
    >
      <Flex vertical gap={16}>
        <Card size="small">
          <Table<Summary>
            size="small"
            rowKey="id"
            loading={list.isLoading}
            dataSource={list.data?.items ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 640 }}
            locale={{ emptyText: <Empty description={t('quality.calib.empty')} /> }}
            columns={[
              {
                title: t('quality.calib.name'),
                render: (_, s) => (
                  <Link to={`/qa/calibrations/${s.id}`} data-testid={`calib-open-${s.name}`}>
                    {s.name}
                  </Link>
                ),
              },
              { title: t('quality.scorecard'), render: (_, s) => `${s.scorecardName} · v${s.scorecardVersion}` },
              {
                title: t('quality.stateCol'),
                render: (_, s) => <Tag color={s.state === 'open' ? 'blue' : 'green'}>{t(`quality.calib.state.${s.state}`)}</Tag>,
              },
              {
                title: t('quality.calib.progress'),
                render: (_, s) => `${s.inspectors.reduce((a, i) => a + i.scored, 0)}/${s.inspectors.length * s.tickets.length}`,
              },
              { title: t('quality.calib.dueAt'), render: (_, s) => fmt.dateTime(s.dueAt) },
              { title: t('quality.calib.mad'), render: (_, s) => s.agreementMad ?? '—' },
              { title: 'ICC', render: (_, s) => s.agreementIcc ?? '—' },
            ]}
          />
        </Card>
        {(agreement.data?.items.length ?? 0) > 0 ? (
          <Card size="small" title={t('quality.calib.overTime')}>
            <EChart option={trend} height={240} testId="calib-trend" />
          </Card>
        ) : null}
      </Flex>
      {creating ? <CreateModal candidates={list.data?.candidates ?? []} onClose={() => setCreating(false)} /> : null}
    </Page>
  );
}

/** 校准: QA leads start sessions; inspectors score the same tickets blind; the spread, consensus and agreement once closed. */
export default function CalibrationPage() {
  const { id } = useParams();
  return id ? <Session id={id} /> : <List />;
}
