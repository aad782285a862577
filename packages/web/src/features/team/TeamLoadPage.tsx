import { useMemo, useState } from 'react';
import { Alert, Badge, Card, Col, Flex, Progress, Row, Select, Statistic, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { WarningFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TeamLoadMember } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useMe } from '../auth/me';
import { useTeamLoad } from '../tickets/queries';

/** Open load above this share of the team's on-duty average (and at least MIN) counts as overloaded. */
const OVERLOAD_FACTOR = 1.5;
const OVERLOAD_MIN = 5;

interface Row extends TeamLoadMember {
  overloaded: boolean;
  teamAverage: number;
}

export function markOverload(items: TeamLoadMember[]): Row[] {
  const byTeam = new Map<string, TeamLoadMember[]>();
  for (const m of items) byTeam.set(m.teamId ?? '', [...(byTeam.get(m.teamId ?? '') ?? []), m]);
  return items.map((m) => {
    const mates = (byTeam.get(m.teamId ?? '') ?? []).filter((x) => x.onDuty);
    const avg = mates.length ? mates.reduce((s, x) => s + x.openTickets, 0) / mates.length : 0;
    const threshold = Math.max(OVERLOAD_MIN, Math.ceil(avg * OVERLOAD_FACTOR));
    return { ...m, teamAverage: avg, overloaded: m.openTickets >= threshold };
  });
}

/** 团队负荷 (supervisors): who is on duty, open tickets and pending handovers per member; overload highlighted. */
export default function TeamLoadPage() {
  const { t } = useTranslation();
  const me = useMe();
  const load = useTeamLoad(true);
  const [team, setTeam] = useState<string | undefined>(undefined);

  const all = useMemo(() => markOverload(load.data?.items ?? []), [load.data]);
  const teams = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of all) if (m.teamId) map.set(m.teamId, m.teamName ?? m.teamId);
    return [...map.entries()].map(([value, label]) => ({ value, label }));
  }, [all]);
  const effectiveTeam = team ?? (teams.some((x) => x.value === me.teamId) ? (me.teamId ?? undefined) : undefined);
  const rows = effectiveTeam ? all.filter((m) => m.teamId === effectiveTeam) : all;
  const max = Math.max(1, ...rows.map((r) => r.openTickets));
  const onDuty = rows.filter((r) => r.onDuty).length;
  const open = rows.reduce((s, r) => s + r.openTickets, 0);
  const pending = rows.reduce((s, r) => s + r.pendingHandovers, 0);
  const overloaded = rows.filter((r) => r.overloaded);

  const columns: TableColumnsType<Row> = [
    {
      title: t('teamLoad.member'),
      dataIndex: 'name',
      width: 180,
      render: (name: string, r) => (
        <Flex gap={6} align="center">
          <span>{name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.employeeNo}
          </Typography.Text>
          {r.staffId === me.id ? <Tag style={{ marginInlineEnd: 0 }}>{t('teamLoad.you')}</Tag> : null}
        </Flex>
      ),
    },
    { title: t('tickets.team'), dataIndex: 'teamName', width: 150, render: (v: string | null) => v ?? '—' },
    {
      title: t('teamLoad.duty'),
      dataIndex: 'onDuty',
      width: 100,
      render: (v: boolean) => <Badge status={v ? 'success' : 'default'} text={v ? t('duty.onDuty') : t('duty.offDuty')} />,
      sorter: (a, b) => Number(a.onDuty) - Number(b.onDuty),
    },
    {
      title: t('teamLoad.open'),
      dataIndex: 'openTickets',
      width: 260,
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.openTickets - b.openTickets,
      render: (n: number, r) => (
        <Flex align="center" gap={8}>
          <Progress
            percent={Math.round((n / max) * 100)}
            showInfo={false}
            size="small"
            strokeColor={r.overloaded ? '#ff4d4f' : '#2b6cc4'}
            style={{ width: 120, margin: 0 }}
          />
          <Typography.Text strong={r.overloaded} type={r.overloaded ? 'danger' : undefined} style={{ minWidth: 24 }}>
            {n}
          </Typography.Text>
          {r.overloaded ? (
            <Tooltip title={t('teamLoad.overloadTip', { avg: r.teamAverage.toFixed(1) })}>
              <Tag color="red" icon={<WarningFilled />} style={{ marginInlineEnd: 0 }} data-testid="overload-tag">
                {t('teamLoad.overloaded')}
              </Tag>
            </Tooltip>
          ) : null}
        </Flex>
      ),
    },
    {
      title: t('teamLoad.pendingHandovers'),
      dataIndex: 'pendingHandovers',
      width: 120,
      sorter: (a, b) => a.pendingHandovers - b.pendingHandovers,
      render: (n: number) => (n > 0 ? <Tag color="orange">{n}</Tag> : <Typography.Text type="secondary">0</Typography.Text>),
    },
  ];

  return (
    <Page
      title={t('teamLoad.title')}
      subtitle={t('teamLoad.subtitle')}
      extra={
        teams.length > 1 ? (
          <Select
            allowClear
            placeholder={t('teamLoad.allTeams')}
            value={effectiveTeam || undefined}
            onChange={(v?: string) => setTeam(v ?? '')}
            options={teams}
            style={{ width: 200 }}
            data-testid="team-filter"
          />
        ) : null
      }
    >
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('teamLoad.stats.onDuty')} value={onDuty} suffix={`/ ${rows.length}`} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('teamLoad.stats.open')} value={open} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('teamLoad.stats.average')}
              value={onDuty ? (rows.filter((r) => r.onDuty).reduce((s, r) => s + r.openTickets, 0) / onDuty).toFixed(1) : '—'}
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('teamLoad.stats.pendingHandovers')} value={pending} />
          </Card>
        </Col>
      </Row>
      {overloaded.length ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('teamLoad.overloadAlert', { names: overloaded.map((r) => r.name).join('、') })}
          description={t('teamLoad.overloadRule', { factor: OVERLOAD_FACTOR, min: OVERLOAD_MIN })}
        />
      ) : rows.length && onDuty === 0 ? (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} title={t('teamLoad.nobodyOnDuty')} />
      ) : null}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Row>
          rowKey="staffId"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={load.isPending}
          pagination={false}
          scroll={{ x: 820 }}
          rowClassName={(r) => (r.overloaded ? 'chidu-row-overloaded' : '')}
          locale={{ emptyText: load.isError ? errorMessage(load.error, t) : t('teamLoad.empty') }}
          data-testid="team-load-table"
        />
      </Card>
    </Page>
  );
}
