import { useEffect, useMemo, useRef, useState } from 'react';
import {
  App,
  Button,
  Card,
  Dropdown,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  Modal,
  Select,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
  type InputRef,
  type MenuProps,
  type TableColumnsType,
} from 'antd';
import { DeleteOutlined, FilterOutlined, PlusOutlined, QuestionCircleOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ticketsApi, workApi } from '../../api/endpoints';
import { CHANNELS, PERM, PRIORITIES, STATUSES, TICKET_TYPES, type TicketQuery, type TicketSummary } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { useShortcuts } from '../../lib/useShortcuts';
import { Page } from '../../layout/Page';
import { channelLabel, priorityLabel, ticketStatusLabel, ticketTypeLabel } from '../auth/labels';
import { useFormat, useMe, usePermission } from '../auth/me';
import { TierTag } from '../customers/CustomersPage';
import { isMissingEndpoint } from '../notifications/NotificationBell';
import { useWatchTickets } from '../notifications/realtime';
import { BulkBar } from './BulkBar';
import { DutySwitch } from './DutySwitch';
import { NewTicketDrawer } from './NewTicketDrawer';
import { ticketKeys } from './queries';
import { defaultView, queueQuery, rememberView, rememberedView, type QueueView } from './queueQuery';
import { ChannelText, PriorityTag, StandardChip, StatusTag, TicketNumber, TimeCell, TypeText, nearestStandard } from './ui';

const PAGE_SIZE = 50;
const FILTER_PARAMS = ['view', 'status', 'priority', 'type', 'channel', 'q', 'risk'] as const;
type PageParam = { cursor?: string; offset?: number } | null;

