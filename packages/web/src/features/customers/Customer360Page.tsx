import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  Popconfirm,
  Result,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, EyeOutlined, MergeCellsOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { customersApi } from '../../api/endpoints';
import { CUSTOMER_TIERS, PERM, type Customer360, type CustomerIdentity, type CustomerPatch, type CustomerProfile } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { PageSpinner } from '../../layout/AppLayout';
import { compensationKindLabel, eventKindLabel, fieldLabel, tierLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';
import { PriorityTag, StatusTag, TypeText } from '../tickets/ui';
import { CustomerSurveys } from '../surveys/CustomerSurveys';
import { TierTag, VipTag } from './CustomersPage';
import { ASSIST_FIELDS, AssistFormItems, AssistTag, assistBody, type AssistValues } from './AssistFields';
import { FLAT_FIELDS, FlatFormItems, flatBody, flatText } from './FlatFields';
import { CONSENTS, consentGranted, consentPatch } from './consent';
import { IdentitiesTab } from './CustomerIdentities';
import { CustomerMessagesTab } from './CustomerMessages';

const key360 = (id: string) => ['customers', '360', id] as const;

/** 客户 360: profile (editable CRM fields), tickets, compensation, timeline, duplicates with merge. */
export default function Customer360Page() {
  const { id = '' } = useParams<{ id: string }>();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const canWrite = usePermission(PERM.customersWrite);
  const canUnmask = usePermission(PERM.customersUnmask);
  const [editing, setEditing] = useState(false);
  const [revealed, setRevealed] = useState<CustomerProfile | null>(null);
  const [revealedIds, setRevealedIds] = useState<CustomerIdentity[] | null>(null);
  const data = useQuery({ queryKey: key360(id), queryFn: () => customersApi.get360(id), enabled: Boolean(id) });
  const reveal = useMutation({
    mutationFn: () => customersApi.get360(id, true),
    onSuccess: (d) => {
      setRevealed(d.profile);
      setRevealedIds(d.identities);
      void message.info(t('customers.revealed'));
    },
    onError: (err) => showError(err),
  });

  if (data.isPending) return <PageSpinner />;
  if (data.isError) {
    const notFound = data.error instanceof ApiError && (data.error.status === 404 || data.error.status === 400);
    return (
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('customer360.notFound') : t('app.loadFailed')}
        subTitle={errorMessage(data.error, t)}
        extra={<Button onClick={() => void navigate('/customers')}>{t('customer360.back')}</Button>}
      />
    );
  }
  const d = data.data;
  const p = revealed ?? d.profile;

  return (
    <div className="chidu-page" data-testid="customer-360">
      <Flex align="center" gap={8} style={{ marginBottom: 12 }}>
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/customers')}>
          {t('customer360.back')}
        </Button>
      </Flex>
      {p.mergedIntoId ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('customer360.mergedInto')}
          action={
            <Button size="small" onClick={() => void navigate(`/customers/${p.mergedIntoId}`)}>
              {t('customer360.openSurvivor')}
            </Button>
          }
        />
      ) : null}
      <Card style={{ marginBottom: 16 }}>
        <Flex justify="space-between" align="flex-start" wrap gap={12}>
          <Flex vertical gap={6}>
            <Flex gap={8} align="center" wrap>
              <Typography.Title level={4} style={{ margin: 0 }}>
                {p.name}
              </Typography.Title>
              <TierTag tier={p.tier} />
              {p.vip ? <VipTag /> : null}
              <AssistTag kind={p.assistance} helperName={p.assistStaffName} note={p.assistanceNote} />
            </Flex>
            <Flex gap={12} wrap align="center">
              <Typography.Text>
                {t('customers.phone')}：{p.phone || '—'}
              </Typography.Text>
              {p.email ? (
                <Typography.Text>
                  {t('customers.email')}：{p.email}
                </Typography.Text>
              ) : null}
              {p.masked && canUnmask ? (
                <Button size="small" icon={<EyeOutlined />} loading={reveal.isPending} onClick={() => reveal.mutate()}>
                  {t('customers.reveal')}
                </Button>
              ) : null}
            </Flex>
            {p.tags.length ? (
              <Flex gap={4} wrap>
                {p.tags.map((tag) => (
                  <Tag key={tag} style={{ marginInlineEnd: 0 }}>
                    {tag}
                  </Tag>
                ))}
              </Flex>
            ) : null}
          </Flex>
          {canWrite && !p.mergedIntoId ? (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="customer-edit">
              {t('customer360.edit')}
            </Button>
          ) : null}
        </Flex>
        <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
          <Col xs={12} md={6}>
            <Statistic title={t('customer360.stats.tickets')} value={d.stats.tickets} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('customer360.stats.open')} value={d.stats.open} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('customer360.stats.complaints')} value={d.stats.complaints} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('customer360.stats.compensation')} value={fmt.money(d.stats.compensationFen)} />
          </Col>
        </Row>
      </Card>
      <Card>
        <Tabs
          items={[
            { key: 'profile', label: t('customer360.tabs.profile'), children: <ProfileTab p={p} /> },
            {
              key: 'identities',
              label: t('customer360.tabs.identities', { n: d.identities.length }),
              children: <IdentitiesTab items={revealedIds ?? d.identities} />,
            },
            { key: 'tickets', label: t('customer360.tabs.tickets', { n: d.tickets.length }), children: <TicketsTab d={d} /> },
            { key: 'compensation', label: t('customer360.tabs.compensation', { n: d.compensations.length }), children: <CompensationTab d={d} /> },
            { key: 'messages', label: t('customers.messages.tab'), children: <CustomerMessagesTab customerId={p.id} /> },
            { key: 'timeline', label: t('customer360.tabs.timeline'), children: <TimelineTab d={d} /> },
            { key: 'surveys', label: t('surveys.customer.title'), children: <CustomerSurveys customerId={p.id} /> },
            {
              key: 'duplicates',
              label: d.duplicates.length ? t('customer360.tabs.duplicatesN', { n: d.duplicates.length }) : t('customer360.tabs.duplicates'),
              children: <DuplicatesTab d={d} />,
            },
          ]}
        />
      </Card>
      <EditDrawer profile={d.profile} open={editing} onClose={() => setEditing(false)} />
    </div>
  );
}

