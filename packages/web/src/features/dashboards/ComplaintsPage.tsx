import { useMemo } from 'react';
import { Card, Col, Empty, Flex, Row, Table, Tag } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { useComplaints, useLiveMeasures, useMeasures, type ParetoItem } from './api';
import { Chart } from './EChart';
import { DrillDrawer, ExportButton, MetricCard, PeriodBar, periodOf, useDrillState } from './common';
import { useDashboardUrl } from './urlState';
import { Freshness } from './OverviewPage';

function paretoOption(items: ParetoItem[], none: string, countLabel: string, cumLabel: string) {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 44, right: 48, top: 32, bottom: 64 },
    xAxis: { type: 'category', data: items.map((i) => i.label ?? none), axisLabel: { interval: 0, rotate: items.length > 5 ? 30 : 0, fontSize: 11 } },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    ],
    series: [
      { name: countLabel, type: 'bar', data: items.map((i) => i.count), itemStyle: { color: '#f5222d' } },
      {
        name: cumLabel,
        type: 'line',
        yAxisIndex: 1,
        data: items.map((i) => Math.round(i.cumulative * 1000) / 10),
        markLine: { symbol: 'none', lineStyle: { type: 'dashed' }, label: { show: false }, data: [{ yAxis: 80 }] },
      },
    ],
  };
}

/** 投诉分析: complaint rates, Pareto of categories (types) and root causes, repeated problems by site. */
export default function ComplaintsPage() {
  const { t } = useTranslation();
  const { preset, setPreset, range, setRange } = useDashboardUrl();
  const period = periodOf(preset, range);
  const version = useLiveMeasures();
  const c = useComplaints(period);
  const m = useMeasures(period);
  const { drill, open, close } = useDrillState();
  const none = t('measures.complaints.uncategorized');
  const byCat = useMemo(
    () => paretoOption(c.data?.byCategory.items ?? [], none, t('measures.complaints.count'), t('measures.complaints.cumulative')),
    [c.data, none, t],
  );
  const byCause = useMemo(
    () => paretoOption(c.data?.byCause.items ?? [], none, t('measures.complaints.count'), t('measures.complaints.cumulative')),
    [c.data, none, t],
  );
  return (
    <Page
      title={t('measures.complaints.title')}
      subtitle={t('measures.complaints.subtitle')}
      extra={
        <>
          <Freshness version={version} at={c.dataUpdatedAt} />
          <ExportButton query={period} view="complaints" />
        </>
      }
    >
      <Flex style={{ marginBottom: 16 }}>
        <PeriodBar preset={preset} onPreset={setPreset} range={range} onRange={setRange} />
      </Flex>
      <Row gutter={[12, 12]}>
        {(['complaintRate', 'complaintResolutionRate', 'recoveryRate'] as const).map((k) => (
          <Col key={k} xs={24} md={8}>
            <MetricCard k={k} p={m.data?.total} target={m.data?.targets[k]} onDrill={(x, part, title) => open(x, part, title)} />
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('measures.complaints.byCategory', { n: c.data?.byCategory.total ?? 0 })}>
            {(c.data?.byCategory.items.length ?? 0) ? (
              <Chart
                option={byCat}
                height={300}
                testId="chart-pareto-category"
                onClick={(p) => {
                  const it = c.data?.byCategory.items[p.dataIndex];
                  if (it) open('complaintRate', 'numerator', `${t('measures.complaints.title')} · ${it.label ?? none}`, it.key ? { categoryId: it.key } : {});
                }}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('measures.complaints.byCause', { n: c.data?.byCause.total ?? 0 })}>
            {(c.data?.byCause.items.length ?? 0) ? (
              <Chart option={byCause} height={300} testId="chart-pareto-cause" />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('measures.complaints.noCause')} />
            )}
          </Card>
        </Col>
      </Row>
      <Card size="small" style={{ marginTop: 12 }} title={t('measures.complaints.repeats')}>
        <Table
          size="small"
          rowKey={(r) => `${r.site}:${r.categoryId}`}
          dataSource={c.data?.repeats ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 760 }}
          columns={[
            { title: t('measures.col.site'), dataIndex: 'site', width: 180 },
            { title: t('measures.col.category'), dataIndex: 'category', width: 160, render: (v: string | null) => v ?? none },
            {
              title: t('measures.complaints.count'),
              dataIndex: 'count',
              width: 90,
              render: (n: number, r) => (
                <a
                  onClick={() =>
                    open('tickets', 'denominator', `${r.site} · ${r.category ?? none}`, { site: r.site, ...(r.categoryId ? { categoryId: r.categoryId } : {}) })
                  }
                >
                  {n}
                </a>
              ),
            },
            {
              title: t('measures.col.type'),
              dataIndex: 'types',
              width: 210,
              render: (ts: string[]) => ts.map((x) => <Tag key={x}>{t(`measures.type.${x}`, { defaultValue: x })}</Tag>),
            },
            {
              title: t('measures.complaints.tickets'),
              dataIndex: 'ticketIds',
              render: (ids: string[]) => (
                <Flex gap={6} wrap>
                  {ids.slice(0, 6).map((id, i) => (
                    <Link key={id} to={`/tickets/${id}`}>
                      #{i + 1}
                    </Link>
                  ))}
                </Flex>
              ),
            },
          ]}
        />
      </Card>
      <DrillDrawer query={period} drill={drill} onClose={close} />
    </Page>
  );
}