export default function TicketsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isPhone = screens.md === false;
  const [params, setParams] = useSearchParams();
  const canWork = usePermission(PERM.ticketsWork);
  const canReadAll = usePermission(PERM.ticketsReadAll);
  const canCreate = usePermission(PERM.ticketsCreate);
  const canBulk = usePermission(PERM.ticketsBulk);
  const searchRef = useRef<InputRef>(null);
  const [active, setActive] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [helpOpen, setHelpOpen] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);

  const views = useMemo(() => {
    const list: QueueView[] = [];
    if (canWork) list.push('mine');
    if (canWork && me.teamId) list.push('team');
    if (canWork) list.push('unassigned');
    if (canWork) list.push('dueSoon');
    if (canReadAll) list.push('attention', 'resolved');
    if (canReadAll) list.push('all');
    if (list.length === 0) list.push('all');
    return list;
  }, [canWork, canReadAll, me.teamId]);

  // The URL's tab, else the one this user chose last, else the role's default (supervisor: 我的团队 by deadline; director: 超时与预警).
  const requested = (params.get('view') ?? rememberedView(me.id)) as QueueView | null;
  const view: QueueView =
    requested && views.includes(requested) ? requested : defaultView({ roles: me.roles, canWork, canReadAll, teamId: me.teamId ?? null }, views);
  const risk = params.get('risk') ?? undefined;
  const statusFilter = params.get('status') ?? '';
  const priority = params.get('priority') ?? undefined;
  const type = params.get('type') ?? undefined;
  const channel = params.get('channel') ?? undefined;
  const q = params.get('q') ?? '';
  const [searchText, setSearchText] = useState(q);
  useEffect(() => setSearchText(q), [q]);
  const newOpen = params.get('new') === '1';

  const setParam = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };

  // The 即将超时 tab sends its window (dueWithinSeconds); the server lists only tickets due within it.
  const query: TicketQuery = useMemo(
    () => queueQuery(view, { status: statusFilter, priority, type, channel, q, risk }),
    [view, statusFilter, priority, type, channel, q, risk],
  );

  // Newest-first tabs page by cursor; deadline-ordered tabs (sort=due) by offset.
  const list = useInfiniteQuery({
    queryKey: [...ticketKeys.lists, query],
    queryFn: ({ pageParam }) =>
      ticketsApi.list({ ...query, limit: PAGE_SIZE, cursor: pageParam?.cursor, offset: pageParam?.offset }) as Promise<
        Awaited<ReturnType<typeof ticketsApi.list>> & { nextOffset?: number | null }
      >,
    initialPageParam: null as PageParam,
    getNextPageParam: (last): PageParam | undefined =>
      last.nextCursor ? { cursor: last.nextCursor } : typeof last.nextOffset === 'number' ? { offset: last.nextOffset } : undefined,
    refetchInterval: 60_000,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const hasStandards = rows.some((r) => Array.isArray(r.standards));
  // live refresh of what is on screen
  useWatchTickets(useMemo(() => rows.slice(0, 100).map((r) => r.id), [rows]));

  useEffect(() => {
    setActive((i) => Math.min(i, Math.max(0, rows.length - 1)));
  }, [rows.length]);
  useEffect(() => {
    setActive(0);
    setSelected([]);
  }, [query]);

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    const row = rows[next];
    if (row) document.querySelector(`[data-row-key="${row.id}"]`)?.scrollIntoView({ block: 'nearest' });
  };

  useShortcuts({
    j: () => moveTo(active + 1),
    k: () => moveTo(active - 1),
    ArrowDown: () => moveTo(active + 1),
    ArrowUp: () => moveTo(active - 1),
    Enter: (e) => {
      const target = e.target as HTMLElement | null;
      if (target && target !== document.body && target.closest('button, a, [role=tab], [role=menuitem]')) return false;
      const row = rows[active];
      if (row) void navigate(`/tickets/${row.id}`);
    },
    x: () => {
      const row = rows[active];
      if (row && canBulk) setSelected((s) => (s.includes(row.id) ? s.filter((id) => id !== row.id) : [...s, row.id]));
    },
    n: () => {
      if (canCreate) setParam({ new: '1' });
    },
    '/': () => searchRef.current?.focus(),
    '?': () => setHelpOpen(true),
  });

  const columns: TableColumnsType<TicketSummary> = [
    {
      title: t('tickets.number'),
      dataIndex: 'number',
      width: 166,
      fixed: 'left',
      render: (n: string) => <TicketNumber number={n} strong />,
    },
    {
      title: t('tickets.subject'),
      dataIndex: 'subject',
      ellipsis: { showTitle: true },
      render: (s: string) => <span className="chidu-link-text">{s}</span>,
    },
    {
      title: t('tickets.customer'),
      dataIndex: 'customerName',
      width: 170,
      render: (name: string | null, r) => (
        <Flex gap={6} align="center" style={{ minWidth: 0 }}>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={name ?? ''}>
            {name ?? '—'}
          </span>
          {r.customerTier ? <TierTag tier={r.customerTier} /> : null}
        </Flex>
      ),
    },
    {
      title: t('tickets.typeChannel'),
      dataIndex: 'type',
      width: 96,
      render: (v: string, r) => (
        <Flex vertical style={{ lineHeight: 1.35 }}>
          <TypeText type={v} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            <ChannelText channel={r.channel} />
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('tickets.priority'), dataIndex: 'priority', width: 80, render: (v: string) => <PriorityTag priority={v} /> },
    { title: t('tickets.status'), dataIndex: 'status', width: 96, render: (v: string) => <StatusTag status={v} /> },
    // The deadline right after the status: the column a supervisor sorting by deadline reads first (visible at 1440 px).
    ...(hasStandards
      ? [
          {
            title: t('tickets.nextDeadline'),
            key: 'standard',
            width: 180,
            render: (_: unknown, r: TicketSummary) => {
              const s = nearestStandard(r.standards);
              return s ? <StandardChip standard={s} ticketCreatedAt={r.createdAt} /> : <Typography.Text type="secondary">—</Typography.Text>;
            },
          },
        ]
      : []),
    {
      title: t('tickets.ownerTeam'),
      dataIndex: 'ownerName',
      width: 120,
      render: (v: string | null, r) => (
        <Flex vertical style={{ lineHeight: 1.35, minWidth: 0 }}>
          {v ?? <Typography.Text type="secondary">{t('tickets.unassigned')}</Typography.Text>}
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
            {r.teamName ?? '—'}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 116, render: (v: string) => <TimeCell iso={v} /> },
  ];

  const viewLabel = (v: QueueView) => t(`tickets.views.${v}`);
  const filtersActive = Boolean(statusFilter || priority || type || channel || q || risk);

  return (
    <Page
      title={t('tickets.title')}
      subtitle={t('tickets.subtitle')}
      extra={
        <>
          <DutySwitch />
          <Tooltip title={t('shortcuts.title')}>
            <Button icon={<QuestionCircleOutlined />} onClick={() => setHelpOpen(true)} aria-label={t('shortcuts.title')} data-testid="shortcuts-help-button" />
          </Tooltip>
          {canCreate ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setParam({ new: '1' })} data-testid="ticket-new">
              {t('tickets.new.title')}
              {isPhone ? null : <kbd className="chidu-kbd chidu-kbd-inverse">N</kbd>}
            </Button>
          ) : null}
        </>
      }
    >
      <Tabs
        activeKey={view}
        onChange={(k) => {
          rememberView(me.id, k as QueueView);
          setParam({ view: k, risk: undefined });
        }}
        items={views.map((v) => ({ key: v, label: <span data-testid={`queue-view-${v}`}>{viewLabel(v)}</span> }))}
        className="chidu-queue-tabs"
      />
      <Flex className="chidu-toolbar" gap={8} wrap justify="space-between" align={isPhone ? 'stretch' : 'center'} vertical={isPhone}>
        <Flex gap={8} wrap align="center" style={{ flex: 1, minWidth: 0 }}>
          <Input.Search
            ref={searchRef}
            allowClear
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            placeholder={t('tickets.searchPlaceholder')}
            onSearch={(v) => setParam({ q: v.trim() || undefined })}
            style={{ width: isPhone ? '100%' : 280 }}
            data-testid="queue-search"
            suffix={isPhone ? undefined : <kbd className="chidu-kbd">/</kbd>}
          />
          <Select
            mode="multiple"
            allowClear
            maxTagCount="responsive"
            placeholder={t('tickets.filters.status')}
            value={statusFilter ? statusFilter.split(',') : []}
            onChange={(v: string[]) => setParam({ status: v.join(',') || undefined })}
            options={STATUSES.map((s) => ({ value: s, label: ticketStatusLabel(t, s) }))}
            style={{ width: isPhone ? 'calc(50% - 4px)' : 220 }}
            data-testid="filter-status"
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.priority')}
            value={priority}
            onChange={(v?: string) => setParam({ priority: v })}
            options={PRIORITIES.map((p) => ({ value: p, label: priorityLabel(t, p) }))}
            style={{ width: isPhone ? 'calc(50% - 4px)' : 120 }}
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.type')}
            value={type}
            onChange={(v?: string) => setParam({ type: v })}
            options={TICKET_TYPES.map((p) => ({ value: p, label: ticketTypeLabel(t, p) }))}
            style={{ width: isPhone ? 'calc(50% - 4px)' : 120 }}
          />
          <Select
            allowClear
            placeholder={t('tickets.filters.channel')}
            value={channel}
            onChange={(v?: string) => setParam({ channel: v })}
            options={CHANNELS.map((p) => ({ value: p, label: channelLabel(t, p) }))}
            style={{ width: isPhone ? 'calc(50% - 4px)' : 120 }}
          />
          {risk ? (
            <Tag closable color="red" onClose={() => setParam({ risk: undefined })} data-testid="filter-risk">
              {t(`tickets.risk.${risk}`, { defaultValue: '' })}
            </Tag>
          ) : null}
          {query.sort === 'due' ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="queue-sorted-by-due">
              {t('tickets.sortedByDue')}
            </Typography.Text>
          ) : null}
          {filtersActive ? (
            <Button
              type="link"
              onClick={() => setParam({ status: undefined, priority: undefined, type: undefined, channel: undefined, q: undefined, risk: undefined })}
            >
              {t('common.reset')}
            </Button>
          ) : null}
        </Flex>
        <Flex gap={8} align="center" justify={isPhone ? 'flex-end' : undefined}>
          <SavedFilters
            current={Object.fromEntries(FILTER_PARAMS.map((k): [string, string] => [k, k === 'view' ? view : (params.get(k) ?? '')]).filter(([, v]) => v))}
            onApply={(query) => {
              const next = new URLSearchParams();
              for (const k of FILTER_PARAMS) if (query[k]) next.set(k, query[k]);
              setParams(next, { replace: true });
            }}
            saveOpen={saveOpen}
            setSaveOpen={setSaveOpen}
          />
          <Tooltip title={t('common.refresh')}>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => void list.refetch()}
              loading={list.isRefetching && !list.isFetchingNextPage}
              aria-label={t('common.refresh')}
            />
          </Tooltip>
        </Flex>
      </Flex>

      {canBulk ? <BulkBar selected={rows.filter((r) => selected.includes(r.id))} onClear={() => setSelected([])} /> : null}

      <Card styles={{ body: { padding: 0 } }}>
        {isPhone ? (
          <PhoneList
            rows={rows}
            loading={list.isPending}
            error={list.isError ? errorMessage(list.error, t) : null}
            active={active}
            onOpen={(r) => void navigate(`/tickets/${r.id}`)}
          />
        ) : (
          <Table<TicketSummary>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={list.isPending}
            pagination={false}
            scroll={{ x: hasStandards ? 1320 : 1130 }}
            sticky
            rowSelection={
              canBulk
                ? {
                    selectedRowKeys: selected,
                    onChange: (keys) => setSelected(keys.map(String)),
                    columnWidth: 40,
                    fixed: true,
                  }
                : undefined
            }
            rowClassName={(_, index) => (index === active ? 'chidu-row-active' : '')}
            onRow={(r, index) =>
              ({
                onClick: (e) => {
                  if ((e.target as HTMLElement).closest('.ant-table-selection-column, .ant-checkbox-wrapper')) return;
                  setActive(index ?? 0);
                  void navigate(`/tickets/${r.id}`);
                },
                style: { cursor: 'pointer' },
                'data-testid': 'ticket-row',
                'data-active': index === active ? 'true' : 'false',
              }) as React.HTMLAttributes<HTMLElement>
            }
            locale={{
              emptyText: list.isError ? (
                <Typography.Text type="danger">{errorMessage(list.error, t)}</Typography.Text>
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(`tickets.empty.${view}`)} />
              ),
            }}
            data-testid="tickets-table"
          />
        )}
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }} wrap gap={8}>
          <Typography.Text type="secondary">
            {t('common.loadedCount', { n: rows.length })}
            {isPhone ? null : <span className="chidu-shortcut-hint"> · {t('shortcuts.inline')}</span>}
          </Typography.Text>
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="load-more">
              {t('common.loadMore')}
            </Button>
          ) : rows.length > 0 ? (
            <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
          ) : null}
        </Flex>
      </Card>

      <NewTicketDrawer open={newOpen} onClose={() => setParam({ new: undefined })} />
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </Page>
  );
}

