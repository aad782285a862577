import { useMemo, useState } from 'react';
import { Card, Col, Flex, Row, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { useMe } from '../auth/me';
import { useLiveMeasures, useMeasures, type Presented } from './api';
import { Chart } from './EChart';
import { DrillDrawer, MetricCard, PeriodBar, measureOf, periodOf, useDrillState, useFormatMeasure, type MeasureKey, type PeriodPreset } from './common';
import { Freshness } from './OverviewPage';

const KEYS: MeasureKey[] = [
  'csat',
  'nps',
  'fcr',
  'standardExecutionRate',
  'complaintRate',
  'firstResponseSecondsP50',
  'resolutionSecondsP50',
  'knowledgeApplicationRate',
];

/** 我的指标: the agent's own numbers next to their team's. */
export default function AgentPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [preset, setPreset] = useState<PeriodPreset>('30d');
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const period = periodOf(preset, range);
  const version = useLiveMeasures();
  const mine = useMeasures({ ...period, agentId: me.id });
  const team = useMeasures({ ...period, teamId: me.teamId ?? undefined }, Boolean(me.teamId));
  const trend = useMeasures({ ...period, agentId: me.id, groupBy: 'day', percentiles: 'false', knowledge: 'false' });
  const { drill, open, close } = useDrillState();
  const fmt = useFormatMeasure();
  const q = { ...period, agentId: me.id };

  const compare = useMemo(() => {
    const rates: MeasureKey[] = ['csat', 'fcr', 'standardExecutionRate', 'complaintRate'];
    const v = (p: Presented | undefined, k: MeasureKey) => {
      const x = p ? measureOf(p, k).value : null;
      return x === null ? null : Math.round(x * 1000) / 10;
    };
    return {
      tooltip: { trigger: 'axis', valueFormatter: (x: number | null) => (x === null ? '—' : `${x}%`) },
      legend: { top: 0 },
      grid: { left: 44, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: rates.map((k) => t(`measures.name.${k}`)), axisLabel: { interval: 0, width: 110, overflow: 'break' } },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: t('measures.agent.me'), type: 'bar', data: rates.map((k) => v(mine.data?.total, k)) },
        { name: t('measures.agent.team'), type: 'bar', data: rates.map((k) => v(team.data?.total, k)) },
      ],
    };
  }, [mine.data, team.data, t]);

  const trendOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: (trend.data?.rows ?? []).map((r) => r.key.day) },
      yAxis: [{ type: 'value', minInterval: 1 }],
      series: [
        { name: t('measures.col.tickets'), type: 'bar', data: (trend.data?.rows ?? []).map((r) => r.tickets) },
        { name: t('measures.agent.resolved'), type: 'line', data: (trend.data?.rows ?? []).map((r) => r.resolved) },
      ],
    }),
    [trend.data, t],
  );

  return (
    <Page
      title={t('measures.agent.title')}
      subtitle={t('measures.agent.subtitle', { name: me.name })}
      extra={<Freshness version={version} at={mine.dataUpdatedAt} />}
    >
      <Flex style={{ marginBottom: 16 }}>
        <PeriodBar preset={preset} onPreset={setPreset} range={range} onRange={setRange} />
      </Flex>
      <Row gutter={[12, 12]}>
        {KEYS.map((k) => (
          <Col key={k} xs={24} sm={12} lg={6}>
            <MetricCard
              k={k}
              p={mine.data?.total}
              target={mine.data?.targets[k]}
              onDrill={(m, part, title) => open(m, part, title)}
              extra={
                team.data ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('measures.agent.teamValue', { v: fmt(k, measureOf(team.data.total, k).value) })}
                  </Typography.Text>
                ) : null
              }
            />
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('measures.agent.vsTeam')}>
            <Chart option={compare} height={280} testId="chart-compare" />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('measures.agent.daily')}>
            <Chart option={trendOption} height={280} testId="chart-agent-trend" />
          </Card>
        </Col>
      </Row>
      <Card size="small" style={{ marginTop: 12 }} title={t('measures.agent.surveyComments')}>
        <Table
          size="small"
          rowKey="k"
          pagination={false}
          dataSource={[
            { k: 'csat', ...mine.data?.total.csat },
            {
              k: 'nps',
              value: mine.data?.total.nps.value ?? null,
              numerator: mine.data?.total.nps.promoters ?? 0,
              denominator: mine.data?.total.nps.count ?? 0,
            },
          ]}
          columns={[
            { title: t('measures.col.measure'), dataIndex: 'k', render: (k: string) => t(`measures.name.${k}`) },
            { title: t('measures.numerator'), dataIndex: 'numerator' },
            { title: t('measures.denominator'), dataIndex: 'denominator' },
            {
              title: '',
              render: (_, r: { k: string }) => <a onClick={() => open(r.k, 'denominator', t(`measures.name.${r.k}`))}>{t('measures.showTickets')}</a>,
            },
          ]}
        />
      </Card>
      <DrillDrawer query={q} drill={drill} onClose={close} />
    </Page>
  );
}
