import './kb.css';
import { useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Tree,
  Typography,
} from 'antd';
import { DeleteOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { staffApi } from '../../api/endpoints';
import { Page } from '../../layout/Page';
import { useApiError } from '../../lib/useApiError';
import StarterPackButton from './StarterPackButton';
import { useFormat, usePermission } from '../auth/me';
import { KB_KINDS, KB_PERM, KB_STATUSES, kbApi, kbKeys, type KbCategory, type KbKind, type KbStatus, type KbSummary, type KbVocab } from './api';
import { KbStatusTag, KindTag, Snippet } from './ui';

export function useKbCategories() {
  return useQuery({ queryKey: kbKeys.categories, queryFn: kbApi.categories, staleTime: 60_000 });
}

export interface TreeNode {
  key: string;
  value: string;
  title: string;
  children: TreeNode[];
  cat: KbCategory;
}
/** Published items of a category and all its sub-categories. */
export function subtreeCount(n: TreeNode): number {
  return n.cat.publishedCount + n.children.reduce((s, c) => s + subtreeCount(c), 0);
}
export function buildTree(items: KbCategory[]): TreeNode[] {
  const nodes = new Map(items.map((c) => [c.id, { key: c.id, value: c.id, title: c.name, children: [] as TreeNode[], cat: c }]));
  const roots: TreeNode[] = [];
  for (const c of items) {
    const n = nodes.get(c.id)!;
    if (c.parentId && nodes.has(c.parentId)) nodes.get(c.parentId)!.children.push(n);
    else roots.push(n);
  }
  return roots;
}

export default function KbPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const canWrite = usePermission(KB_PERM.write);
  const canReview = usePermission(KB_PERM.review);
  const canManage = usePermission(KB_PERM.manage);
  const tab = params.get('tab') ?? 'items';
  const setTab = (k: string) =>
    setParams(
      (p) => {
        p.set('tab', k);
        return p;
      },
      { replace: true },
    );
  return (
    <Page
      title={t('kb.title')}
      subtitle={t('kb.subtitle')}
      extra={
        canWrite ? (
          <Space wrap>
            {canManage ? <StarterPackButton /> : null}
            <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/kb/new')} data-testid="kb-new">
              {t('kb.new')}
            </Button>
          </Space>
        ) : null
      }
    >
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'items', label: t('kb.tabs.items'), children: <ItemsTab /> },
          ...(canReview ? [{ key: 'reviews', label: t('kb.tabs.reviews'), children: <ReviewQueue /> }] : []),
          { key: 'categories', label: t('kb.tabs.categories'), children: <CategoriesTab /> },
          { key: 'vocabulary', label: t('kb.tabs.vocabulary'), children: <VocabularyTab /> },
          { key: 'stats', label: t('kb.tabs.stats'), children: <StatsTab /> },
        ]}
      />
    </Page>
  );
}