function ProfileTab({ p }: { p: CustomerProfile }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const screens = Grid.useBreakpoint();
  const consent = p.consent ?? {};
  return (
    <Descriptions
      bordered
      size="small"
      column={screens.md === false ? 1 : 2}
      items={[
        { key: 'name', label: t('customers.name'), children: p.name },
        { key: 'tier', label: t('customers.tier'), children: tierLabel(t, p.tier) + (p.vip ? ' · VIP' : '') },
        { key: 'flat', label: t('customers.flat'), children: flatText(p) ?? '—' },
        { key: 'phone', label: t('customers.phone'), children: p.phone || '—' },
        { key: 'email', label: t('customers.email'), children: p.email || '—' },
        { key: 'wechat', label: t('customer360.wechatId'), children: p.wechatId || '—' },
        { key: 'idNumber', label: t('customer360.idNumber'), children: p.idNumber || '—' },
        { key: 'demand', label: t('customer360.demandType'), children: p.demandType || '—' },
        {
          key: 'consent',
          label: t('customer360.consent'),
          children: (
            <Flex gap={4} wrap>
              {CONSENTS.map((k) => (
                <Tag key={k} color={consentGranted(consent, k) ? 'green' : 'default'} data-testid={`consent-${k}`}>
                  {t(`customer360.consents.${k}`)}：{consentGranted(consent, k) ? t('audit.yes') : t('audit.no')}
                </Tag>
              ))}
            </Flex>
          ),
        },
        {
          key: 'addresses',
          label: t('customer360.addresses'),
          span: 2,
          children: p.addresses?.length ? (
            <Flex vertical gap={2}>
              {p.addresses.map((a, i) => (
                <span key={i}>
                  {a.label ? <Tag>{a.label}</Tag> : null}
                  {a.text}
                </span>
              ))}
            </Flex>
          ) : (
            '—'
          ),
        },
        { key: 'notes', label: t('customer360.notes'), span: 2, children: <span style={{ whiteSpace: 'pre-wrap' }}>{p.notes || '—'}</span> },
        { key: 'created', label: t('common.createdAt'), children: fmt.dateTime(p.createdAt) },
        { key: 'updated', label: t('customers.updatedAt'), children: fmt.dateTime(p.updatedAt) },
      ]}
    />
  );
}

