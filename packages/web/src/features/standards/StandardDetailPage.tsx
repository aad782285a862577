import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Flex, Row, Segmented, Spin, Statistic, Table, Tag, Timeline, Typography, type TableColumnsType } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { dayjs } from '../../lib/time';
import { Page } from '../../layout/Page';
import { channelLabel, eventKindLabel, lookup, priorityLabel, tierLabel, ticketStatusLabel, ticketTypeLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';
import { useCalendars } from '../calendars/api';
import { useTeams } from '../staff/queries';
import { EChart } from './EChart';
import { Improvements } from './Improvements';
import { InstancesDrawer, type DrillTarget } from './InstancesDrawer';
import { RangeSelect, useRange } from './range';
import { StandardForm } from './StandardForm';
import { SqiPanel } from './StandardsPage';
import { CountButtons, eventsText, KindTag, RateBar, RateDefinition, useLimitText } from './ui';
import { BREAKDOWNS, pct, STD_PERM, standardsApi, useStandard, type BreakdownBy, type BreakdownItem, type InstanceFilter, type Standard } from './api';

/** One standard: live rate vs target, trend, breakdowns with drill-down, definition, versions, improvement actions. */
export default function StandardDetailPage() {
  const { id } = useParams<{ id: string }>();
  const { t } = useTranslation();
  const canManage = usePermission(STD_PERM.manage);
  const canCompliance = usePermission(STD_PERM.compliance);
  const [range, setRange, search] = useRange();
  const std = useStandard(id);
  const [editing, setEditing] = useState(false);

  if (std.isPending) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (std.isError) return <Alert type="error" showIcon title={errorMessage(std.error, t)} />;
  const s = std.data;

  return (
    <Page
      title={
        <Flex gap={8} align="center" wrap>
          <span data-testid="std-detail-name">{s.name}</span>
          <KindTag s={s} />
          {s.active ? <Tag color="green">{t('std.active')}</Tag> : <Tag>{t('std.inactive')}</Tag>}
          <Tag>v{s.version}</Tag>
        </Flex>
      }
      subtitle={
        <Flex gap={6} wrap component="span">
          <Link to={`/standards${search}`}>{t('std.title')}</Link>
          <span>/</span>
          <span>
            {s.code} · {s.encounter}
          </span>
        </Flex>
      }
      extra={
        <>
          {canCompliance ? <RangeSelect range={range} onChange={setRange} /> : null}
          {canManage ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="std-edit">
              {t('common.edit')}
            </Button>
          ) : null}
        </>
      }
    >
      <Flex vertical gap={16}>
        {canCompliance && s.timed ? <ComplianceSection s={s} /> : null}
        {canCompliance && !s.timed ? <Alert type="info" showIcon title={t('std.notTimed')} /> : null}
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <DefinitionCard s={s} />
          </Col>
          <Col xs={24} xl={10}>
            <Versions id={s.id} />
          </Col>
        </Row>
        {canCompliance ? <Improvements standard={s} /> : null}
        {canCompliance && s.timed ? <SqiPanel range={range} standardId={s.id} /> : null}
      </Flex>
      <StandardForm open={editing} standard={s} onClose={() => setEditing(false)} />
    </Page>
  );
}

