/**
 * 定义服务标准 — the guided flow (issue #13 item 9, seed 003: standards are defined from what customers say matters):
 * the encounter on the service blueprint, hard or soft, the measure and target, the feedback mechanism, a replay of
 * the last 30 days as if the standard had existed (POST /standards/preview), adopt (POST /standards).
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Col, Flex, Form, Input, InputNumber, Radio, Row, Select, Space, Spin, Statistic, Steps, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { http, type RequestBodyOf, type ResponseOf } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { eventKindLabel } from '../auth/labels';
import { useCalendars } from '../calendars/api';
import { EChart } from '../standards/EChart';
import { STD_KEYS } from '../standards/api';
import { BLUEPRINT, COUNT_SOURCES, HARD_MEASURES, RATE_METRICS, replayable, SOFT_MEASURES, toDefinition, type WizardValues } from './blueprint';

type Preview = ResponseOf<'post', '/standards/preview'>;
const DAYS = 30;

const INITIAL: WizardValues = {
  stage: 'inquiry',
  start: 'ticket.created',
  stop: 'ticket.first_public_reply',
  kind: 'hard',
  measure: 'duration',
  limitMinutes: 120,
  calendarId: null,
  todAt: 'end_of_day',
  todCutoff: '16:00',
  countSource: 'ring_count',
  countLimit: 3,
  surveyMeasure: 'csat',
  surveyAggregate: 'mean',
  surveyThreshold: 4.8,
  rateMetric: 'fcr',
  targetPercent: 90,
  warnPercent: 75,
  escalateRole: 'supervisor',
  escalateAfterMinutes: 30,
  name: '',
  code: '',
  encounterName: '',
};

const fmt = (s: string | null) => (s ? dayjs(s).format('MM-DD HH:mm') : '—');
const pctText = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

export default function DefineStandardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const calendars = useCalendars();
  const [step, setStep] = useState(0);
  const [v, setV] = useState<WizardValues>({
    ...INITIAL,
    name: t('stdDefine.defaults.name'),
    encounterName: t('stdDefine.stage.inquiry'),
    code: 'MY-STANDARD',
  });
  const set = (p: Partial<WizardValues>) => setV((o) => ({ ...o, ...p }));
  const stage = BLUEPRINT.find((s) => s.key === v.stage)!;

  const preview = useMutation({
    mutationFn: () =>
      http.post('/standards/preview', { body: { definition: toDefinition(v), days: DAYS } as unknown as RequestBodyOf<'post', '/standards/preview'> }),
    onError: (err) => {
      message.error(errorMessage(err, t));
    },
  });
  const adopt = useMutation({
    mutationFn: () => http.post('/standards', { body: toDefinition(v) as unknown as RequestBodyOf<'post', '/standards'> }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: STD_KEYS.list });
      message.success(t('stdDefine.adopted', { name: v.name }));
      void navigate('/standards?tab=catalogue');
    },
    onError: (err) => {
      message.error(errorMessage(err, t));
    },
  });

  const pickStage = (key: string) => {
    const s = BLUEPRINT.find((b) => b.key === key)!;
    set({ stage: key, start: s.start[0]!, stop: s.stop[0]!, encounterName: t(`stdDefine.stage.${key}`) });
  };
  const evOptions = (list: string[]) => list.map((k) => ({ value: k, label: eventKindLabel(t, k) }));
  const measures = v.kind === 'hard' ? HARD_MEASURES : SOFT_MEASURES;

  const steps = [
    {
      title: t('stdDefine.steps.encounter'),
      content: (
        <>
          <Typography.Paragraph type="secondary">{t('stdDefine.blueprintHelp')}</Typography.Paragraph>
          <div className="std-blueprint" style={{ display: 'flex', gap: 8, overflowX: 'auto', paddingBottom: 8 }} data-testid="std-blueprint">
            {BLUEPRINT.map((s, i) => (
              <Card
                key={s.key}
                size="small"
                hoverable
                onClick={() => pickStage(s.key)}
                data-testid={`stage-${s.key}`}
                style={{ minWidth: 150, flex: '0 0 auto', borderColor: v.stage === s.key ? '#1677ff' : undefined, borderWidth: v.stage === s.key ? 2 : 1 }}
                title={`${i + 1}. ${t(`stdDefine.stage.${s.key}`)}`}
              >
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('stdDefine.starts')}
                </Typography.Text>
                <div>
                  {s.start.map((k) => (
                    <Tag key={k} color="blue" style={{ marginBottom: 4 }}>
                      {eventKindLabel(t, k)}
                    </Tag>
                  ))}
                </div>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('stdDefine.stops')}
                </Typography.Text>
                <div>
                  {s.stop.map((k) => (
                    <Tag key={k} color="green" style={{ marginBottom: 4 }}>
                      {eventKindLabel(t, k)}
                    </Tag>
                  ))}
                </div>
              </Card>
            ))}
          </div>
          <Form layout="vertical" style={{ maxWidth: 560, marginTop: 12 }}>
            <Form.Item label={t('stdDefine.encounterName')}>
              <Input value={v.encounterName} onChange={(e) => set({ encounterName: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('stdDefine.startEvent')}>
              <Select value={v.start} onChange={(start) => set({ start })} options={evOptions(stage.start)} data-testid="std-start" />
            </Form.Item>
            <Form.Item label={t('stdDefine.stopEvent')}>
              <Select value={v.stop} onChange={(stop) => set({ stop })} options={evOptions(stage.stop)} data-testid="std-stop" />
            </Form.Item>
          </Form>
        </>
      ),
    },
    {
      title: t('stdDefine.steps.kind'),
      content: (
        <Radio.Group
          value={v.kind}
          onChange={(e) => {
            const kind = e.target.value as 'hard' | 'soft';
            set({ kind, measure: kind === 'hard' ? 'duration' : 'survey' });
          }}
        >
          <Space direction="vertical">
            <Radio value="hard" data-testid="kind-hard">
              <b>{t('stdDefine.hard')}</b> — {t('stdDefine.hardHelp')}
            </Radio>
            <Radio value="soft" data-testid="kind-soft">
              <b>{t('stdDefine.soft')}</b> — {t('stdDefine.softHelp')}
            </Radio>
          </Space>
        </Radio.Group>
      ),
    },
    {
      title: t('stdDefine.steps.measure'),
      content: (
        <Form layout="vertical" style={{ maxWidth: 560 }}>
          <Form.Item label={t('stdDefine.measure')}>
            <Radio.Group value={v.measure} onChange={(e) => set({ measure: e.target.value as WizardValues['measure'] })}>
              <Space direction="vertical">
                {measures.map((m) => (
                  <Radio key={m} value={m} data-testid={`measure-${m}`}>
                    {t(`stdDefine.measures.${m}`)}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          {v.measure === 'duration' ? (
            <Form.Item label={t('stdDefine.limitMinutes')}>
              <InputNumber
                min={1}
                max={60 * 24 * 30}
                value={v.limitMinutes}
                onChange={(n) => set({ limitMinutes: n ?? 1 })}
                addonAfter={t('stdDefine.minutes')}
                data-testid="std-limit"
              />
            </Form.Item>
          ) : null}
          {v.measure === 'time_of_day' ? (
            <Space wrap>
              <Form.Item label={t('stdDefine.todAt')}>
                <Select
                  style={{ width: 160 }}
                  value={v.todAt}
                  onChange={(todAt) => set({ todAt })}
                  options={[{ value: 'end_of_day', label: t('stdDefine.endOfDay') }, ...['10:30', '12:00', '17:00'].map((x) => ({ value: x, label: x }))]}
                />
              </Form.Item>
              <Form.Item label={t('stdDefine.cutoff')}>
                <Input style={{ width: 120 }} value={v.todCutoff} onChange={(e) => set({ todCutoff: e.target.value })} placeholder="16:00" />
              </Form.Item>
            </Space>
          ) : null}
          {v.measure === 'count' ? (
            <Space wrap>
              <Form.Item label={t('stdDefine.countSource')}>
                <Select
                  style={{ width: 200 }}
                  value={v.countSource}
                  onChange={(countSource) => set({ countSource })}
                  options={COUNT_SOURCES.map((c) => ({ value: c, label: t(`stdDefine.count.${c}`) }))}
                />
              </Form.Item>
              <Form.Item label={t('stdDefine.countLimit')}>
                <InputNumber min={0} max={1000} value={v.countLimit} onChange={(n) => set({ countLimit: n ?? 0 })} />
              </Form.Item>
            </Space>
          ) : null}
          {v.measure === 'survey' ? (
            <Space wrap>
              <Form.Item label={t('stdDefine.aggregate')}>
                <Select
                  style={{ width: 200 }}
                  value={v.surveyAggregate}
                  onChange={(surveyAggregate) => set({ surveyAggregate })}
                  options={[
                    { value: 'mean', label: t('stdDefine.mean') },
                    { value: 'share', label: t('stdDefine.share') },
                  ]}
                />
              </Form.Item>
              <Form.Item label={t('stdDefine.threshold')}>
                <InputNumber min={1} max={5} step={0.1} value={v.surveyThreshold} onChange={(n) => set({ surveyThreshold: n ?? 4 })} />
              </Form.Item>
            </Space>
          ) : null}
          {v.measure === 'rate' ? (
            <Form.Item label={t('stdDefine.rateMetric')}>
              <Select
                value={v.rateMetric}
                onChange={(rateMetric) => set({ rateMetric })}
                options={RATE_METRICS.map((m) => ({ value: m, label: t(`stdDefine.rate.${m}`) }))}
              />
            </Form.Item>
          ) : null}
          {v.measure === 'duration' || v.measure === 'time_of_day' ? (
            <Form.Item label={t('stdDefine.calendar')}>
              <Select
                value={v.calendarId ?? ''}
                onChange={(c) => set({ calendarId: c || null })}
                options={[{ value: '', label: t('stdDefine.allDay') }, ...(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))]}
                data-testid="std-calendar"
              />
            </Form.Item>
          ) : null}
          <Form.Item label={t('stdDefine.target')}>
            <InputNumber min={1} max={100} value={v.targetPercent} onChange={(n) => set({ targetPercent: n ?? 90 })} addonAfter="%" />
          </Form.Item>
        </Form>
      ),
    },
    {
      title: t('stdDefine.steps.feedback'),
      content:
        v.kind === 'soft' || v.measure === 'survey' ? (
          <Alert type="info" showIcon message={t('stdDefine.feedbackSurvey')} />
        ) : v.measure === 'rate' ? (
          <Alert type="info" showIcon message={t('stdDefine.feedbackRate')} />
        ) : (
          <Form layout="vertical" style={{ maxWidth: 560 }}>
            <Alert type="info" showIcon message={t('stdDefine.feedbackData')} style={{ marginBottom: 16 }} />
            {v.measure !== 'count' ? (
              <>
                <Form.Item label={t('stdDefine.warnAt')}>
                  <InputNumber min={1} max={99} value={v.warnPercent} onChange={(n) => set({ warnPercent: n })} addonAfter="%" />
                </Form.Item>
                <Form.Item label={t('stdDefine.escalate')}>
                  <Space wrap>
                    <Select
                      style={{ width: 160 }}
                      value={v.escalateRole ?? ''}
                      onChange={(r) => set({ escalateRole: (r || null) as WizardValues['escalateRole'] })}
                      options={[
                        { value: '', label: t('stdDefine.noEscalation') },
                        ...(['supervisor', 'director', 'admin'] as const).map((r) => ({ value: r, label: t(`stdDefine.role.${r}`) })),
                      ]}
                    />
                    {v.escalateRole ? (
                      <InputNumber
                        min={0}
                        max={10080}
                        value={v.escalateAfterMinutes}
                        onChange={(n) => set({ escalateAfterMinutes: n ?? 0 })}
                        addonBefore={t('stdDefine.after')}
                        addonAfter={t('stdDefine.minutes')}
                      />
                    ) : null}
                  </Space>
                </Form.Item>
              </>
            ) : null}
          </Form>
        ),
    },
    {
      title: t('stdDefine.steps.preview'),
      content: replayable(v.measure) ? (
        <PreviewPanel preview={preview.data ?? null} loading={preview.isPending} onRun={() => preview.mutate()} />
      ) : (
        <Alert type="info" showIcon message={t('stdDefine.notReplayable')} />
      ),
    },
    {
      title: t('stdDefine.steps.adopt'),
      content: (
        <Form layout="vertical" style={{ maxWidth: 560 }}>
          <Form.Item label={t('stdDefine.name')} required>
            <Input value={v.name} onChange={(e) => set({ name: e.target.value })} data-testid="std-name" />
          </Form.Item>
          <Form.Item label={t('stdDefine.code')} required extra={t('stdDefine.codeHelp')}>
            <Input value={v.code} onChange={(e) => set({ code: e.target.value.toUpperCase() })} data-testid="std-code" />
          </Form.Item>
          <Button type="primary" loading={adopt.isPending} onClick={() => adopt.mutate()} data-testid="std-adopt">
            {t('stdDefine.adopt')}
          </Button>
        </Form>
      ),
    },
  ];

  return (
    <Page title={t('stdDefine.title')} subtitle={t('stdDefine.subtitle')} extra={<Link to="/standards">{t('stdDefine.back')}</Link>}>
      <Steps current={step} onChange={setStep} items={steps.map((s) => ({ title: s.title }))} size="small" style={{ marginBottom: 16 }} />
      <Card data-testid={`std-step-${step}`}>{steps[step]!.content}</Card>
      <Flex gap={8} style={{ marginTop: 16 }}>
        {step > 0 ? <Button onClick={() => setStep(step - 1)}>{t('stdDefine.prev')}</Button> : null}
        {step < steps.length - 1 ? (
          <Button
            type="primary"
            data-testid="std-next"
            onClick={() => {
              if (step === 3 && replayable(v.measure) && !preview.data && !preview.isPending) preview.mutate();
              setStep(step + 1);
            }}
          >
            {t('stdDefine.next')}
          </Button>
        ) : null}
      </Flex>
    </Page>
  );
}

function PreviewPanel({ preview, loading, onRun }: { preview: Preview | null; loading: boolean; onRun: () => void }) {
  const { t } = useTranslation();
  if (loading)
    return (
      <Flex vertical align="center" gap={12} style={{ padding: 32 }} data-testid="std-preview-loading">
        <Spin size="large" />
        <Typography.Text>{t('stdDefine.replaying', { days: DAYS })}</Typography.Text>
      </Flex>
    );
  if (!preview)
    return (
      <Button type="primary" onClick={onRun}>
        {t('stdDefine.runPreview', { days: DAYS })}
      </Button>
    );
  // Breaches first: the tickets a manager wants to look at.
  const order: Record<string, number> = { breached: 0, running: 1, paused: 1, met: 2, cancelled: 3 };
  const examples = preview.tickets
    .flatMap((tk) => tk.instances.map((i, n) => ({ key: `${tk.ticketId}-${n}`, number: tk.number, ticketId: tk.ticketId, subject: tk.subject, ...i })))
    .sort((a, b) => (order[a.state] ?? 9) - (order[b.state] ?? 9))
    .slice(0, 8);
  const option = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: [t('stdDefine.rateLine'), t('stdDefine.met'), t('stdDefine.breached')] },
    grid: { left: 44, right: 36, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: preview.byDay.map((d) => d.date.slice(5)) },
    yAxis: [
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      { type: 'value', minInterval: 1 },
    ],
    series: [
      {
        name: t('stdDefine.rateLine'),
        type: 'line',
        connectNulls: true,
        data: preview.byDay.map((d) => (d.rate === null ? null : Math.round(d.rate * 1000) / 10)),
      },
      { name: t('stdDefine.met'), type: 'bar', stack: 'n', yAxisIndex: 1, itemStyle: { color: '#52c41a' }, data: preview.byDay.map((d) => d.met) },
      { name: t('stdDefine.breached'), type: 'bar', stack: 'n', yAxisIndex: 1, itemStyle: { color: '#ff4d4f' }, data: preview.byDay.map((d) => d.breached) },
    ],
  };
  return (
    <div data-testid="std-preview">
      <Typography.Paragraph type="secondary">
        {t('stdDefine.previewIntro', {
          days: preview.days,
          tickets: preview.ticketsReplayed,
          events: preview.eventsReplayed,
          seconds: (preview.elapsedMs / 1000).toFixed(1),
        })}
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Statistic title={t('stdDefine.rate.standardExecutionRate')} value={pctText(preview.totals.rate)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('stdDefine.met')} value={preview.totals.met} valueStyle={{ color: '#389e0d' }} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('stdDefine.breached')} value={preview.totals.breached} valueStyle={{ color: '#cf1322' }} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('stdDefine.runningCancelled')} value={`${preview.totals.running} / ${preview.totals.cancelled}`} />
        </Col>
      </Row>
      <EChart option={option} height={240} testId="std-preview-chart" />
      <Typography.Title level={5}>{t('stdDefine.examples')}</Typography.Title>
      <Table
        size="small"
        pagination={false}
        scroll={{ x: 560 }}
        dataSource={examples}
        columns={[
          { title: t('stdDefine.ticket'), dataIndex: 'number', render: (n: string, r) => <Link to={`/tickets/${r.ticketId}`}>{n}</Link> },
          {
            title: t('stdDefine.state'),
            dataIndex: 'state',
            render: (s: string) => <Tag color={s === 'met' ? 'green' : s === 'breached' ? 'red' : 'default'}>{t(`stdDefine.states.${s}`)}</Tag>,
          },
          { title: t('stdDefine.started'), dataIndex: 'startedAt', render: fmt },
          { title: t('stdDefine.due'), dataIndex: 'dueAt', render: fmt },
          { title: t('stdDefine.ended'), dataIndex: 'endedAt', render: fmt },
        ]}
      />
    </div>
  );
}
