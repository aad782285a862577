import { useMemo, useState } from 'react';
import { AutoComplete, Button, Card, DatePicker, Flex, Form, Input, Select, Table, Typography, type TableColumnsType } from 'antd';
import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { auditApi } from '../../api/endpoints';
import { PERM, type AuditEntry, type AuditQuery, type FieldChange } from '../../api/types';
import { dayBoundaryIso } from '../../lib/time';
import { Page } from '../../layout/Page';
import type { TFunction } from 'i18next';
import { auditActionLabel, fieldLabel, roleLabel, targetTypeLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';
import { StaffSelect, type StaffOption } from '../staff/StaffSelect';
import { useTeams } from '../staff/queries';

const PAGE_SIZE = 50;

interface FilterValues {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

export default function AuditPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<AuditQuery>({});
  const canPickStaff = usePermission(PERM.staffManage);

  const list = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) => auditApi.list({ ...filters, limit: PAGE_SIZE, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  // choices learnt from what has been loaded so far
  const seen = useMemo(() => {
    const actors = new Map<string, StaffOption>();
    const actions = new Set<string>();
    const targetTypes = new Set<string>();
    for (const e of rows) {
      if (e.actorId && e.actorName) {
        actors.set(e.actorId, { value: e.actorId, label: t('staff.optionLabel', { name: e.actorName, employeeNo: e.actorEmployeeNo ?? '' }) });
      }
      actions.add(e.action);
      if (e.targetType) targetTypes.add(e.targetType);
    }
    const known = t('auditActions', { returnObjects: true }) as Record<string, string> | string;
    if (known && typeof known === 'object') Object.keys(known).forEach((a) => actions.add(a));
    const knownTypes = t('targetTypes', { returnObjects: true }) as Record<string, string> | string;
    if (knownTypes && typeof knownTypes === 'object') Object.keys(knownTypes).forEach((a) => targetTypes.add(a));
    return { actors: [...actors.values()], actions: [...actions].sort(), targetTypes: [...targetTypes].sort() };
  }, [rows, t]);

  const apply = (v: FilterValues) => {
    const [from, to] = v.range ?? [];
    setFilters({
      actorId: v.actorId || undefined,
      action: v.action?.trim() || undefined,
      targetType: v.targetType?.trim() || undefined,
      targetId: v.targetId?.trim() || undefined,
      from: from ? dayBoundaryIso(from.format('YYYY-MM-DD'), fmt.timeZone, 'start') : undefined,
      to: to ? dayBoundaryIso(to.format('YYYY-MM-DD'), fmt.timeZone, 'end') : undefined,
    });
  };

  const columns: TableColumnsType<AuditEntry> = [
    { title: t('audit.at'), dataIndex: 'at', width: 170, render: (v: string) => fmt.tableTime(v) },
    {
      title: t('audit.actor'),
      key: 'actor',
      width: 160,
      render: (_, e) =>
        e.actorName ? (
          <span>
            {e.actorName}
            {e.actorEmployeeNo ? <Typography.Text type="secondary"> {e.actorEmployeeNo}</Typography.Text> : null}
          </span>
        ) : (
          <Typography.Text type="secondary">{e.actorKind === 'system' || !e.actorId ? t('audit.system') : e.actorId}</Typography.Text>
        ),
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      width: 200,
      // The code stays reachable (hover) for whoever needs to search the API by it; the column shows the label.
      render: (a: string) => <span title={a}>{auditActionLabel(t, a)}</span>,
    },
    {
      title: t('audit.target'),
      key: 'target',
      render: (_, e) =>
        e.targetType ? (
          <div style={{ minWidth: 0 }}>
            <span>{targetTypeLabel(t, e.targetType)}</span>
            {e.targetId ? (
              <>
                <br />
                {/* the object's name (ticket number, staff name, standard …); the id only behind the copy button */}
                <Typography.Text
                  type="secondary"
                  copyable={{ text: e.targetId, tooltips: [t('auditLabels.copyId'), t('auditLabels.copied')] }}
                  style={{ fontSize: 12 }}
                  data-testid="audit-target-label"
                >
                  {e.targetLabel ?? t('auditLabels.gone')}
                </Typography.Text>
              </>
            ) : null}
          </div>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('audit.changes'),
      key: 'changes',
      width: 110,
      render: (_, e) =>
        e.changes && Object.keys(e.changes).length ? (
          t('audit.fieldCount', { n: Object.keys(e.changes).length })
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <Page title={t('audit.title')} subtitle={t('audit.subtitle')}>
      <Card style={{ marginBottom: 16 }}>
        <Form<FilterValues> form={form} layout="inline" onFinish={apply} className="chidu-audit-filters" style={{ rowGap: 12 }}>
          <Form.Item name="actorId" label={t('audit.actor')}>
            {canPickStaff ? (
              <StaffSelect extraOptions={seen.actors} style={{ width: 200 }} placeholder={t('audit.anyActor')} />
            ) : (
              <SeenActorSelect options={seen.actors} />
            )}
          </Form.Item>
          <Form.Item name="action" label={t('audit.action')}>
            <AutoComplete
              allowClear
              style={{ width: 200 }}
              placeholder={t('audit.anyAction')}
              options={seen.actions.map((a) => ({ value: a, label: auditActionLabel(t, a) }))}
              showSearch={{
                filterOption: (input, option) =>
                  String(option?.label ?? '')
                    .toLowerCase()
                    .includes(input.toLowerCase()),
              }}
            />
          </Form.Item>
          <Form.Item name="targetType" label={t('audit.targetType')}>
            <AutoComplete
              allowClear
              style={{ width: 160 }}
              placeholder={t('audit.anyTargetType')}
              options={seen.targetTypes.map((a) => ({ value: a, label: `${targetTypeLabel(t, a)} · ${a}` }))}
              showSearch={{
                filterOption: (input, option) =>
                  String(option?.label ?? '')
                    .toLowerCase()
                    .includes(input.toLowerCase()),
              }}
            />
          </Form.Item>
          <Form.Item name="targetId" label={t('audit.targetId')}>
            <Input allowClear style={{ width: 180 }} placeholder={t('audit.targetIdPlaceholder')} />
          </Form.Item>
          <Form.Item name="range" label={t('audit.range')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} style={{ width: 260 }} />
          </Form.Item>
          <Form.Item>
            <Flex gap={8}>
              <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
                {t('common.search')}
              </Button>
              <Button
                icon={<ReloadOutlined />}
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                }}
              >
                {t('common.reset')}
              </Button>
            </Flex>
          </Form.Item>
        </Form>
      </Card>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<AuditEntry>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 900 }}
          expandable={{
            rowExpandable: (e) => !!e.changes && Object.keys(e.changes).length > 0,
            expandedRowRender: (e) => <ChangesDiff changes={e.changes ?? {}} requestId={e.requestId} />,
          }}
          locale={{ emptyText: list.isError ? t('common.loadFailed') : undefined }}
          data-testid="audit-table"
        />
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }} wrap gap={8}>
          <Typography.Text type="secondary">
            {t('common.loadedCount', { n: rows.length })} · {t('audit.readOnly')}
          </Typography.Text>
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          ) : rows.length > 0 ? (
            <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
          ) : null}
        </Flex>
      </Card>
    </Page>
  );
}

