import { useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Empty, Flex, Input, Row, Statistic, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { usePermission } from '../auth/me';
import { useCalendars } from '../calendars/api';
import { EChart } from './EChart';
import { InstancesDrawer, type DrillTarget } from './InstancesDrawer';
import { JudgedStandards } from './JudgedStandards';
import { RangeSelect, useRange } from './range';
import { StandardForm } from './StandardForm';
import { CheckpointsPanel } from './CheckpointsPanel';
import { TemplateGallery } from './TemplateGallery';
import { SoftCompliance } from '../surveys/SurveysPage';
import { CountButtons, KindTag, RateBar, RateDefinition, useLimitText } from './ui';
import { pct, STD_PERM, standardsApi, useStandards, useSummary, type Counts, type Range, type Standard } from './api';

interface OverviewRow extends Counts {
  standard: Standard;
  meetsTarget: boolean | null;
}

/** 服务标准: live compliance against target, the catalogue, the template library and the failure index (SQI). */
export default function StandardsPage() {
  const { t } = useTranslation();
  const canCompliance = usePermission(STD_PERM.compliance);
  const canManage = usePermission(STD_PERM.manage);
  const [params, setParams] = useSearchParams();
  const [range, setRange, search] = useRange();
  const [editing, setEditing] = useState<Standard | 'new' | null>(null);
  const tab = params.get('tab') ?? (canCompliance ? 'overview' : 'catalogue');
  const setTab = (k: string) => {
    const next = new URLSearchParams(params);
    next.set('tab', k);
    setParams(next, { replace: true });
  };

  const items = [
    ...(canCompliance ? [{ key: 'overview', label: t('std.tabs.overview'), children: <Overview range={range} search={search} /> }] : []),
    { key: 'catalogue', label: t('std.tabs.catalogue'), children: <Catalogue search={search} onEdit={canManage ? setEditing : undefined} /> },
    { key: 'templates', label: t('std.tabs.templates'), children: <TemplateGallery /> },
    ...(canCompliance ? [{ key: 'sqi', label: t('std.tabs.sqi'), children: <SqiPanel range={range} /> }] : []),
  ];

  return (
    <Page
      title={t('std.title')}
      subtitle={t('std.subtitle')}
      extra={
        <>
          {canCompliance ? <RangeSelect range={range} onChange={setRange} /> : null}
          {canManage ? (
            <Link to="/standards/define" data-testid="std-define">
              <Button>{t('stdDefine.entry')}</Button>
            </Link>
          ) : null}
          {canManage ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="std-new">
              {t('std.new')}
            </Button>
          ) : null}
        </>
      }
    >
      <Tabs activeKey={tab} onChange={setTab} items={items} destroyOnHidden />
      <StandardForm open={editing !== null} standard={editing === 'new' || editing === null ? null : editing} onClose={() => setEditing(null)} />
    </Page>
  );
}

