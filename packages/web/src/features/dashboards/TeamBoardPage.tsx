import { useMemo } from 'react';
import { Badge, Card, Col, Empty, Flex, Progress, Row, Select, Statistic, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { useFormat, useMe } from '../auth/me';
import { useBoard, useLiveMeasures, useMeasures, type Board } from './api';
import { Chart } from './EChart';
import { DrillDrawer, ExportButton, MetricCard, periodOf, useDrillState } from './common';
import { Freshness } from './OverviewPage';
import { useDashboardUrl } from './urlState';

/** 团队看板 (supervisors, live): backlog, who is overloaded, clocks about to breach, today's numbers. */
export default function TeamBoardPage() {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useFormat();
  const today = periodOf('today');
  const teams = useMeasures({ ...periodOf('30d'), groupBy: 'team', percentiles: 'false', knowledge: 'false' });
  const { filter, setFilter } = useDashboardUrl();
  const picked = filter('teamId');
  const setPicked = (v: string | undefined) => setFilter('teamId', v);
  // Own team by default only when it is a service team on the board (a QA or trainer team has no queue: all teams).
  const boardTeams = (teams.data?.rows ?? []).filter((r) => r.key.team).map((r) => r.key.team!);
  const teamId = picked ?? (me.teamId && boardTeams.includes(me.teamId) ? me.teamId : undefined);
  const version = useLiveMeasures();
  const board = useBoard(teamId);
  const q = { ...today, ...(teamId ? { teamId } : {}) };
  const todayM = useMeasures(q);
  const { drill, open, close } = useDrillState();
  const b: Board | undefined = board.data;
  const maxOpen = Math.max(1, ...(b?.agents ?? []).map((a) => a.open));

  const backlogOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 90, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: (b?.backlog.byStatus ?? []).map((s) => t(`measures.status.${s.status}`, { defaultValue: s.status })).reverse() },
      series: [
        {
          type: 'bar',
          data: (b?.backlog.byStatus ?? []).map((s) => s.count).reverse(),
          itemStyle: { color: '#fa8c16' },
          label: { show: true, position: 'right' },
        },
      ],
    }),
    [b, t],
  );

  return (
    <Page
      title={t('measures.board.title')}
      subtitle={t('measures.board.subtitle')}
      extra={
        <>
          <Freshness version={version} at={board.dataUpdatedAt} />
          <ExportButton query={{ teamId }} view="board" />
        </>
      }
    >
      <Flex gap={12} align="center" style={{ marginBottom: 16 }} wrap>
        <Select
          style={{ width: 200 }}
          placeholder={t('measures.filter.allTeams')}
          allowClear
          value={teamId}
          onChange={setPicked}
          data-testid="board-team"
          options={(teams.data?.rows ?? []).filter((r) => r.key.team).map((r) => ({ value: r.key.team!, label: r.labels.team ?? r.key.team! }))}
        />
        <Typography.Text type="secondary">{t('measures.board.overloadRule', { n: b?.overloadThreshold ?? 10 })}</Typography.Text>
      </Flex>
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('measures.board.backlog')} value={b?.backlog.total ?? 0} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('measures.board.overloaded')}
              value={(b?.agents ?? []).filter((a) => a.overloaded).length}
              valueStyle={{ color: (b?.agents ?? []).some((a) => a.overloaded) ? '#cf1322' : undefined }}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('measures.board.atRisk')}
              value={(b?.clocks ?? []).filter((c) => c.state === 'running').length}
              valueStyle={{ color: '#d48806' }}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('measures.board.breachedOpen')}
              value={(b?.clocks ?? []).filter((c) => c.state === 'breached').length}
              valueStyle={{ color: '#cf1322' }}
            />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        {(['csat', 'fcr', 'standardExecutionRate', 'firstResponseSecondsP50'] as const).map((k) => (
          <Col key={k} xs={24} sm={12} xl={6}>
            <MetricCard
              k={k}
              p={todayM.data?.total}
              target={todayM.data?.targets[k]}
              onDrill={(m, part, title) => open(m, part, `${t('measures.period.today')} · ${title}`)}
            />
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('measures.board.agents')}>
            <Table
              size="small"
              rowKey="id"
              dataSource={b?.agents ?? []}
              pagination={false}
              scroll={{ y: 360 }}
              columns={[
                {
                  title: t('measures.col.owner'),
                  dataIndex: 'name',
                  width: 130,
                  render: (n: string, a) => (
                    <Flex gap={6} align="center">
                      <Badge status={a.onDuty ? 'success' : 'default'} />
                      {n}
                    </Flex>
                  ),
                },
                {
                  title: t('measures.board.open'),
                  dataIndex: 'open',
                  width: 220,
                  render: (n: number, a) => (
                    <Flex gap={8} align="center">
                      <Progress
                        percent={Math.round((n / maxOpen) * 100)}
                        showInfo={false}
                        size="small"
                        status={a.overloaded ? 'exception' : 'normal'}
                        style={{ width: 120, margin: 0 }}
                      />
                      <span>{n}</span>
                    </Flex>
                  ),
                },
                { title: t('measures.board.urgent'), dataIndex: 'urgent', width: 120 },
                {
                  title: '',
                  dataIndex: 'overloaded',
                  width: 90,
                  render: (o: boolean) => (o ? <Tag color="red">{t('measures.board.overloadedTag')}</Tag> : null),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('measures.board.backlogByStatus')}>
            {(b?.backlog.byStatus.length ?? 0) ? (
              <Chart option={backlogOption} height={180} testId="chart-backlog" />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
          <Card size="small" title={t('measures.board.clocks', { n: b?.withinMinutes ?? 30 })} style={{ marginTop: 12 }}>
            <Table
              size="small"
              rowKey="id"
              dataSource={b?.clocks ?? []}
              pagination={false}
              scroll={{ y: 220 }}
              columns={[
                { title: t('measures.col.number'), dataIndex: 'number', width: 170, render: (n: string, c) => <Link to={`/tickets/${c.ticketId}`}>{n}</Link> },
                { title: t('measures.board.standard'), dataIndex: 'code', width: 160 },
                {
                  title: t('measures.board.due'),
                  dataIndex: 'dueAt',
                  width: 150,
                  render: (v: string | null, c) => (
                    <Typography.Text type={c.state === 'breached' ? 'danger' : 'warning'}>
                      {c.state === 'breached' ? t('measures.board.breached') : fmt.shortTime(v)}
                    </Typography.Text>
                  ),
                },
                { title: t('measures.col.owner'), dataIndex: 'ownerName', render: (v: string | null) => v ?? '—' },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <DrillDrawer query={q} drill={drill} onClose={close} />
    </Page>
  );
}