function ComplianceSection({ s }: { s: Standard }) {
  const { t } = useTranslation();
  const [range] = useRange();
  const [by, setBy] = useState<(typeof BREAKDOWNS)[number]>('team');
  const [drill, setDrill] = useState<DrillTarget | null>(null);
  const c = useQuery({ queryKey: ['standards', 'compliance', s.id, range], queryFn: () => standardsApi.compliance(s.id, range), refetchInterval: 15_000 });
  const trend = useQuery({ queryKey: ['standards', 'breakdown', s.id, 'day', range], queryFn: () => standardsApi.breakdown(s.id, 'day', range) });
  const bd = useQuery({ queryKey: ['standards', 'breakdown', s.id, by, range], queryFn: () => standardsApi.breakdown(s.id, by as BreakdownBy, range) });

  const trendOption = useMemo(() => {
    // every day of the window, also those without encounters
    const byDay = new Map((trend.data?.items ?? []).map((i) => [i.key ?? '', i]));
    const items: BreakdownItem[] = [];
    for (let d = dayjs(range.from); !d.isAfter(dayjs(range.to)) && items.length < 400; d = d.add(1, 'day')) {
      const key = d.format('YYYY-MM-DD');
      items.push(byDay.get(key) ?? { key, label: key, met: 0, breached: 0, running: 0, cancelled: 0, rate: null });
    }
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? String(v) : '—') },
      legend: { top: 0, itemGap: 24 },
      grid: { left: 48, right: 36, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: items.map((i) => (i.key ?? '').slice(5)) },
      yAxis: [
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        { type: 'value', minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        {
          name: t('std.trend.rate'),
          type: 'line',
          data: items.map((i) => (i.rate === null ? null : Math.round(i.rate * 1000) / 10)),
          connectNulls: true,
          itemStyle: { color: '#1d5fb4' },
          markLine: {
            symbol: 'none',
            lineStyle: { color: '#1f2a3d', type: 'dashed' },
            label: { formatter: t('std.trend.target'), position: 'insideEndTop' },
            data: [{ yAxis: s.target * 100 }],
          },
        },
        { name: t('std.count.met'), type: 'bar', stack: 'n', yAxisIndex: 1, barMaxWidth: 18, data: items.map((i) => i.met), itemStyle: { color: '#95de64' } },
        {
          name: t('std.count.breached'),
          type: 'bar',
          stack: 'n',
          yAxisIndex: 1,
          barMaxWidth: 18,
          data: items.map((i) => i.breached),
          itemStyle: { color: '#ff7875' },
        },
      ],
    };
  }, [trend.data, s.target, t, range.from, range.to]);

  const labelFor = (r: BreakdownItem) => {
    if (r.key === null) return t(by === 'agent' ? 'std.inst.unowned' : 'std.bd.none');
    if (by === 'channel') return channelLabel(t, r.key);
    if (by === 'tier') return tierLabel(t, r.key);
    return r.label ?? r.key;
  };
  const filterFor = (r: BreakdownItem): InstanceFilter => {
    if (r.key === null) return {};
    return by === 'team' ? { teamId: r.key } : by === 'agent' ? { agentId: r.key } : by === 'channel' ? { channel: r.key } : { tier: r.key };
  };
  const columns: TableColumnsType<BreakdownItem> = [
    { title: t(`std.bd.${by}`), key: 'label', render: (_: unknown, r) => labelFor(r) },
    { title: <RateDefinition compact />, key: 'rate', width: 240, render: (_: unknown, r) => <RateBar rate={r.rate} target={s.target} width={120} /> },
    {
      title: t('std.counts'),
      key: 'counts',
      width: 260,
      render: (_: unknown, r) => (
        <CountButtons
          c={r}
          onDrill={
            r.key === null
              ? undefined
              : (state) => setDrill({ standardId: s.id, standardName: s.name, filter: { ...filterFor(r), state }, scopeLabel: labelFor(r) })
          }
        />
      ),
    },
  ];

  const v = c.data;
  return (
    <>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={9}>
          <Card size="small" style={{ height: '100%' }} data-testid="std-rate-card">
            <Statistic
              title={t('std.rateVsTarget', { target: pct(s.target) })}
              value={v?.rate === null || v?.rate === undefined ? '—' : Math.round(v.rate * 1000) / 10}
              suffix={v?.rate === null || v?.rate === undefined ? undefined : '%'}
              loading={c.isPending}
            />
            {v ? (
              <Flex vertical gap={4} style={{ marginTop: 4 }}>
                {v.meetsTarget === null ? (
                  <Typography.Text type="secondary">{t('std.def.noneFinished')}</Typography.Text>
                ) : v.meetsTarget ? (
                  <Typography.Text type="success">{t('std.meets')}</Typography.Text>
                ) : (
                  <Typography.Text type="danger">{t('std.below', { gap: pct(s.target - (v.rate ?? 0)) })}</Typography.Text>
                )}
                <RateDefinition />
              </Flex>
            ) : null}
          </Card>
        </Col>
        <Col xs={24} md={15}>
          <Card size="small" style={{ height: '100%' }} title={t('std.behind')}>
            {v ? (
              <Flex vertical gap={8}>
                <CountButtons c={v} size="middle" onDrill={(state) => setDrill({ standardId: s.id, standardName: s.name, filter: { state } })} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('std.def.counts', { cancelled: v.cancelled })}
                </Typography.Text>
              </Flex>
            ) : (
              <Spin />
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('std.trend.title')}>
        {trend.isError ? <Alert type="error" title={errorMessage(trend.error, t)} /> : <EChart option={trendOption} height={260} testId="trend-chart" />}
      </Card>
      <Card
        size="small"
        title={t('std.bd.title')}
        extra={<Segmented value={by} onChange={(k) => setBy(k)} options={BREAKDOWNS.map((k) => ({ value: k, label: t(`std.bd.${k}`) }))} />}
      >
        <Table<BreakdownItem>
          rowKey={(r) => r.key ?? '∅'}
          size="small"
          columns={columns}
          dataSource={bd.data?.items ?? []}
          loading={bd.isPending}
          pagination={false}
          scroll={{ x: 640 }}
          data-testid="std-breakdown"
        />
      </Card>
      <InstancesDrawer target={drill} range={range} onClose={() => setDrill(null)} />
    </>
  );
}

