import { useMemo, useRef, useState } from 'react';
import { FLAT_FIELDS, FlatFormItems, flatBody, flatText } from './FlatFields';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Flex,
  Form,
  Grid,
  Input,
  Modal,
  Select,
  Spin,
  Switch,
  Table,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { CrownFilled, EyeOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { NetworkError, newIdempotencyKey } from '../../api/client';
import { customersApi } from '../../api/endpoints';
import { CUSTOMER_TIERS, PERM, type Customer, type CustomerCreate, type CustomerDuplicate } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { fieldLabel, tierLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';

const PAGE_SIZE = 20;
const TIER_COLOURS: Record<string, string> = { diamond: 'purple', gold: 'gold', silver: 'default', regular: 'default' };
const SILVER_STYLE = { background: '#eef2f7', color: '#4a5566', borderColor: '#c9d2de' };

export function TierTag({ tier }: { tier: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={TIER_COLOURS[tier] ?? 'default'} style={{ marginInlineEnd: 0, ...(tier === 'silver' ? SILVER_STYLE : {}) }}>
      {tierLabel(t, tier)}
    </Tag>
  );
}

export function VipTag() {
  const { t } = useTranslation();
  return (
    <Tag color="red" icon={<CrownFilled />} style={{ marginInlineEnd: 0 }}>
      {t('customers.vip')}
    </Tag>
  );
}

export default function CustomersPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const canWrite = usePermission(PERM.customersWrite);
  const [q, setQ] = useState<string | undefined>();
  const [tier, setTier] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [detailId, setDetailId] = useState<string | null>(null);
  // possible duplicates reported by the server when a customer was just created
  const [duplicates, setDuplicates] = useState<{ id: string; items: CustomerDuplicate[] } | null>(null);

  const list = useInfiniteQuery({
    queryKey: ['customers', 'list', q ?? '', tier ?? ''],
    queryFn: ({ pageParam }) => customersApi.list({ q, tier, limit: PAGE_SIZE, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const columns: TableColumnsType<Customer> = [
    {
      title: t('customers.name'),
      dataIndex: 'name',
      width: 160,
      fixed: 'left',
      render: (name: string, c) => (
        <Button type="link" style={{ padding: 0, height: 'auto' }} onClick={() => setDetailId(c.id)}>
          {name}
        </Button>
      ),
    },
    {
      title: t('customers.flat'),
      key: 'flat',
      width: 150,
      render: (_: unknown, c) => flatText(c) ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    { title: t('customers.phone'), dataIndex: 'phone', width: 140, render: (v: string | null) => v || <Typography.Text type="secondary">—</Typography.Text> },
    { title: t('customers.email'), dataIndex: 'email', width: 200, render: (v: string | null) => v || <Typography.Text type="secondary">—</Typography.Text> },
    {
      title: t('customers.tier'),
      dataIndex: 'tier',
      width: 150,
      render: (tier: string, c) => (
        <Flex gap={4} wrap>
          <TierTag tier={tier} />
          {c.vip ? <VipTag /> : null}
        </Flex>
      ),
    },
    {
      title: t('customers.tags'),
      dataIndex: 'tags',
      render: (tags: string[]) =>
        tags.length ? (
          <Flex gap={4} wrap>
            {tags.map((tag) => (
              <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                {tag}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => fmt.tableTime(v) },
  ];

  return (
    <Page title={t('customers.title')} subtitle={t('customers.subtitle')}>
      <Flex className="chidu-toolbar" gap={8} wrap justify="space-between">
        <Flex gap={8} wrap>
          <Input.Search
            allowClear
            placeholder={t('customers.searchPlaceholder')}
            onSearch={(v) => setQ(v.trim() || undefined)}
            style={{ width: 280 }}
            data-testid="customers-search"
          />
          <Select
            allowClear
            placeholder={t('customers.allTiers')}
            value={tier}
            onChange={(v?: string) => setTier(v)}
            options={CUSTOMER_TIERS.map((value) => ({ value, label: tierLabel(t, value) }))}
            style={{ width: 140 }}
          />
        </Flex>
        {canWrite ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="customer-create">
            {t('customers.create')}
          </Button>
        ) : null}
      </Flex>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Customer>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: 1000 }}
          locale={{ emptyText: list.isError ? errorMessage(list.error, t) : undefined }}
          data-testid="customers-table"
        />
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }} wrap gap={8}>
          <Typography.Text type="secondary">{t('common.loadedCount', { n: rows.length })}</Typography.Text>
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          ) : rows.length > 0 ? (
            <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
          ) : null}
        </Flex>
      </Card>
      <CreateCustomerModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setDuplicates(c.duplicates?.length ? { id: c.id, items: c.duplicates } : null);
          setDetailId(c.id);
        }}
      />
      <CustomerDrawer
        id={detailId}
        duplicates={duplicates && duplicates.id === detailId ? duplicates.items : []}
        onClose={() => {
          setDetailId(null);
          setDuplicates(null);
        }}
      />
    </Page>
  );
}

interface CreateValues {
  name: string;
  phone?: string;
  email?: string;
  tier: string;
  vip: boolean;
  tags?: string[];
  building?: string;
  unit?: string;
  room?: string;
}

export function CreateCustomerModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (c: Customer) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  // One Idempotency-Key per submission; reused only to retry the identical payload after a network failure.
  const pending = useRef<{ key: string; payload: string } | null>(null);

  const create = useMutation({
    mutationFn: (body: CustomerCreate) => {
      const payload = JSON.stringify(body);
      const key = pending.current?.payload === payload ? pending.current.key : newIdempotencyKey();
      pending.current = { key, payload };
      return customersApi.create(body, key);
    },
    onSuccess: async (c) => {
      pending.current = null;
      void message.success(t('customers.created', { name: c.name }));
      await queryClient.invalidateQueries({ queryKey: ['customers'] });
      onClose();
      onCreated(c);
    },
    onError: (err) => {
      if (!(err instanceof NetworkError)) pending.current = null;
      showError(err, { form, fields: ['name', 'phone', 'email', 'tier', 'vip', 'tags', ...FLAT_FIELDS] });
    },
  });

  const submit = (v: CreateValues) => {
    const body: CustomerCreate = { name: v.name.trim(), tier: v.tier, vip: v.vip };
    if (v.phone?.trim()) body.phone = v.phone.replace(/[\s-]/g, '');
    if (v.email?.trim()) body.email = v.email.trim();
    const tags = (v.tags ?? []).map((s) => s.trim()).filter(Boolean);
    if (tags.length) body.tags = tags;
    Object.assign(body, flatBody(v, false));
    create.mutate(body);
  };

  return (
    <Modal
      open={open}
      title={t('customers.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('customers.createSubmit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form<CreateValues> form={form} layout="vertical" onFinish={submit} preserve={false} initialValues={{ tier: 'regular', vip: false, tags: [] }}>
        <Form.Item name="name" label={t('customers.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={64} />
        </Form.Item>
        <FlatFormItems />
        <Form.Item name="phone" label={t('customers.phone')} rules={[{ pattern: /^\+?[\d\s-]{5,20}$/, message: t('customers.phoneFormat') }]}>
          <Input inputMode="tel" placeholder={t('customers.phonePlaceholder')} maxLength={24} />
        </Form.Item>
        <Form.Item name="email" label={t('customers.email')} rules={[{ type: 'email', message: t('customers.emailFormat') }]}>
          <Input inputMode="email" maxLength={120} />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item name="tier" label={t('customers.tier')} style={{ minWidth: 180, flex: 1 }}>
            <Select options={CUSTOMER_TIERS.map((tier) => ({ value: tier, label: tierLabel(t, tier) }))} />
          </Form.Item>
          <Form.Item name="vip" label={t('customers.vip')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item name="tags" label={t('customers.tags')} extra={t('customers.tagsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CustomerDrawer({ id, duplicates, onClose }: { id: string | null; duplicates: CustomerDuplicate[]; onClose: () => void }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const screens = Grid.useBreakpoint();
  const showError = useApiError();
  const { message } = App.useApp();
  const canUnmask = usePermission(PERM.customersUnmask);
  const [revealed, setRevealed] = useState<Customer | null>(null);
  const detail = useQuery({ queryKey: ['customers', 'detail', id], queryFn: () => customersApi.get(id!), enabled: id !== null });
  const reveal = useMutation({
    mutationFn: (customerId: string) => customersApi.get(customerId, true),
    onSuccess: (c) => {
      setRevealed(c);
      void message.info(t('customers.revealed'));
    },
    onError: (err) => showError(err),
  });
  // Unmasked contact data lives only in this component's state, never in the query cache.
  const c = revealed && revealed.id === id ? revealed : detail.data;
  const close = () => {
    setRevealed(null);
    onClose();
  };

  return (
    <Drawer
      open={id !== null}
      onClose={close}
      size={screens.sm === false ? '100%' : 460}
      title={c?.name ?? t('customers.detail')}
      extra={
        id ? (
          <Link to={`/customers/${id}`} data-testid="customer-open-360">
            {t('customerPanel.open360')} <RightOutlined />
          </Link>
        ) : null
      }
    >
      {detail.isPending ? (
        <Flex justify="center" style={{ padding: 48 }}>
          <Spin />
        </Flex>
      ) : detail.isError ? (
        <Typography.Text type="danger">{errorMessage(detail.error, t)}</Typography.Text>
      ) : c ? (
        <>
          {duplicates.length ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('customers.duplicatesTitle', { n: duplicates.length })}
              description={
                <Flex vertical gap={4}>
                  <span>{t('customers.duplicatesHint')}</span>
                  {duplicates.map((d) => (
                    <span key={d.id} data-testid="customer-duplicate">
                      {d.name} · {[d.phone, d.email].filter(Boolean).join(' · ')}{' '}
                      <Typography.Text type="secondary">({d.matchedOn.map((m) => fieldLabel(t, m)).join(t('audit.listSeparator'))})</Typography.Text>
                    </span>
                  ))}
                </Flex>
              }
            />
          ) : null}
          <Descriptions
            column={1}
            bordered
            size="small"
            items={[
              { key: 'name', label: t('customers.name'), children: c.name },
              { key: 'flat', label: t('customers.flat'), children: flatText(c) ?? '—' },
              { key: 'phone', label: t('customers.phone'), children: c.phone || '—' },
              { key: 'email', label: t('customers.email'), children: c.email || '—' },
              {
                key: 'tier',
                label: t('customers.tier'),
                children: (
                  <Flex gap={4} wrap>
                    <TierTag tier={c.tier} />
                    {c.vip ? <VipTag /> : null}
                  </Flex>
                ),
              },
              {
                key: 'tags',
                label: t('customers.tags'),
                children: c.tags.length ? (
                  <Flex gap={4} wrap>
                    {c.tags.map((tag) => (
                      <Tag key={tag}>{tag}</Tag>
                    ))}
                  </Flex>
                ) : (
                  '—'
                ),
              },
              { key: 'createdAt', label: t('common.createdAt'), children: fmt.dateTime(c.createdAt) },
              { key: 'updatedAt', label: t('customers.updatedAt'), children: fmt.dateTime(c.updatedAt) },
              {
                key: 'id',
                label: t('customers.id'),
                children: (
                  <Typography.Text copyable style={{ fontSize: 12 }}>
                    {c.id}
                  </Typography.Text>
                ),
              },
            ]}
          />
          {c.masked ? (
            <Flex vertical gap={8} style={{ marginTop: 16 }}>
              <Typography.Text type="secondary">{t('customers.maskedNote')}</Typography.Text>
              {canUnmask ? (
                <div>
                  <Button icon={<EyeOutlined />} loading={reveal.isPending} onClick={() => reveal.mutate(c.id)}>
                    {t('customers.reveal')}
                  </Button>
                  <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
                    {t('customers.revealHint')}
                  </Typography.Text>
                </div>
              ) : null}
            </Flex>
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}