function ItemsTab() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const categoryId = params.get('category') ?? undefined;
  const kind = (params.get('kind') as KbKind | null) ?? undefined;
  const status = (params.get('status') as KbStatus | null) ?? undefined;
  const cats = useKbCategories();
  const tree = useMemo(() => buildTree(cats.data?.items ?? []), [cats.data]);
  const set = (k: string, v: string | undefined) =>
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  const search = useQuery({
    queryKey: ['kb', 'search', q, kind, categoryId],
    queryFn: () => kbApi.search(q, { kind, categoryId, limit: 30 }),
    enabled: q.trim().length > 0,
  });
  const list = useQuery({
    queryKey: kbKeys.list({ kind, categoryId, status }),
    queryFn: () => kbApi.list({ kind, categoryId, status, limit: 100 }),
    enabled: !q.trim(),
  });

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={7} lg={6}>
        <Card size="small" title={t('kb.categories')} className="chidu-kb-tree">
          {cats.isPending ? (
            <Skeleton active />
          ) : (
            <Tree
              blockNode
              defaultExpandAll
              selectedKeys={categoryId ? [categoryId] : []}
              onSelect={(keys) => set('category', (keys[0] as string | undefined) ?? undefined)}
              treeData={tree}
              titleRender={(n) => (
                <Flex justify="space-between" gap={6}>
                  <span>{n.title}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {subtreeCount(n)}
                  </Typography.Text>
                </Flex>
              )}
            />
          )}
        </Card>
      </Col>
      <Col xs={24} md={17} lg={18}>
        <Flex vertical gap={12}>
          <Input.Search
            size="large"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (!e.target.value) set('q', undefined);
            }}
            onSearch={(v) => set('q', v.trim() || undefined)}
            placeholder={t('kb.searchPlaceholder')}
            enterButton={
              <span>
                <SearchOutlined /> {t('kb.search')}
              </span>
            }
            allowClear
            data-testid="kb-search"
          />
          <Flex gap={8} wrap>
            <Select
              allowClear
              style={{ width: 150 }}
              placeholder={t('kb.field.kind')}
              value={kind}
              onChange={(v) => set('kind', v)}
              options={KB_KINDS.map((k) => ({ value: k, label: t(`kb.kind.${k}`) }))}
            />
            {!q ? (
              <Select
                allowClear
                style={{ width: 150 }}
                placeholder={t('kb.field.status')}
                value={status}
                onChange={(v) => set('status', v)}
                options={KB_STATUSES.map((s) => ({ value: s, label: t(`kb.status.${s}`) }))}
              />
            ) : null}
            {categoryId ? (
              <Tag closable onClose={() => set('category', undefined)} style={{ alignSelf: 'center' }}>
                {cats.data?.items.find((c) => c.id === categoryId)?.name}
              </Tag>
            ) : null}
          </Flex>
          {q ? (
            <Card size="small" title={t('kb.results', { n: search.data?.hits.length ?? 0 })} loading={search.isPending}>
              {search.data?.hits.length ? (
                <List
                  itemLayout="vertical"
                  dataSource={search.data.hits}
                  data-testid="kb-search-results"
                  renderItem={(h) => (
                    <List.Item key={h.id} data-testid="kb-hit">
                      <Flex gap={8} align="center" wrap>
                        <KindTag kind={h.kind} />
                        <Link to={`/kb/${h.id}`} className="chidu-kb-hit-title">
                          {h.title}
                        </Link>
                        {h.status !== 'published' ? <KbStatusTag status={h.status} /> : null}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {h.categoryName} · {t(`kb.audience.${h.audience}`)}
                        </Typography.Text>
                      </Flex>
                      <Typography.Paragraph style={{ margin: '6px 0 0' }} type="secondary">
                        <Snippet html={h.snippet} />
                      </Typography.Paragraph>
                    </List.Item>
                  )}
                />
              ) : (
                <Empty description={t('kb.noResults')} />
              )}
            </Card>
          ) : (
            <Table<KbSummary>
              rowKey="id"
              size="middle"
              loading={list.isPending}
              dataSource={list.data?.items ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              scroll={{ x: 760 }}
              tableLayout="fixed"
              data-testid="kb-table"
              columns={[
                {
                  title: t('kb.field.title'),
                  dataIndex: 'title',
                  render: (v: string, r) => (
                    <div style={{ minWidth: 0 }}>
                      <Link to={`/kb/${r.id}`} style={{ display: 'block', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                        {v}
                      </Link>
                      <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} ellipsis={{ tooltip: r.excerpt }}>
                        {r.excerpt}
                      </Typography.Text>
                    </div>
                  ),
                },
                { title: t('kb.field.kind'), dataIndex: 'kind', width: 96, render: (k: KbKind) => <KindTag kind={k} /> },
                { title: t('kb.field.category'), dataIndex: 'categoryPath', width: 170, ellipsis: true, render: (p: string[]) => p.join(' / ') },
                { title: t('kb.field.status'), dataIndex: 'status', width: 110, render: (s: KbStatus) => <KbStatusTag status={s} /> },
                { title: t('kb.field.updatedAt'), dataIndex: 'updatedAt', width: 180, render: (v: string) => fmt.dateTime(v) },
              ]}
            />
          )}
        </Flex>
      </Col>
    </Row>
  );
}

function ReviewQueue() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = useQuery({ queryKey: kbKeys.reviews, queryFn: kbApi.reviews });
  return (
    <Table<KbSummary>
      rowKey="id"
      loading={q.isPending}
      dataSource={q.data?.items ?? []}
      locale={{ emptyText: <Empty description={t('kb.reviewEmpty')} /> }}
      pagination={false}
      scroll={{ x: 640 }}
      tableLayout="fixed"
      data-testid="kb-review-queue"
      columns={[
        { title: t('kb.field.title'), dataIndex: 'title', render: (v: string, r) => <Link to={`/kb/${r.id}`}>{v}</Link> },
        { title: t('kb.field.kind'), dataIndex: 'kind', width: 90, render: (k: KbKind) => <KindTag kind={k} /> },
        { title: t('kb.field.category'), dataIndex: 'categoryPath', render: (p: string[]) => p.join(' / ') },
        { title: t('kb.field.author'), dataIndex: 'authorName', width: 120 },
        { title: t('kb.field.version'), dataIndex: 'version', width: 70 },
        { title: t('kb.field.submittedAt'), dataIndex: 'updatedAt', width: 140, render: (v: string) => fmt.dateTime(v) },
      ]}
    />
  );
}

function CategoriesTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const canManage = usePermission(KB_PERM.manage);
  const cats = useKbCategories();
  const tree = useMemo(() => buildTree(cats.data?.items ?? []), [cats.data]);
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState<{ parentId: string | null } | null>(null);
  const [form] = Form.useForm<{ name: string }>();
  const staff = useQuery({ queryKey: ['staff', 'all'], queryFn: () => staffApi.list({ limit: 100 }), enabled: canManage });
  const cat = cats.data?.items.find((c) => c.id === selected) ?? null;
  const refresh = () => qc.invalidateQueries({ queryKey: kbKeys.categories });
  const create = useMutation({
    mutationFn: (v: { name: string; parentId: string | null }) => kbApi.createCategory(v),
    onSuccess: () => {
      void message.success(t('kb.saved'));
      setAdding(null);
      form.resetFields();
      void refresh();
    },
    onError: (e) => showError(e),
  });
  const experts = useMutation({
    mutationFn: (ids: string[]) => kbApi.setExperts(selected!, ids),
    onSuccess: () => {
      void message.success(t('kb.saved'));
      void refresh();
    },
    onError: (e) => showError(e),
  });
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={10}>
        <Card
          size="small"
          title={t('kb.categories')}
          extra={
            canManage ? (
              <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding({ parentId: null })}>
                {t('kb.addRoot')}
              </Button>
            ) : null
          }
        >
          {cats.isPending ? (
            <Skeleton active />
          ) : (
            <Tree
              blockNode
              defaultExpandAll
              treeData={tree}
              selectedKeys={selected ? [selected] : []}
              onSelect={(k) => setSelected((k[0] as string | undefined) ?? null)}
              titleRender={(n) => {
                const c = n.cat;
                return (
                  <Flex justify="space-between" gap={8} wrap>
                    <span>{c.name}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c.experts.length ? c.experts.map((e) => e.name).join('、') : t('kb.noExperts')}
                    </Typography.Text>
                  </Flex>
                );
              }}
              data-testid="kb-category-tree"
            />
          )}
        </Card>
      </Col>
      <Col xs={24} md={14}>
        {cat ? (
          <Card
            size="small"
            title={cat.name}
            extra={
              canManage ? (
                <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding({ parentId: cat.id })}>
                  {t('kb.addChild')}
                </Button>
              ) : null
            }
          >
            <Flex vertical gap={12}>
              <Flex gap={24} wrap>
                <Statistic title={t('kb.itemCount')} value={cat.itemCount} />
                <Statistic title={t('kb.publishedCount')} value={cat.publishedCount} />
              </Flex>
              <Typography.Text strong>{t('kb.experts')}</Typography.Text>
              <Typography.Text type="secondary">{t('kb.expertsHint')}</Typography.Text>
              {canManage ? (
                <Select
                  mode="multiple"
                  style={{ width: '100%' }}
                  value={cat.experts.map((e) => e.id)}
                  loading={staff.isPending || experts.isPending}
                  onChange={(ids: string[]) => experts.mutate(ids)}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={(staff.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name}（${s.employeeNo}）` }))}
                  data-testid="kb-experts-select"
                />
              ) : (
                <Flex gap={6} wrap>
                  {cat.experts.map((e) => (
                    <Tag key={e.id}>
                      {e.name}（{e.employeeNo}）
                    </Tag>
                  ))}
                </Flex>
              )}
            </Flex>
          </Card>
        ) : (
          <Card size="small">
            <Empty description={t('kb.pickCategory')} />
          </Card>
        )}
      </Col>
      <Modal
        open={!!adding}
        title={adding?.parentId ? t('kb.addChild') : t('kb.addRoot')}
        onCancel={() => setAdding(null)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate({ name: v.name, parentId: adding?.parentId ?? null })}>
          <Form.Item name="name" label={t('kb.field.categoryName')} rules={[{ required: true, whitespace: true, max: 60 }]}>
            <Input maxLength={60} />
          </Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}

function VocabularyTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const canManage = usePermission(KB_PERM.manage);
  const q = useQuery({ queryKey: kbKeys.vocabulary, queryFn: kbApi.vocabulary });
  const [kind, setKind] = useState<KbVocab['kind']>('synonyms');
  const [form] = Form.useForm<{ term?: string; expansions?: string[] }>();
  const add = useMutation({
    mutationFn: (v: { term?: string; expansions?: string[] }) =>
      kbApi.addVocabulary({ kind, term: v.term, expansions: kind === 'word' ? [] : (v.expansions ?? []) }),
    onSuccess: () => {
      void message.success(t('kb.vocab.added'));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: kbKeys.vocabulary });
    },
    onError: (e) => showError(e),
  });
  const remove = useMutation({
    mutationFn: (id: string) => kbApi.removeVocabulary(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: kbKeys.vocabulary }),
    onError: (e) => showError(e),
  });
  return (
    <Flex vertical gap={16}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('kb.vocab.intro')}
      </Typography.Paragraph>
      {canManage ? (
        <Card size="small" title={t('kb.vocab.add')}>
          <Flex vertical gap={12}>
            <Segmented<KbVocab['kind']>
              value={kind}
              onChange={setKind}
              options={(['word', 'synonyms', 'rule'] as const).map((k) => ({ value: k, label: t(`kb.vocab.kind.${k}`) }))}
              data-testid="kb-vocab-kind"
            />
            <Typography.Text type="secondary">{t(`kb.vocab.hint.${kind}`)}</Typography.Text>
            <Form form={form} layout="inline" onFinish={(v) => add.mutate(v)} style={{ rowGap: 8 }}>
              {kind !== 'synonyms' ? (
                <Form.Item name="term" rules={[{ required: true, whitespace: true, max: 40 }]}>
                  <Input placeholder={kind === 'word' ? t('kb.vocab.word') : t('kb.vocab.phrase')} style={{ width: 200 }} maxLength={40} />
                </Form.Item>
              ) : null}
              {kind !== 'word' ? (
                <Form.Item name="expansions" rules={[{ required: true }]}>
                  <Select
                    mode="tags"
                    open={false}
                    style={{ minWidth: 280 }}
                    placeholder={kind === 'synonyms' ? t('kb.vocab.members') : t('kb.vocab.means')}
                    tokenSeparators={[',', '，', ' ', '、']}
                  />
                </Form.Item>
              ) : null}
              <Form.Item>
                <Button type="primary" htmlType="submit" loading={add.isPending}>
                  {t('kb.vocab.addButton')}
                </Button>
              </Form.Item>
            </Form>
          </Flex>
        </Card>
      ) : null}
      <Table<KbVocab>
        rowKey="id"
        size="small"
        loading={q.isPending}
        dataSource={q.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('kb.vocab.empty')} /> }}
        columns={[
          { title: t('kb.vocab.type'), dataIndex: 'kind', width: 110, render: (k: KbVocab['kind']) => <Tag>{t(`kb.vocab.kind.${k}`)}</Tag> },
          {
            title: t('kb.vocab.entry'),
            render: (_: unknown, r) =>
              r.kind === 'word' ? r.term : r.kind === 'synonyms' ? r.expansions.join(' ↔ ') : `${r.term} → ${r.expansions.join('、')}`,
          },
          ...(canManage
            ? [
                {
                  title: '',
                  width: 60,
                  render: (_: unknown, r: KbVocab) => (
                    <Popconfirm title={t('kb.vocab.removeConfirm')} onConfirm={() => remove.mutate(r.id)}>
                      <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('kb.vocab.remove')} />
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Flex>
  );
}

function StatsTab() {
  const { t } = useTranslation();
  const rate = useQuery({ queryKey: ['kb', 'rate'], queryFn: kbApi.applicationRate });
  const contrib = useQuery({ queryKey: ['kb', 'contributions'], queryFn: kbApi.contributions });
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={8}>
        <Card size="small" title={t('kb.stats.rateTitle')} loading={rate.isPending}>
          <Statistic value={rate.data?.rate === undefined || rate.data.rate === null ? '—' : `${(rate.data.rate * 100).toFixed(1)}%`} />
          <Typography.Text type="secondary">
            {t('kb.stats.rateHint', { used: rate.data?.resolvedWithKnowledge ?? 0, resolved: rate.data?.resolved ?? 0 })}
          </Typography.Text>
        </Card>
      </Col>
      <Col xs={24} md={16}>
        <Card size="small" title={t('kb.stats.contributions')}>
          <Table
            rowKey="staffId"
            size="small"
            loading={contrib.isPending}
            dataSource={contrib.data?.items ?? []}
            pagination={false}
            columns={[
              { title: t('kb.stats.staff'), render: (_: unknown, r: { name: string; employeeNo: string }) => `${r.name}（${r.employeeNo}）` },
              { title: t('kb.stats.created'), dataIndex: 'created', width: 90 },
              { title: t('kb.stats.revised'), dataIndex: 'revised', width: 90 },
              { title: t('kb.stats.total'), dataIndex: 'count', width: 90 },
            ]}
          />
        </Card>
      </Col>
    </Row>
  );
}