function DefinitionCard({ s }: { s: Standard }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const calendars = useCalendars();
  const teams = useTeams();
  const limitText = useLimitText();
  const a = s.appliesTo;
  const list = (v: string[] | undefined, f: (x: string) => string) => (v?.length ? v.map(f).join('、') : null);
  const applies = [
    list(a.types, (x) => ticketTypeLabel(t, x)),
    list(a.priorities, (x) => priorityLabel(t, x)),
    list(a.channels, (x) => channelLabel(t, x)),
    list(a.tiers, (x) => tierLabel(t, x)),
    list(a.teams, (x) => teams.data?.items.find((tm) => tm.id === x)?.name ?? x),
    a.vip === undefined ? null : a.vip ? t('std.form.vipOnly') : t('std.form.nonVip'),
  ].filter(Boolean);
  const cal = s.calendarId ? (calendars.data?.items.find((c) => c.id === s.calendarId)?.name ?? t('std.calendarUnknown')) : t('std.form.alwaysOpen');
  const items = [
    { key: 'desc', label: t('std.fields.description'), children: s.description || '—', span: 2 },
    { key: 'target', label: t('std.fields.target'), children: pct(s.target) },
    { key: 'sqi', label: t('std.fields.sqiWeight'), children: s.sqiWeight },
    ...(s.timed
      ? [
          { key: 'start', label: t('std.fields.start'), children: eventsText(t, s.start, eventKindLabel) },
          { key: 'stop', label: t('std.fields.stop'), children: eventsText(t, s.stop, eventKindLabel) },
          { key: 'limit', label: t('std.fields.limit'), children: limitText(s) },
          {
            key: 'pause',
            label: t('std.fields.pauseWhile'),
            children: s.pauseWhile.length ? s.pauseWhile.map((x) => ticketStatusLabel(t, x)).join('、') : '—',
          },
          {
            key: 'cal',
            label: t('std.fields.calendar'),
            children: s.calendarSource === 'ticket' ? `${t('std.calendarSource.ticket')}（${cal}）` : s.calendarId ? cal : `${cal} · ${s.timeZone}`,
          },
          { key: 'warn', label: t('std.fields.warnAtPercent'), children: s.warnAtPercent.length ? s.warnAtPercent.map((x) => `${x}%`).join('、') : '—' },
          {
            key: 'esc',
            label: t('std.fields.escalation'),
            span: 2,
            children: s.escalation.length
              ? s.escalation.map((e, i) => (
                  <div key={i}>
                    {t('std.escStep', {
                      n: i + 1,
                      after: e.afterBreachSeconds ? fmt.duration(e.afterBreachSeconds) : t('std.atBreach'),
                      role: lookup(t, 'std.roles', e.notifyRole),
                    })}
                  </div>
                ))
              : '—',
          },
          { key: 'rec', label: t('std.fields.recurring'), children: s.recurring ? t('std.recurringYes', { max: s.maxCycles ?? '∞' }) : t('std.no') },
        ]
      : []),
    { key: 'applies', label: t('std.fields.appliesTo'), children: applies.length ? applies.join('；') : t('std.form.any'), span: 2 },
    ...(s.survey ? [{ key: 'survey', label: t('std.fields.survey'), children: `${s.survey.measure.toUpperCase()} ≥ ${s.survey.threshold}` }] : []),
  ];
  return (
    <Card size="small" title={t('std.definition')} style={{ height: '100%' }}>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="std-definition" />
    </Card>
  );
}

function Versions({ id }: { id: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const limitText = useLimitText();
  const q = useQuery({ queryKey: ['standards', 'versions', id], queryFn: () => standardsApi.versions(id) });
  return (
    <Card size="small" title={t('std.versions')} style={{ height: '100%' }} data-testid="std-versions">
      {q.isError ? <Typography.Text type="danger">{errorMessage(q.error, t)}</Typography.Text> : null}
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 0 }}>
        {t('std.versionsHelp')}
      </Typography.Paragraph>
      <Timeline
        items={[...(q.data?.items ?? [])]
          .sort((a, b) => b.version - a.version)
          .map((v) => ({
            key: v.version,
            content: (
              <Flex vertical gap={0}>
                <Typography.Text strong>
                  v{v.version} · {fmt.minuteTime(v.createdAt)}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {v.definition.name} · {t('std.fields.limit')} {limitText(v.definition)} · {t('std.fields.target')} {pct(v.definition.target)} ·{' '}
                  {t('std.fields.escalation')} {v.definition.escalation.length}
                </Typography.Text>
              </Flex>
            ),
          }))}
      />
    </Card>
  );
}