function Overview({ range, search }: { range: Range; search: string }) {
  const { t } = useTranslation();
  const canSoft = usePermission('surveys.view');
  const standards = useStandards();
  const summary = useSummary(range, true);
  const limitText = useLimitText();
  const [drill, setDrill] = useState<DrillTarget | null>(null);

  const rows: OverviewRow[] = useMemo(() => {
    const byId = new Map((summary.data?.items ?? []).map((i) => [i.standardId, i]));
    return (standards.data?.items ?? [])
      .filter((s) => (s.timed || s.measure === 'count') && (s.active || byId.has(s.id)))
      .map((s) => {
        const c = byId.get(s.id);
        return {
          standard: s,
          met: c?.met ?? 0,
          breached: c?.breached ?? 0,
          running: c?.running ?? 0,
          cancelled: c?.cancelled ?? 0,
          rate: c?.rate ?? null,
          meetsTarget: c?.meetsTarget ?? null,
        };
      });
  }, [standards.data, summary.data]);

  const below = rows.filter((r) => r.meetsTarget === false).length;
  const overall = summary.data?.overall;

  const columns: TableColumnsType<OverviewRow> = [
    {
      title: t('std.fields.name'),
      key: 'name',
      render: (_: unknown, r) => (
        <Flex vertical gap={0}>
          <Link to={`/standards/${r.standard.id}${search}`} data-testid="std-link">
            {r.standard.name}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.standard.code} · {r.standard.encounter}
            {!r.standard.active ? ` · ${t('std.inactive')}` : ''}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('std.fields.limit'), key: 'limit', width: 110, render: (_: unknown, r) => limitText(r.standard) },
    { title: t('std.fields.target'), key: 'target', width: 90, render: (_: unknown, r) => pct(r.standard.target) },
    {
      title: <RateDefinition compact />,
      key: 'rate',
      width: 240,
      sorter: (a, b) => (a.rate ?? -1) - (b.rate ?? -1),
      render: (_: unknown, r) => <RateBar rate={r.rate} target={r.standard.target} />,
    },
    {
      title: t('std.counts'),
      key: 'counts',
      width: 260,
      render: (_: unknown, r) => (
        <CountButtons c={r} onDrill={(state) => setDrill({ standardId: r.standard.id, standardName: r.standard.name, filter: { state } })} />
      ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <CheckpointsPanel range={range} search={search} />
      <Row gutter={[16, 16]}>
        <Col xs={24} md={10}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic
              title={t('std.overall')}
              value={overall?.rate === null || overall?.rate === undefined ? '—' : Math.round(overall.rate * 1000) / 10}
              suffix={overall?.rate === null || overall?.rate === undefined ? undefined : '%'}
              loading={summary.isPending}
            />
            <RateDefinition />
          </Card>
        </Col>
        <Col xs={8} md={5}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic title={t('std.count.met')} value={overall?.met ?? 0} loading={summary.isPending} valueStyle={{ color: '#389e0d' }} />
          </Card>
        </Col>
        <Col xs={8} md={5}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic title={t('std.count.breached')} value={overall?.breached ?? 0} loading={summary.isPending} valueStyle={{ color: '#cf1322' }} />
          </Card>
        </Col>
        <Col xs={8} md={4}>
          <Card size="small" style={{ height: '100%' }}>
            <Statistic title={t('std.count.running')} value={overall?.running ?? 0} loading={summary.isPending} />
          </Card>
        </Col>
      </Row>
      {below > 0 ? <Alert type="warning" showIcon title={t('std.belowTarget', { n: below })} /> : null}
      {summary.isError ? <Alert type="error" title={errorMessage(summary.error, t)} /> : null}
      <Table<OverviewRow>
        rowKey={(r) => r.standard.id}
        columns={columns}
        dataSource={rows}
        loading={standards.isPending || summary.isPending}
        pagination={false}
        scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description={t('std.emptyOverview')} /> }}
        data-testid="std-overview"
      />
      <InstancesDrawer target={drill} range={range} onClose={() => setDrill(null)} />
      <JudgedStandards range={range} search={search} />
      {canSoft ? (
        <div data-testid="std-soft">
          <Typography.Title level={5} style={{ margin: '8px 0 4px' }}>
            {t('std.soft.title')}
          </Typography.Title>
          <SoftCompliance />
        </div>
      ) : null}
    </Flex>
  );
}

