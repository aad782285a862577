import { useState } from 'react';
import { Button, Drawer, Flex, Grid, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { buildUrl, http } from '../../api/client';
import { dayjs } from '../../lib/time';
import { QA_KEYS, scoreColor, statsExportUrl, useStatsDrill, type StatsDrillQuery } from './api';

/** What a click on a dashboard figure opens: the inspections behind it, or the automatic hits of one rule. */
export type Drill =
  | { kind: 'inspections'; title: string; query: StatsDrillQuery }
  | { kind: 'hits'; title: string; rule: string; from: string; to: string }
  | { kind: 'env'; title: string; from: string; to: string; failed: boolean };

/** The drill-down drawer of the QA dashboard: the list behind a figure (its count equals the figure); rows open the inspection / ticket. */
export function DrillDrawer({ drill, onClose }: { drill: Drill | null; onClose: () => void }) {
  const narrow = !Grid.useBreakpoint().md;
  return (
    <Drawer
      open={drill !== null}
      onClose={onClose}
      title={drill?.title}
      width={narrow ? '100%' : Math.min(880, window.innerWidth)}
      destroyOnHidden
      data-testid="qa-drill"
    >
      {drill?.kind === 'inspections' && <InspectionList query={drill.query} />}
      {drill?.kind === 'hits' && <HitList rule={drill.rule} from={drill.from} to={drill.to} />}
      {drill?.kind === 'env' && <EnvCheckList from={drill.from} to={drill.to} failed={drill.failed} />}
    </Drawer>
  );
}

function InspectionList({ query }: { query: StatsDrillQuery }) {
  const { t, i18n } = useTranslation();
  const d = useStatsDrill(query);
  const total = d.data?.total ?? 0;
  const shown = d.data?.items.length ?? 0;
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary" data-testid="qa-drill-total">
          {total > shown ? t('quality.drill.shown', { total, shown }) : t('quality.drill.total', { total })}
        </Typography.Text>
        <Flex gap={8}>
          <Button size="small" icon={<DownloadOutlined />} href={statsExportUrl(query, 'csv', i18n.language, 'inspections')} download>
            {t('quality.drill.csv')}
          </Button>
          <Button size="small" icon={<DownloadOutlined />} href={statsExportUrl(query, 'xlsx', i18n.language, 'inspections')} download>
            {t('quality.drill.xlsx')}
          </Button>
        </Flex>
      </Flex>
      <Table
        size="small"
        rowKey="id"
        loading={d.isLoading}
        dataSource={d.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 560 }}
        columns={[
          { title: t('quality.drill.submittedAt'), render: (_, r) => dayjs(r.submittedAt).format('YYYY-MM-DD HH:mm'), width: 140 },
          { title: t('quality.drill.agent'), render: (_, r) => r.agent.name },
          { title: t('quality.drill.team'), render: (_, r) => r.team?.name ?? '—', responsive: ['md'] },
          { title: t('quality.drill.score'), render: (_, r) => <Tag color={scoreColor(r.score)}>{r.score ?? '—'}</Tag>, width: 80 },
          {
            title: t('quality.drill.appealCol'),
            render: (_, r) => (r.appeal ? t(`quality.drill.appeal.${r.appeal}`) : ''),
            width: 90,
          },
          { title: '', render: (_, r) => <Link to={`/qa/inspections/${r.id}`}>{t('quality.drill.open')}</Link>, width: 64 },
        ]}
      />
    </Flex>
  );
}

/** The .csv / .xlsx buttons of a drill-down list (the server writes the same rows in the same scope). */
function ExportButtons({ path, query }: { path: '/qa/hits/export' | '/env/checks/export'; query: Record<string, string | undefined> }) {
  const { t, i18n } = useTranslation();
  const url = (format: 'csv' | 'xlsx') => buildUrl(path, { ...query, format, lang: i18n.language === 'en' ? 'en' : 'zh-CN' });
  return (
    <Flex gap={8} justify="flex-end">
      <Button size="small" icon={<DownloadOutlined />} href={url('csv')} download data-testid="drill-export-csv">
        {t('quality.drill.csv')}
      </Button>
      <Button size="small" icon={<DownloadOutlined />} href={url('xlsx')} download>
        {t('quality.drill.xlsx')}
      </Button>
    </Flex>
  );
}

function HitList({ rule, from, to }: { rule: string; from: string; to: string }) {
  const { t } = useTranslation();
  const [limit] = useState(100);
  const q = useInfiniteQuery({
    queryKey: [...QA_KEYS.all, 'hits', rule, from, to],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => http.get('/qa/hits', { query: { rule, from, to, limit, ...(pageParam ? { cursor: pageParam } : {}) } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Flex vertical gap={12}>
      <ExportButtons path="/qa/hits/export" query={{ rule, from, to }} />
      <Table
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 520 }}
        columns={[
          { title: t('quality.drill.at'), render: (_, r) => dayjs(r.at).format('YYYY-MM-DD HH:mm'), width: 140 },
          { title: t('quality.drill.ticket'), render: (_, r) => <Link to={`/tickets/${r.ticketId}`}>{r.ticketNumber}</Link>, width: 150 },
          { title: t('quality.drill.agent'), render: (_, r) => r.authorName ?? '—', width: 100 },
          { title: t('quality.drill.excerpt'), dataIndex: 'excerpt', ellipsis: true },
        ]}
      />
      {q.hasNextPage && (
        <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
          {t('quality.drill.more')}
        </Button>
      )}
    </Flex>
  );
}

/** The environment checks of the period (failed: only those with an out-of-range item); rows open the corrective ticket. */
function EnvCheckList({ from, to, failed }: { from: string; to: string; failed: boolean }) {
  const { t } = useTranslation();
  const q = useInfiniteQuery({
    queryKey: ['env-checks', 'drill', from, to, failed],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      http.get('/env/checks', { query: { from, to, limit: 100, ...(failed ? { failed: 'true' as const } : {}), ...(pageParam ? { cursor: pageParam } : {}) } }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Flex vertical gap={12}>
      <ExportButtons path="/env/checks/export" query={{ from, to, ...(failed ? { failed: 'true' } : {}) }} />
      <Table
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 520 }}
        columns={[
          { title: t('quality.drill.at'), render: (_, r) => dayjs(r.createdAt).format('YYYY-MM-DD HH:mm'), width: 140 },
          { title: t('quality.drill.site'), render: (_, r) => r.site.name },
          { title: t('quality.drill.inspector'), render: (_, r) => r.inspector.name, width: 100 },
          { title: t('quality.drill.outOfRange'), dataIndex: 'outOfRange', width: 80 },
          {
            title: t('quality.drill.tasks'),
            render: (_, r) => (
              <Flex gap={4} wrap>
                {r.tasks.flatMap((x) =>
                  x.ticket
                    ? [
                        <Link key={x.id} to={`/tickets/${x.ticket.id}`}>
                          {x.ticket.number}
                        </Link>,
                      ]
                    : [],
                )}
              </Flex>
            ),
          },
        ]}
      />
      {q.hasNextPage && (
        <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
          {t('quality.drill.more')}
        </Button>
      )}
    </Flex>
  );
}