function PhoneList({
  rows,
  loading,
  error,
  active,
  onOpen,
}: {
  rows: TicketSummary[];
  loading: boolean;
  error: string | null;
  active: number;
  onOpen: (r: TicketSummary) => void;
}) {
  const { t } = useTranslation();
  if (loading) return <Card loading variant="borderless" />;
  if (error)
    return (
      <Typography.Text type="danger" style={{ display: 'block', padding: 16 }}>
        {error}
      </Typography.Text>
    );
  if (rows.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.empty.generic')} style={{ padding: 24 }} />;
  return (
    <div className="chidu-phone-list" data-testid="tickets-list">
      {rows.map((r, i) => {
        const s = nearestStandard(r.standards);
        return (
          <button
            type="button"
            key={r.id}
            className={`chidu-phone-row${i === active ? ' chidu-row-active' : ''}`}
            onClick={() => onOpen(r)}
            data-testid="ticket-row"
          >
            <Flex justify="space-between" align="center" gap={8}>
              <TicketNumber number={r.number} strong />
              <Flex gap={4}>
                <PriorityTag priority={r.priority} />
                <StatusTag status={r.status} />
              </Flex>
            </Flex>
            <div className="chidu-phone-subject">{r.subject}</div>
            <Flex justify="space-between" align="center" gap={8} wrap>
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {r.customerName ?? '—'} · {r.ownerName ?? t('tickets.unassigned')}
              </Typography.Text>
              {s ? <StandardChip standard={s} ticketCreatedAt={r.createdAt} compact /> : <TimeCellInline iso={r.createdAt} />}
            </Flex>
          </button>
        );
      })}
    </div>
  );
}

function TimeCellInline({ iso }: { iso: string }) {
  const fmt = useFormat();
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} title={fmt.dateTime(iso)}>
      {fmt.relative(iso)}
    </Typography.Text>
  );
}