/** Actor filter for users who may not list staff: pick from actors seen in the loaded log. */
function SeenActorSelect({ options, value, onChange }: { options: StaffOption[]; value?: string; onChange?: (v: string | undefined) => void }) {
  const { t } = useTranslation();
  return (
    <Select<string>
      allowClear
      style={{ width: 200 }}
      placeholder={t('audit.anyActor')}
      value={value}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      showSearch={{ optionFilterProp: 'label' }}
      notFoundContent={t('common.noMatch')}
    />
  );
}

/** Human form of one before/after value: localised roles and booleans, money for *Fen fields, lists joined. */
function renderValue(field: string, value: unknown, t: TFunction, money: (fen: number) => string, teamNames: Map<string, string>): string {
  if (value === null || value === undefined || value === '') return t('audit.empty');
  if (field === 'teamId' && typeof value === 'string' && teamNames.has(value)) return teamNames.get(value)!;
  if (typeof value === 'boolean') return value ? t('audit.yes') : t('audit.no');
  if (typeof value === 'number' && /Fen$/.test(field)) return money(value);
  if (field === 'roles' && Array.isArray(value)) return value.map((r) => roleLabel(t, String(r))).join(t('audit.listSeparator'));
  if (field === 'locale' && (value === 'zh-CN' || value === 'en')) return value === 'en' ? t('language.enFull') : t('language.zhCNFull');
  if (Array.isArray(value))
    return value.length ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(t('audit.listSeparator')) : t('audit.empty');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function ChangesDiff({ changes, requestId }: { changes: Record<string, FieldChange>; requestId: string | null }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const teams = useTeams();
  const teamNames = useMemo(() => new Map((teams.data?.items ?? []).map((tm) => [tm.id, tm.name])), [teams.data]);
  const rows = Object.entries(changes).map(([field, change]) => ({ field, ...change }));
  return (
    <div style={{ padding: '4px 0' }} data-testid="audit-diff">
      <Table
        size="small"
        rowKey="field"
        pagination={false}
        dataSource={rows}
        columns={[
          {
            title: t('audit.field'),
            dataIndex: 'field',
            width: 180,
            render: (f: string) => {
              const label = fieldLabel(t, f);
              return label === f ? f : `${label} (${f})`;
            },
          },
          {
            title: t('audit.before'),
            dataIndex: 'before',
            render: (v: unknown, row) => <span className="chidu-diff-before">{renderValue(row.field, v, t, fmt.money, teamNames)}</span>,
          },
          {
            title: t('audit.after'),
            dataIndex: 'after',
            render: (v: unknown, row) => <span className="chidu-diff-after">{renderValue(row.field, v, t, fmt.money, teamNames)}</span>,
          },
        ]}
      />
      {requestId ? (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 8 }}>
          {t('audit.requestId')}:{' '}
          <Typography.Text copyable style={{ fontSize: 12 }}>
            {requestId}
          </Typography.Text>
        </Typography.Text>
      ) : null}
    </div>
  );
}