function TicketsTab({ d }: { d: Customer360 }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={d.tickets.length > 20 ? { pageSize: 20 } : false}
      dataSource={d.tickets}
      scroll={{ x: 720 }}
      locale={{ emptyText: t('customer360.noTickets') }}
      columns={[
        {
          title: t('tickets.number'),
          dataIndex: 'number',
          width: 170,
          render: (n: string, r) => (
            <Link to={`/tickets/${r.id}`} className="chidu-ticket-no">
              {n}
            </Link>
          ),
        },
        { title: t('tickets.subject'), dataIndex: 'subject', ellipsis: true },
        { title: t('tickets.type'), dataIndex: 'type', width: 90, render: (v: string) => <TypeText type={v} /> },
        { title: t('tickets.priority'), dataIndex: 'priority', width: 90, render: (v: string) => <PriorityTag priority={v} /> },
        { title: t('tickets.status'), dataIndex: 'status', width: 100, render: (v: string) => <StatusTag status={v} /> },
        { title: t('common.createdAt'), dataIndex: 'createdAt', width: 160, render: (v: string) => fmt.minuteTime(v) },
      ]}
    />
  );
}

function CompensationTab({ d }: { d: Customer360 }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const numbers = new Map(d.tickets.map((x) => [x.id, x.number]));
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.compensations}
      scroll={{ x: 640 }}
      locale={{ emptyText: t('customer360.noCompensation') }}
      summary={() =>
        d.compensations.length ? (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={2}>
              {t('customer360.grantedTotal')}
            </Table.Summary.Cell>
            <Table.Summary.Cell index={2} align="right">
              <Typography.Text strong>{fmt.money(d.stats.compensationFen)}</Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={3} colSpan={3} />
          </Table.Summary.Row>
        ) : null
      }
      columns={[
        {
          title: t('tickets.number'),
          dataIndex: 'ticketId',
          width: 170,
          render: (id: string | undefined) =>
            id ? (
              <Link to={`/tickets/${id}`} className="chidu-ticket-no">
                {numbers.get(id) ?? id.slice(0, 8)}
              </Link>
            ) : (
              '—'
            ),
        },
        { title: t('compensation.kind'), dataIndex: 'kind', width: 100, render: (k: string) => compensationKindLabel(t, k) },
        { title: t('compensation.amount'), dataIndex: 'amountFen', width: 120, align: 'right', render: (v: number) => fmt.money(v) },
        { title: t('tickets.status'), dataIndex: 'state', width: 100, render: (s: string) => t(`compensation.states.${s}`, { defaultValue: s }) },
        { title: t('compensation.reason'), dataIndex: 'reason', ellipsis: true },
        { title: t('common.createdAt'), dataIndex: 'createdAt', width: 160, render: (v: string) => fmt.minuteTime(v) },
      ]}
    />
  );
}

function TimelineTab({ d }: { d: Customer360 }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const numbers = new Map(d.tickets.map((x) => [x.id, x.number]));
  if (d.timeline.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Timeline
      items={d.timeline.map((e) => ({
        key: e.id,
        content: (
          <Flex vertical gap={2}>
            <Flex gap={8} wrap>
              <Typography.Text strong>{eventKindLabel(t, e.kind)}</Typography.Text>
              {e.aggregateType === 'ticket' ? (
                <Link to={`/tickets/${e.aggregateId}`} className="chidu-ticket-no">
                  {numbers.get(e.aggregateId) ?? ''}
                </Link>
              ) : null}
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {e.actorName ?? t('timeline.system')} · {fmt.dateTime(e.at)}
            </Typography.Text>
          </Flex>
        ),
      }))}
    />
  );
}

