import { useState, type ReactNode } from 'react';
import { Button, Card, Col, DatePicker, Dropdown, Empty, Flex, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { dayjs } from '../../lib/time';
import { scoreColor, statsExportUrl, useCalibrationAgreement, useHitStats, useStats, type StatsDrillQuery } from './api';
import { DrillDrawer, type Drill } from './DrillDown';

/** A dashboard figure that opens the list behind it. */
function Fig({ children, onClick, testId }: { children: ReactNode; onClick: () => void; testId?: string }) {
  return (
    <Typography.Link onClick={onClick} data-testid={testId}>
      {children}
    </Typography.Link>
  );
}

/**
 * QA dashboard: score by dimension / item / agent / team / month, most-failed items, appeal rate and outcome,
 * automatic-hit rates per rule, environment out-of-range count, calibration agreement; every figure drills down to
 * the inspections (or hits) behind it; .xlsx / .csv export of the tables and of the drill-down lists. The server
 * scopes every figure (supervisors: their teams).
 */
export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<[string, string]>([dayjs().subtract(2, 'month').format('YYYY-MM'), dayjs().format('YYYY-MM')]);
  const q = { from: range[0], to: range[1] };
  const s = useStats(q).data;
  const [drill, setDrill] = useState<Drill | null>(null);
  const open = (title: string, f: StatsDrillQuery) => setDrill({ kind: 'inspections', title, query: { ...q, ...f } });
  const fig = (v: number | null | undefined, suffix = '') => (v === null || v === undefined ? '—' : `${v}${suffix}`);
  const dimName = (d: string) => t(`quality.dimension.${d}`);
  return (
    <Page
      title={t('quality.dash.title')}
      subtitle={`${t('quality.dash.subtitle')}${t('quality.drill.hint')}`}
      extra={
        <>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={[dayjs(`${range[0]}-01`), dayjs(`${range[1]}-01`)]}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0].format('YYYY-MM'), v[1].format('YYYY-MM')])}
          />
          <Dropdown
            menu={{
              items: [
                {
                  key: 'xlsx',
                  label: (
                    <a href={statsExportUrl(q, 'xlsx', i18n.language)} download>
                      {t('quality.dash.xlsx')}
                    </a>
                  ),
                },
                ...(['agents', 'items', 'teams'] as const).map((k) => ({
                  key: k,
                  label: (
                    <a href={statsExportUrl(q, 'csv', i18n.language, k)} download>
                      {t('quality.dash.csv', { table: t(`quality.dash.table.${k}`) })}
                    </a>
                  ),
                })),
              ],
            }}
          >
            <Button icon={<DownloadOutlined />} data-testid="qa-export">
              {t('quality.dash.export')}
            </Button>
          </Dropdown>
        </>
      }
    >
      {!s ? (
        <Card loading />
      ) : (
        <Flex vertical gap={16}>
          <Row gutter={[12, 12]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Fig testId="qa-drill-n" onClick={() => open(t('quality.drill.title.all'), {})}>
                  <Statistic title={t('quality.dash.n')} value={s.n} />
                </Fig>
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.average')} value={fig(s.average)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.passRate')} value={fig(s.passRate, '%')} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Fig
                  testId="qa-drill-appeals"
                  onClick={() => open(t('quality.drill.title.appeal', { state: t('quality.drill.appeal.filed') }), { appeal: 'filed' })}
                >
                  <Statistic title={t('quality.dash.appealRate')} value={fig(s.appeals.rate, '%')} />
                </Fig>
                <Flex gap={8} wrap style={{ fontSize: 12 }}>
                  {(['open', 'upheld', 'revised'] as const).map((k) => (
                    <Fig key={k} onClick={() => open(t('quality.drill.title.appeal', { state: t(`quality.drill.appeal.${k}`) }), { appeal: k })}>
                      {t(`quality.drill.appeal.${k}`)} {s.appeals[k]}
                    </Fig>
                  ))}
                </Flex>
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('quality.dash.byDimension')} style={{ height: '100%' }}>
                {s.dimensions.map((d) => (
                  <Flex key={d.dimension} gap={8} align="center">
                    <span style={{ width: 72, flex: 'none' }}>
                      <Fig onClick={() => open(t('quality.drill.title.dimension', { name: dimName(d.dimension) }), { dimension: d.dimension })}>
                        {dimName(d.dimension)}
                      </Fig>
                    </span>
                    <Progress percent={d.average ?? 0} format={() => fig(d.average)} style={{ flex: 1, margin: 0 }} />
                  </Flex>
                ))}
              </Card>
            </Col>
            <Col xs={24} lg={14}>
              <Card size="small" title={t('quality.dash.mostFailed')} data-testid="qa-most-failed">
                <Table
                  size="small"
                  rowKey={(r) => `${r.item}-${r.label}`}
                  dataSource={s.items.slice(0, 8)}
                  pagination={false}
                  scroll={{ x: 420 }}
                  locale={{ emptyText: <Empty /> }}
                  columns={[
                    {
                      title: t('quality.item'),
                      ellipsis: true,
                      render: (_, r) => (
                        <Fig onClick={() => open(t('quality.drill.title.item', { name: r.label }), { item: r.item, label: r.label })}>{r.label}</Fig>
                      ),
                    },
                    { title: t('quality.dash.dimension'), render: (_, r) => dimName(r.dimension), width: 90 },
                    {
                      title: t('quality.dash.failRate'),
                      width: 120,
                      render: (_, r) => (
                        <Fig
                          testId={`qa-drill-failed-${r.item}`}
                          onClick={() => open(t('quality.drill.title.failed', { name: r.label }), { item: r.item, label: r.label, failed: 'true' })}
                        >
                          {`${r.failRate}%（${r.failed}/${r.n}）`}
                        </Fig>
                      ),
                    },
                    { title: t('quality.dash.average'), dataIndex: 'average', width: 80 },
                  ]}
                />
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('quality.dash.byAgent')}>
                <Table
                  size="small"
                  rowKey={(r) => r.agent.id}
                  dataSource={s.agents}
                  pagination={{ pageSize: 8, hideOnSinglePage: true }}
                  columns={[
                    {
                      title: t('quality.agent'),
                      render: (_, r) => (
                        <Fig onClick={() => open(t('quality.drill.title.agent', { name: r.agent.name }), { agentId: r.agent.id })}>{r.agent.name}</Fig>
                      ),
                    },
                    { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                    { title: t('quality.dash.average'), render: (_, r) => <Tag color={scoreColor(r.average)}>{fig(r.average)}</Tag>, width: 90 },
                    { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Flex vertical gap={12}>
                <Card size="small" title={t('quality.dash.byTeam')}>
                  <Table
                    size="small"
                    rowKey={(r) => r.teamId ?? '-'}
                    dataSource={s.teams}
                    pagination={false}
                    columns={[
                      {
                        title: t('quality.dash.team'),
                        render: (_, r) =>
                          r.teamId ? (
                            <Fig onClick={() => open(t('quality.drill.title.team', { name: r.name }), { teamId: r.teamId ?? undefined })}>{r.name}</Fig>
                          ) : (
                            t('quality.dash.noTeam')
                          ),
                      },
                      { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                      { title: t('quality.dash.average'), render: (_, r) => fig(r.average), width: 80 },
                      { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                    ]}
                  />
                </Card>
                <Card size="small" title={t('quality.dash.byMonth')}>
                  <Table
                    size="small"
                    rowKey="month"
                    dataSource={s.months}
                    pagination={false}
                    columns={[
                      {
                        title: t('quality.dash.month'),
                        render: (_, r) => <Fig onClick={() => open(t('quality.drill.title.month', { month: r.month }), { month: r.month })}>{r.month}</Fig>,
                      },
                      { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                      { title: t('quality.dash.average'), render: (_, r) => fig(r.average), width: 80 },
                      { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                    ]}
                  />
                </Card>
              </Flex>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <HitRates range={range} onDrill={setDrill} />
            </Col>
            <Col xs={24} lg={12}>
              <Flex vertical gap={12}>
                <Agreement />
                <Environment range={range} onDrill={setDrill} />
              </Flex>
            </Col>
          </Row>
        </Flex>
      )}
      <DrillDrawer drill={drill} onClose={() => setDrill(null)} />
    </Page>
  );
}

const monthStart = (m: string) => dayjs(`${m}-01`);

/** Automatic-hit rates per rule over the months; a rule's hit count opens its hits. */
function HitRates({ range, onDrill }: { range: [string, string]; onDrill: (d: Drill) => void }) {
  const { t } = useTranslation();
  const from = monthStart(range[0]).toISOString();
  const to = monthStart(range[1]).add(1, 'month').toISOString();
  const h = useHitStats({ from, to }).data;
  return (
    <Card size="small" title={t('quality.drill.hits')} data-testid="qa-hit-rates" style={{ height: '100%' }}>
      {h && <Typography.Text type="secondary">{t('quality.drill.messages', { n: h.messages })}</Typography.Text>}
      <Table
        size="small"
        rowKey="rule"
        loading={!h}
        dataSource={h?.rules ?? []}
        pagination={{ pageSize: 8, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty /> }}
        columns={[
          { title: t('quality.drill.rule'), render: (_, r) => r.name ?? r.rule, ellipsis: true },
          {
            title: t('quality.drill.hitCount'),
            width: 80,
            render: (_, r) => (
              <Fig onClick={() => onDrill({ kind: 'hits', title: t('quality.drill.title.rule', { name: r.name ?? r.rule }), rule: r.rule, from, to })}>
                {r.hits}
              </Fig>
            ),
          },
          { title: t('quality.drill.hitRate'), width: 90, render: (_, r) => `${Math.round(r.rate * 1000) / 10}%` },
        ]}
      />
    </Card>
  );
}

/** The latest closed calibration sessions' agreement (MAD and ICC) and its trend. */
function Agreement() {
  const { t } = useTranslation();
  const a = useCalibrationAgreement().data;
  const items = a?.items ?? [];
  const latest = items[0];
  const previous = items[1];
  const trend = [...items.slice(0, 6)].reverse();
  const arrow = (now: number | null, before: number | null | undefined, higherIsBetter: boolean) => {
    if (now === null || before === null || before === undefined || now === before) return null;
    const up = now > before;
    return <Tag color={up === higherIsBetter ? 'green' : 'red'}>{up ? '↑' : '↓'}</Tag>;
  };
  return (
    <Card size="small" title={t('quality.drill.calib')} extra={<Link to="/qa/calibrations">{t('quality.drill.toCalib')}</Link>} data-testid="qa-agreement">
      {!latest ? (
        <Typography.Text type="secondary">{t('quality.drill.noCalib')}</Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">
            {t('quality.drill.latest', { name: latest.name, date: dayjs(latest.closedAt).format('YYYY-MM-DD') })}
          </Typography.Text>
          <Row gutter={12}>
            <Col span={12}>
              <Statistic title={t('quality.drill.mad')} value={latest.mad ?? '—'} suffix={arrow(latest.mad, previous?.mad, false)} />
            </Col>
            <Col span={12}>
              <Statistic title={t('quality.drill.icc')} value={latest.icc ?? '—'} suffix={arrow(latest.icc, previous?.icc, true)} />
            </Col>
          </Row>
          <Typography.Text type="secondary">{t('quality.drill.trend', { n: trend.length })}</Typography.Text>
          <Flex gap={4} wrap>
            {trend.map((x) => (
              <Tag key={x.id} title={x.name}>
                {dayjs(x.closedAt).format('MM-DD')} · {x.mad ?? '—'} / {x.icc ?? '—'}
              </Tag>
            ))}
          </Flex>
        </Flex>
      )}
    </Card>
  );
}

/** Environment checks of the months: out-of-range values, failed checks, open corrective tasks; the figures open the checks behind them. */
function Environment({ range, onDrill }: { range: [string, string]; onDrill: (d: Drill) => void }) {
  const { t } = useTranslation();
  const from = monthStart(range[0]).format('YYYY-MM-DD');
  const to = monthStart(range[1]).endOf('month').format('YYYY-MM-DD');
  const e = useQuery({ queryKey: ['env-figures', from, to], queryFn: () => http.get('/env/out-of-range', { query: { from, to } }) }).data;
  const checks = (failed: boolean) => onDrill({ kind: 'env', title: t(failed ? 'quality.drill.failedChecks' : 'quality.drill.checks'), from, to, failed });
  return (
    <Card size="small" title={t('quality.drill.env')} extra={<Link to="/env">{t('quality.drill.toEnv')}</Link>} data-testid="qa-env">
      <Row gutter={12}>
        {(['outOfRange', 'failedChecks', 'checks', 'openTasks'] as const).map((k) => {
          const stat = <Statistic title={t(`quality.drill.${k}`)} value={e ? e.total[k] : '—'} />;
          return (
            <Col key={k} xs={12} md={6}>
              {k === 'openTasks' ? (
                <Link to="/env">{stat}</Link>
              ) : (
                <Fig testId={`qa-env-${k}`} onClick={() => checks(k !== 'checks')}>
                  {stat}
                </Fig>
              )}
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}