function SavedFilters({
  current,
  onApply,
  saveOpen,
  setSaveOpen,
}: {
  current: Record<string, string>;
  onApply: (q: Record<string, string>) => void;
  saveOpen: boolean;
  setSaveOpen: (v: boolean) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ name: string }>();
  const filters = useQuery({ queryKey: ['filters'], queryFn: workApi.filters, staleTime: 60_000, retry: false });
  const save = useMutation({
    mutationFn: (name: string) => workApi.saveFilter(name, current),
    onSuccess: (f) => {
      void message.success(t('tickets.savedFilters.saved', { name: f.name }));
      void queryClient.invalidateQueries({ queryKey: ['filters'] });
      setSaveOpen(false);
      form.resetFields();
    },
    onError: (err) => showError(err, { form, fields: ['name'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => workApi.deleteFilter(id),
    onSuccess: () => {
      void message.success(t('tickets.savedFilters.deleted'));
      void queryClient.invalidateQueries({ queryKey: ['filters'] });
    },
    onError: (err) => showError(err),
  });

  if (filters.isError && isMissingEndpoint(filters.error)) return null;
  const items = filters.data?.items ?? [];
  const menu: MenuProps['items'] = [
    ...items.map((f) => ({
      key: f.id,
      label: (
        <Flex justify="space-between" align="center" gap={16} data-testid="saved-filter">
          <span>{f.name}</span>
          <Button
            type="text"
            size="small"
            danger
            icon={<DeleteOutlined />}
            aria-label={t('common.delete')}
            onClick={(e) => {
              e.stopPropagation();
              remove.mutate(f.id);
            }}
          />
        </Flex>
      ),
      onClick: () => onApply(f.query),
    })),
    ...(items.length ? [{ type: 'divider' as const }] : []),
    { key: '__save', icon: <SaveOutlined />, label: t('tickets.savedFilters.saveCurrent'), onClick: () => setSaveOpen(true) },
  ];

  return (
    <>
      <Dropdown menu={{ items: menu }} trigger={['click']} placement="bottomRight">
        <Button icon={<FilterOutlined />} data-testid="saved-filters">
          {t('tickets.savedFilters.title')}
          {items.length ? <Tag style={{ marginInlineStart: 6, marginInlineEnd: 0 }}>{items.length}</Tag> : null}
        </Button>
      </Dropdown>
      <Modal
        open={saveOpen}
        title={t('tickets.savedFilters.saveTitle')}
        onCancel={() => setSaveOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v.name.trim())} preserve={false}>
          <Form.Item name="name" label={t('tickets.savedFilters.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input maxLength={64} placeholder={t('tickets.savedFilters.namePlaceholder')} autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const rows: [string[], string][] = [
    [['J', '↓'], t('shortcuts.next')],
    [['K', '↑'], t('shortcuts.prev')],
    [['Enter'], t('shortcuts.open')],
    [['X'], t('shortcuts.select')],
    [['N'], t('shortcuts.new')],
    [['/'], t('shortcuts.search')],
    [['?'], t('shortcuts.help')],
    [['Ctrl', 'Enter'], t('shortcuts.send')],
  ];
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('shortcuts.title')} width={440} data-testid="shortcuts-help">
      <Flex vertical gap={10}>
        {rows.map(([keys, label]) => (
          <Flex key={label} justify="space-between" align="center">
            <span>{label}</span>
            <Flex gap={4}>
              {keys.map((k) => (
                <kbd key={k} className="chidu-kbd">
                  {k}
                </kbd>
              ))}
            </Flex>
          </Flex>
        ))}
        <Typography.Text type="secondary" style={{ marginTop: 4 }}>
          {t('shortcuts.note')}
        </Typography.Text>
      </Flex>
    </Modal>
  );
}