function DuplicatesTab({ d }: { d: Customer360 }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const canMerge = usePermission(PERM.customersMerge);
  const merge = useMutation({
    mutationFn: (dupId: string) => customersApi.merge(dupId, d.profile.id),
    onSuccess: (r) => {
      void message.success(t('customer360.merged', { n: r.ticketsMoved }));
      void queryClient.invalidateQueries({ queryKey: ['customers'] });
    },
    onError: (err) => showError(err),
  });
  if (d.duplicates.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('customer360.noDuplicates')} />;
  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{canMerge ? t('customer360.duplicatesHint') : t('customer360.duplicatesReadOnly')}</Typography.Text>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={d.duplicates}
        columns={[
          { title: t('customers.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/customers/${r.id}`}>{v}</Link> },
          { title: t('customers.phone'), dataIndex: 'phone', render: (v: string | null) => v || '—' },
          { title: t('customers.email'), dataIndex: 'email', render: (v: string | null) => v || '—' },
          { title: t('customers.tier'), dataIndex: 'tier', render: (v: string) => <TierTag tier={v} /> },
          { title: t('customer360.matchedOn'), dataIndex: 'matchedOn', render: (m: string[]) => m.map((x) => fieldLabel(t, x)).join('、') },
          ...(canMerge
            ? [
                {
                  title: t('common.actions'),
                  key: 'merge',
                  render: (_: unknown, r: { id: string; name: string }) => (
                    <Popconfirm
                      title={t('customer360.mergeConfirm', { from: r.name, into: d.profile.name })}
                      description={t('customer360.mergeHint')}
                      okText={t('customer360.merge')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => merge.mutate(r.id)}
                    >
                      <Button size="small" icon={<MergeCellsOutlined />} loading={merge.isPending && merge.variables === r.id}>
                        {t('customer360.mergeHere')}
                      </Button>
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

interface EditValues extends AssistValues {
  name: string;
  phone?: string;
  email?: string;
  wechatId?: string;
  idNumber?: string;
  tier: string;
  vip: boolean;
  tags?: string[];
  addresses?: { label?: string; text: string }[];
  demandType?: string;
  notes?: string;
  consent?: string[];
  building?: string;
  unit?: string;
  room?: string;
}

const EDIT_FIELDS = ['name', 'phone', 'email', 'wechatId', 'idNumber', 'tier', 'vip', 'tags', 'addresses', 'demandType', 'notes', 'consent', ...FLAT_FIELDS];

function EditDrawer({ profile, open, onClose }: { profile: CustomerProfile; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EditValues>();
  const save = useMutation({
    mutationFn: (body: CustomerPatch) => customersApi.patch(profile.id, body),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void queryClient.invalidateQueries({ queryKey: ['customers'] });
      onClose();
    },
    onError: (err) => showError(err, { form, fields: [...EDIT_FIELDS, ...ASSIST_FIELDS] }),
  });

  // Masked values come back as e.g. 139****9002: only send contact fields the user actually changed.
  const submit = (v: EditValues) => {
    const body: CustomerPatch = {};
    const changed = (name: keyof EditValues) => form.isFieldTouched(name);
    if (v.name.trim() !== profile.name) body.name = v.name.trim();
    if (changed('phone')) body.phone = v.phone?.replace(/[\s-]/g, '') || null;
    if (changed('email')) body.email = v.email?.trim() || null;
    if (changed('wechatId')) body.wechatId = v.wechatId?.trim() || null;
    if (changed('idNumber')) body.idNumber = v.idNumber?.trim() || null;
    if (v.tier !== profile.tier) body.tier = v.tier;
    if (v.vip !== profile.vip) body.vip = v.vip;
    body.tags = (v.tags ?? []).map((s) => s.trim()).filter(Boolean);
    body.addresses = (v.addresses ?? [])
      .filter((a) => a?.text?.trim())
      .map((a) => ({ ...(a.label?.trim() ? { label: a.label.trim() } : {}), text: a.text.trim() }));
    body.demandType = v.demandType?.trim() || null;
    body.notes = v.notes?.trim() || null;
    Object.assign(body, flatBody(v, true), assistBody(v));
    // Only the consents the user changed are sent: an untouched flag keeps what the record says (absent stays absent).
    const consentChanges = consentPatch(profile.consent, v.consent ?? []);
    if (consentChanges) body.consent = consentChanges;
    save.mutate(body);
  };

  const consent = profile.consent ?? {};
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('customer360.editTitle', { name: profile.name })}
      size={screens.md === false ? '100%' : 560}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="customer-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      <Form<EditValues>
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={submit}
        initialValues={{
          name: profile.name,
          phone: profile.phone ?? undefined,
          email: profile.email ?? undefined,
          wechatId: profile.wechatId ?? undefined,
          idNumber: profile.idNumber ?? undefined,
          tier: profile.tier,
          vip: profile.vip,
          tags: profile.tags,
          addresses: profile.addresses ?? [],
          demandType: profile.demandType ?? undefined,
          notes: profile.notes ?? undefined,
          building: profile.building ?? undefined,
          unit: profile.unit ?? undefined,
          room: profile.room ?? undefined,
          assistance: profile.assistance,
          assistanceNote: profile.assistanceNote ?? undefined,
          assistStaffId: profile.assistStaffId ?? undefined,
          consent: CONSENTS.filter((k) => consentGranted(consent, k)),
        }}
      >
        {profile.masked ? <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('customer360.maskedEditHint')} /> : null}
        <Form.Item name="name" label={t('customers.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <FlatFormItems />
        <Flex gap={16} wrap>
          <Form.Item name="phone" label={t('customers.phone')} style={{ flex: '1 1 200px' }}>
            <Input inputMode="tel" maxLength={24} />
          </Form.Item>
          <Form.Item name="email" label={t('customers.email')} style={{ flex: '1 1 200px' }}>
            <Input inputMode="email" maxLength={200} />
          </Form.Item>
        </Flex>
        <Flex gap={16} wrap>
          <Form.Item name="wechatId" label={t('customer360.wechatId')} style={{ flex: '1 1 200px' }}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="idNumber" label={t('customer360.idNumber')} style={{ flex: '1 1 200px' }} extra={t('customer360.idNumberHint')}>
            <Input maxLength={18} />
          </Form.Item>
        </Flex>
        <Flex gap={16} wrap>
          <Form.Item name="tier" label={t('customers.tier')} style={{ flex: '1 1 180px' }}>
            <Select options={CUSTOMER_TIERS.map((v) => ({ value: v, label: tierLabel(t, v) }))} />
          </Form.Item>
          <Form.Item name="vip" label={t('customers.vip')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item name="tags" label={t('customers.tags')} extra={t('customers.tagsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item label={t('customer360.addresses')}>
          <Form.List name="addresses">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8}>
                {fields.map((f) => (
                  <Space.Compact key={f.key} style={{ width: '100%' }}>
                    <Form.Item name={[f.name, 'label']} noStyle>
                      <Input placeholder={t('customer360.addressLabel')} style={{ width: 110 }} maxLength={32} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'text']} noStyle>
                      <Input placeholder={t('customer360.addressText')} maxLength={200} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />
                  </Space.Compact>
                ))}
                <div>
                  <Button size="small" icon={<PlusOutlined />} onClick={() => add({ label: '', text: '' })}>
                    {t('customer360.addAddress')}
                  </Button>
                </div>
              </Flex>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="demandType" label={t('customer360.demandType')}>
          <Input maxLength={64} placeholder={t('customer360.demandTypePlaceholder')} />
        </Form.Item>
        <AssistFormItems />
        <Form.Item name="notes" label={t('customer360.notes')}>
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} maxLength={5000} />
        </Form.Item>
        <Form.Item name="consent" label={t('customer360.consent')} extra={t('customer360.consentHint')}>
          <Checkbox.Group options={CONSENTS.map((k) => ({ value: k, label: t(`customer360.consents.${k}`) }))} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
