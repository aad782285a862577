import { Button, Drawer, Flex, Grid, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { channelLabel, standardStateLabel, tierLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { standardsApi, type Instance, type InstanceFilter, type Range } from './api';

export const STATE_COLOURS: Record<string, string> = { met: 'green', breached: 'red', running: 'blue', paused: 'gold', cancelled: 'default' };

export interface DrillTarget {
  standardId: string;
  standardName: string;
  filter: InstanceFilter;
  /** e.g. "客服中心一组" when the drill came from a breakdown row */
  scopeLabel?: string;
}

/** "The instances behind a number": the clocks counted in a compliance figure, each with its ticket. */
export function InstancesDrawer({ target, range, onClose }: { target: DrillTarget | null; range: Range; onClose: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const screens = Grid.useBreakpoint();
  const q = useInfiniteQuery({
    queryKey: ['standards', 'instances', target?.standardId, range, target?.filter],
    queryFn: ({ pageParam }) => standardsApi.instances(target!.standardId, range, target!.filter, pageParam ?? undefined),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: Boolean(target),
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];

  const columns: TableColumnsType<Instance> = [
    {
      title: t('std.inst.ticket'),
      dataIndex: 'ticketNumber',
      width: 180,
      render: (n: string, r) => (
        <Flex vertical gap={0} style={{ minWidth: 0 }}>
          <Link to={`/tickets/${r.ticketId}`} data-testid="instance-ticket">
            {n}
          </Link>
          <Typography.Text type="secondary" ellipsis={{ tooltip: r.ticketSubject }} style={{ fontSize: 12, maxWidth: 180 }}>
            {r.ticketSubject}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('std.inst.state'),
      dataIndex: 'state',
      width: 110,
      render: (s: string, r) => (
        <Flex gap={4} wrap>
          <Tag color={STATE_COLOURS[s] ?? 'default'} style={{ marginInlineEnd: 0 }} data-testid="instance-state">
            {standardStateLabel(t, s)}
          </Tag>
          {r.late ? (
            <Tooltip title={t('std.inst.lateHelp')}>
              <Tag color="orange" style={{ marginInlineEnd: 0 }}>
                {t('std.inst.late')}
              </Tag>
            </Tooltip>
          ) : null}
        </Flex>
      ),
    },
    { title: t('std.inst.started'), dataIndex: 'startedAt', width: 170, render: (v: string) => fmt.tableTime(v) },
    {
      title: t('std.inst.due'),
      dataIndex: 'dueAt',
      width: 170,
      render: (v: string | null, r) => (v ? fmt.tableTime(v) : r.paused ? t('std.inst.pausedNoDue') : '—'),
    },
    {
      title: t('std.inst.ended'),
      dataIndex: 'endedAt',
      width: 170,
      render: (v: string | null) => (v ? fmt.tableTime(v) : <Typography.Text type="secondary">{t('std.inst.open')}</Typography.Text>),
    },
    {
      title: t('std.inst.overdue'),
      key: 'overdue',
      width: 110,
      render: (_: unknown, r) => {
        if (r.state !== 'breached' || !r.dueAt) return <Typography.Text type="secondary">—</Typography.Text>;
        const end = r.endedAt ? Date.parse(r.endedAt) : Date.now();
        return <Typography.Text type="danger">{fmt.duration(Math.max(0, Math.round((end - Date.parse(r.dueAt)) / 1000)))}</Typography.Text>;
      },
    },
    {
      title: t('std.inst.who'),
      key: 'who',
      width: 180,
      render: (_: unknown, r) => (
        <Flex vertical gap={0}>
          <span>{r.ownerName ?? t('std.inst.unowned')}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[r.teamName, r.channel ? channelLabel(t, r.channel) : null, r.tier ? tierLabel(t, r.tier) : null].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('std.inst.version'), dataIndex: 'version', width: 80, render: (v: number, r) => `v${v}${r.cycle > 1 ? ` · #${r.cycle}` : ''}` },
  ];

  const stateText = target?.filter.state ? standardStateLabel(t, target.filter.state) : t('std.inst.all');
  return (
    <Drawer
      open={Boolean(target)}
      onClose={onClose}
      size={screens.xl ? 1200 : '100%'}
      title={
        <Flex vertical gap={0}>
          <span>{t('std.inst.title', { name: target?.standardName ?? '', state: stateText })}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
            {[target?.scopeLabel, `${range.from} – ${range.to}`].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      }
      data-testid="instances-drawer"
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t('std.inst.help')}
      </Typography.Paragraph>
      {q.isError ? <Typography.Text type="danger">{errorMessage(q.error, t)}</Typography.Text> : null}
      <Table<Instance>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={rows}
        loading={q.isPending && Boolean(target)}
        pagination={false}
        scroll={{ x: 1120 }}
        data-testid="instances-table"
      />
      <Flex justify="center" style={{ marginTop: 12 }}>
        {q.hasNextPage ? (
          <Button loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        ) : rows.length > 0 ? (
          <Typography.Text type="secondary">{t('common.loadedCount', { n: rows.length })}</Typography.Text>
        ) : null}
      </Flex>
    </Drawer>
  );
}
