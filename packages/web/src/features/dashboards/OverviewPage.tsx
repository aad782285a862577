import { useMemo } from 'react';
import { Alert, Card, Col, Flex, Row, Select, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { errorMessage } from '../../lib/apiErrors';
import { useDistribution, useLiveMeasures, useMeasures, type MeasuresQuery, type MeasuresRow } from './api';
import { Chart } from './EChart';
import { FieldMeasuresCard } from './FieldMeasuresCard';
import { DrillDrawer, ExportButton, MetricCard, PeriodBar, missed, pct, periodOf, useDrillState, useDuration, type MeasureKey } from './common';
import { useDashboardUrl } from './urlState';

export const CARD_KEYS: MeasureKey[] = [
  'csat',
  'nps',
  'ces',
  'fcr',
  'standardExecutionRate',
  'complaintRate',
  'complaintResolutionRate',
  'firstResponseSecondsP50',
  'resolutionSecondsP50',
  'recoveryRate',
  'knowledgeApplicationRate',
];

export function Freshness({ version, at }: { version: number | undefined; at: number }) {
  const { t } = useTranslation();
  return (
    <Tag color="green" data-testid="freshness">
      {t('measures.live')} · {dayjs(at).format('HH:mm:ss')}
      {version !== undefined ? ` · v${version}` : ''}
    </Tag>
  );
}

/** 服务总览 (directors): every measure vs its target, trends, response-time distributions, by team. */
export default function OverviewPage() {
  const { t } = useTranslation();
  // Period and filters live in the URL (reload and shared links keep the view; the export uses the same query).
  const { preset, setPreset, range, setRange, filter, setFilter } = useDashboardUrl();
  const teamId = filter('teamId');
  const channel = filter('channel');
  const period = periodOf(preset, range);
  const q: MeasuresQuery = { ...period, ...(teamId ? { teamId } : {}), ...(channel ? { channel } : {}) };
  const spanDays = dayjs(period.to).diff(dayjs(period.from), 'day') + 1;
  const trendGroup = spanDays <= 45 ? 'day' : spanDays <= 120 ? 'week' : 'month';
  const version = useLiveMeasures();
  const total = useMeasures(q);
  const trend = useMeasures({ ...q, groupBy: trendGroup, percentiles: 'false', knowledge: 'false' });
  const teams = useMeasures({ ...period, ...(channel ? { channel } : {}), groupBy: 'team' });
  const channels = useMeasures({ ...period, ...(teamId ? { teamId } : {}), groupBy: 'channel', percentiles: 'false', knowledge: 'false' });
  const fr = useDistribution({ ...q, measure: 'firstResponse' });
  const rs = useDistribution({ ...q, measure: 'resolution' });
  const { drill, open, close } = useDrillState();
  const dur = useDuration();
  const targets = total.data?.targets;

  const trendOption = useMemo(() => {
    const rows = trend.data?.rows ?? [];
    const x = rows.map((r) => r.key[trendGroup] ?? '');
    const s = (f: (r: MeasuresRow) => number | null) =>
      rows.map((r) => {
        const v = f(r);
        return v === null ? null : Math.round(v * 1000) / 10;
      });
    const tgt = targets?.csat?.target;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : `${v}%`) },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: x },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          name: t('measures.name.csat'),
          type: 'line',
          connectNulls: true,
          data: s((r) => r.csat.value),
          markLine: tgt
            ? {
                symbol: 'none',
                lineStyle: { type: 'dashed' },
                label: { formatter: `${t('measures.target')} ${pct(tgt, 0)}`, position: 'insideStartTop' },
                data: [{ yAxis: tgt * 100 }],
              }
            : undefined,
        },
        { name: t('measures.name.fcr'), type: 'line', connectNulls: true, data: s((r) => r.fcr.value) },
        { name: t('measures.name.standardExecutionRate'), type: 'line', connectNulls: true, data: s((r) => r.standardExecutionRate.value) },
        { name: t('measures.name.complaintResolutionRate'), type: 'line', connectNulls: true, data: s((r) => r.complaintResolutionRate.value) },
      ],
    };
  }, [trend.data, trendGroup, targets, t]);

  const distOption = (d: typeof fr.data, color: string) => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 78, right: 28, top: 8, bottom: 24 },
    yAxis: {
      type: 'category',
      inverse: true,
      data: (d?.buckets ?? []).map((b) => (b.toSeconds === null ? `≥ ${dur(b.fromSeconds)}` : `< ${dur(b.toSeconds)}`)),
      axisLabel: { fontSize: 11 },
    },
    xAxis: { type: 'value', minInterval: 1, splitNumber: 3 },
    series: [{ type: 'bar', data: (d?.buckets ?? []).map((b) => b.count), itemStyle: { color }, label: { show: true, position: 'right', fontSize: 11 } }],
  });

  const teamRows = teams.data?.rows ?? [];
  return (
    <Page
      title={t('measures.overview.title')}
      subtitle={t('measures.overview.subtitle')}
      extra={
        <>
          <Freshness version={version} at={total.dataUpdatedAt} />
          <ExportButton query={{ ...q, groupBy: 'team' }} />
        </>
      }
    >
      <Flex gap={12} wrap align="center" style={{ marginBottom: 16 }}>
        <PeriodBar preset={preset} onPreset={setPreset} range={range} onRange={setRange} />
        <Select
          allowClear
          placeholder={t('measures.filter.team')}
          style={{ width: 160 }}
          value={teamId}
          onChange={(v: string | undefined) => setFilter('teamId', v)}
          data-testid="filter-team"
          options={teamRows.filter((r) => r.key.team).map((r) => ({ value: r.key.team!, label: r.labels.team ?? r.key.team! }))}
        />
        <Select
          allowClear
          placeholder={t('measures.filter.channel')}
          style={{ width: 140 }}
          value={channel}
          onChange={(v: string | undefined) => setFilter('channel', v)}
          data-testid="filter-channel"
          options={(channels.data?.rows ?? []).map((r) => ({
            value: r.key.channel!,
            label: t(`measures.channel.${r.key.channel}`, { defaultValue: r.key.channel ?? '' }),
          }))}
        />
        <Typography.Text type="secondary">{t('measures.ticketsInPeriod', { n: total.data?.total.tickets ?? 0 })}</Typography.Text>
      </Flex>
      {total.error ? <Alert type="error" showIcon message={errorMessage(total.error, t)} style={{ marginBottom: 16 }} /> : null}
      <Row gutter={[12, 12]}>
        {CARD_KEYS.map((k) => (
          <Col key={k} xs={24} sm={12} md={8} xl={6} xxl={4}>
            <MetricCard k={k} p={total.data?.total} target={targets?.[k]} onDrill={(m, part, title) => open(m, part, title)} />
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('measures.overview.trend')}>
            <Chart
              option={trendOption}
              height={300}
              testId="chart-trend"
              onClick={(p) => {
                const key = trend.data?.rows[p.dataIndex]?.key[trendGroup];
                if (!key) return;
                const end = dayjs(key)
                  .add(1, trendGroup === 'day' ? 'day' : trendGroup === 'week' ? 'week' : 'month')
                  .subtract(1, 'day')
                  .format('YYYY-MM-DD');
                const m = ['csat', 'fcr', 'standardExecutionRate', 'complaintResolutionRate'][p.seriesIndex] ?? 'csat';
                open(m, 'denominator', `${t(`measures.name.${m}`)} · ${key}`, { from: key, to: end });
              }}
            />
          </Card>
        </Col>
        <Col xs={24} md={12} xl={5}>
          <Card size="small" title={t('measures.overview.frDist')}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="fr-p">
              P50 {dur(fr.data?.p50)} · P90 {dur(fr.data?.p90)} · {t('measures.count', { n: fr.data?.count ?? 0 })}
            </Typography.Text>
            <Chart
              option={distOption(fr.data, '#1677ff')}
              height={282}
              testId="chart-fr"
              onClick={() => open('firstResponse', 'denominator', t('measures.overview.frDist'))}
            />
          </Card>
        </Col>
        <Col xs={24} md={12} xl={5}>
          <Card size="small" title={t('measures.overview.rsDist')}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="rs-p">
              P50 {dur(rs.data?.p50)} · P90 {dur(rs.data?.p90)} · {t('measures.count', { n: rs.data?.count ?? 0 })}
            </Typography.Text>
            <Chart
              option={distOption(rs.data, '#13a8a8')}
              height={282}
              testId="chart-rs"
              onClick={() => open('resolution', 'denominator', t('measures.overview.rsDist'))}
            />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('measures.overview.byTeam')} style={{ marginTop: 12 }}>
        <Table<MeasuresRow>
          size="small"
          rowKey={(r) => r.key.team ?? 'none'}
          dataSource={teamRows}
          pagination={false}
          scroll={{ x: 900 }}
          columns={[
            { title: t('measures.col.team'), render: (_, r) => r.labels.team ?? t('measures.noTeam'), width: 130, fixed: 'left' },
            {
              title: t('measures.col.tickets'),
              render: (_, r) => (
                <a onClick={() => open('tickets', 'denominator', `${r.labels.team ?? ''} · ${t('measures.col.tickets')}`, { teamId: r.key.team ?? undefined })}>
                  {r.tickets}
                </a>
              ),
              width: 80,
            },
            ...(['csat', 'fcr', 'standardExecutionRate', 'complaintRate', 'complaintResolutionRate'] as const).map((k) => ({
              title: t(`measures.name.${k}`),
              width: 120,
              render: (_: unknown, r: MeasuresRow) => {
                const v = r[k].value;
                const m = missed(v, targets?.[k]);
                return (
                  <a
                    style={{ color: m ? '#cf1322' : undefined }}
                    onClick={() => open(k, 'denominator', `${r.labels.team ?? ''} · ${t(`measures.name.${k}`)}`, { teamId: r.key.team ?? undefined })}
                  >
                    {pct(v)}{' '}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      ({r[k].numerator}/{r[k].denominator})
                    </Typography.Text>
                  </a>
                );
              },
            })),
            { title: 'NPS', width: 80, render: (_, r) => (r.nps.value === null ? '—' : r.nps.value.toFixed(1)) },
            { title: t('measures.name.firstResponseSecondsP50'), width: 120, render: (_, r) => dur(r.firstResponseSeconds.p50) },
          ]}
        />
      </Card>
      <FieldMeasuresCard period={period} />
      <DrillDrawer query={q} drill={drill} onClose={close} />
    </Page>
  );
}