function Catalogue({ search, onEdit }: { search: string; onEdit?: (s: Standard) => void }) {
  const { t } = useTranslation();
  const standards = useStandards();
  const calendars = useCalendars();
  const limitText = useLimitText();
  const [q, setQ] = useState('');
  const calName = (id: string | null) => (id ? (calendars.data?.items.find((c) => c.id === id)?.name ?? t('std.calendarUnknown')) : t('std.form.alwaysOpen'));
  const rows = (standards.data?.items ?? []).filter((s) => !q || `${s.name} ${s.code} ${s.encounter}`.toLowerCase().includes(q.toLowerCase()));

  const columns: TableColumnsType<Standard> = [
    {
      title: t('std.fields.name'),
      dataIndex: 'name',
      render: (name: string, s) => (
        <Flex vertical gap={0}>
          <Link to={`/standards/${s.id}${search}`}>{name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {s.code}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('std.fields.encounter'), dataIndex: 'encounter', width: 120 },
    { title: t('std.fields.kind'), key: 'kind', width: 150, render: (_: unknown, s) => <KindTag s={s} /> },
    { title: t('std.fields.limit'), key: 'limit', width: 110, render: (_: unknown, s) => limitText(s) },
    {
      title: t('std.fields.calendar'),
      key: 'cal',
      width: 150,
      render: (_: unknown, s) => (s.timed ? (s.calendarSource === 'ticket' ? t('std.calendarSource.ticketShort') : calName(s.calendarId)) : '—'),
    },
    { title: t('std.fields.target'), dataIndex: 'target', width: 80, render: (v: number) => pct(v) },
    { title: t('std.version'), dataIndex: 'version', width: 70, render: (v: number) => `v${v}` },
    {
      title: t('std.fields.active'),
      dataIndex: 'active',
      width: 90,
      render: (v: boolean) => (v ? <Tag color="green">{t('std.active')}</Tag> : <Tag>{t('std.inactive')}</Tag>),
    },
    ...(onEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 90,
            render: (_: unknown, s: Standard) => (
              <Button size="small" icon={<EditOutlined />} onClick={() => onEdit(s)}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Flex vertical gap={12}>
      <Input.Search allowClear placeholder={t('std.searchPlaceholder')} onChange={(e) => setQ(e.target.value)} style={{ maxWidth: 320 }} />
      <Table<Standard>
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={standards.isPending}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 960 }}
        data-testid="std-catalogue"
      />
    </Flex>
  );
}

export function SqiPanel({ range, standardId }: { range: Range; standardId?: string }) {
  const { t } = useTranslation();
  const sqi = useQuery({ queryKey: ['standards', 'sqi', range, standardId], queryFn: () => standardsApi.sqi({ ...range, standardId }) });
  const option = useMemo(() => {
    const days = sqi.data?.days ?? [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, itemGap: 24 },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)) },
      yAxis: [{ type: 'value', minInterval: 1 }],
      series: [
        { name: t('std.sqi.index'), type: 'line', data: days.map((d) => d.index), itemStyle: { color: '#cf1322' } },
        {
          name: t('std.sqi.sameDay'),
          type: 'bar',
          barMaxWidth: 18,
          stack: 'f',
          data: days.map((d) => d.failures.breach_same_day),
          itemStyle: { color: '#ffa39e' },
        },
        {
          name: t('std.sqi.laterDay'),
          type: 'bar',
          barMaxWidth: 18,
          stack: 'f',
          data: days.map((d) => d.failures.breach_later_day),
          itemStyle: { color: '#ff7875' },
        },
        {
          name: t('std.sqi.escalation'),
          type: 'bar',
          barMaxWidth: 18,
          stack: 'f',
          data: days.map((d) => d.failures.escalation),
          itemStyle: { color: '#faad14' },
        },
      ],
    };
  }, [sqi.data, t]);
  if (sqi.isError) return <Alert type="error" title={errorMessage(sqi.error, t)} />;
  const w = sqi.data?.weights;
  return (
    <Card size="small" data-testid="std-sqi">
      <Flex justify="space-between" wrap gap={12}>
        <Statistic title={t('std.sqi.total')} value={sqi.data?.total ?? 0} loading={sqi.isPending} />
        <Typography.Paragraph type="secondary" style={{ maxWidth: 640, margin: 0, fontSize: 12 }}>
          {t('std.sqi.definition', { same: w?.breach_same_day ?? 1, later: w?.breach_later_day ?? 3, esc: w?.escalation ?? 2 })}
        </Typography.Paragraph>
      </Flex>
      <EChart option={option} height={280} testId="sqi-chart" />
    </Card>
  );
}
