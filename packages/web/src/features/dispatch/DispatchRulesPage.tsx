import { useState } from 'react';
import {
  App,
  Badge,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Switch,
  Table,
  Tag,
  Timeline,
  TreeSelect,
  Typography,
  type TableColumnsType,
} from 'antd';
import { CheckCircleFilled, CloseCircleFilled, DeleteOutlined, EditOutlined, ExperimentOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { dispatchApi } from '../../api/endpoints';
import {
  CHANNELS,
  CUSTOMER_TIERS,
  PRIORITIES,
  TICKET_TYPES,
  type DispatchConditions,
  type DispatchDecision,
  type DispatchRule,
  type DispatchRuleInput,
  type DryRunBody,
} from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { channelLabel, priorityLabel, tierLabel, ticketTypeLabel } from '../auth/labels';
import { CustomerPicker } from '../customers/CustomerPicker';
import { useTeams } from '../staff/queries';
import { useCategoryTree } from '../tickets/queries';

const RULES_KEY = ['dispatch', 'rules'] as const;

function conditionTags(c: DispatchConditions, t: TFunction, categoryPath: (id: string) => string) {
  const out: { key: string; text: string }[] = [];
  if (c.types?.length) out.push({ key: 'types', text: `${t('tickets.type')}：${c.types.map((v) => ticketTypeLabel(t, v)).join('/')}` });
  if (c.categoryIds?.length) out.push({ key: 'cats', text: `${t('tickets.category')}：${c.categoryIds.map(categoryPath).join('/')}` });
  if (c.priorities?.length) out.push({ key: 'prio', text: `${t('tickets.priority')}：${c.priorities.map((v) => priorityLabel(t, v)).join('/')}` });
  if (c.channels?.length) out.push({ key: 'chan', text: `${t('tickets.channel')}：${c.channels.map((v) => channelLabel(t, v)).join('/')}` });
  if (c.tiers?.length) out.push({ key: 'tiers', text: `${t('customers.tier')}：${c.tiers.map((v) => tierLabel(t, v)).join('/')}` });
  if (c.vip !== undefined) out.push({ key: 'vip', text: c.vip ? t('dispatch.vipOnly') : t('dispatch.nonVip') });
  return out;
}

/** 派单规则 (admin): ordered rules with a conditions editor, and a dry run that explains the decision. */
export default function DispatchRulesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const categories = useCategoryTree();
  const rules = useQuery({ queryKey: RULES_KEY, queryFn: dispatchApi.rules });
  const [editing, setEditing] = useState<DispatchRule | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => dispatchApi.remove(id),
    onSuccess: () => {
      void message.success(t('dispatch.deleted'));
      void queryClient.invalidateQueries({ queryKey: RULES_KEY });
    },
    onError: (err) => showError(err),
  });
  const toggle = useMutation({
    mutationFn: (r: DispatchRule) => dispatchApi.update(r.id, toInput({ ...r, active: !r.active })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: RULES_KEY }),
    onError: (err) => showError(err),
  });
  const catPath = (id: string) => categories.paths.get(id) ?? id;

  const items = [...(rules.data?.items ?? [])].sort((a, b) => a.position - b.position);
  const columns: TableColumnsType<DispatchRule> = [
    { title: t('dispatch.position'), dataIndex: 'position', width: 70 },
    {
      title: t('dispatch.name'),
      dataIndex: 'name',
      width: 240,
      render: (v: string, r) => (
        <Flex vertical gap={4}>
          <Typography.Text strong>{v}</Typography.Text>
          <Flex gap={4} wrap>
            {conditionTags(r.conditions, t, catPath).map((c) => (
              <Tag key={c.key} style={{ marginInlineEnd: 0 }}>
                {c.text}
              </Tag>
            ))}
            {conditionTags(r.conditions, t, catPath).length === 0 ? <Tag color="default">{t('dispatch.matchesAll')}</Tag> : null}
          </Flex>
        </Flex>
      ),
    },
    { title: t('dispatch.team'), dataIndex: 'teamName', width: 150, render: (v: string | null) => v ?? '—' },
    {
      title: t('dispatch.skills'),
      dataIndex: 'requiredSkills',
      width: 140,
      render: (s: string[]) => (s.length ? s.map((x) => <Tag key={x}>{x}</Tag>) : <Typography.Text type="secondary">—</Typography.Text>),
    },
    { title: t('dispatch.maxOpen'), dataIndex: 'maxOpenPerAgent', width: 110, render: (v: number | null) => v ?? t('dispatch.noLimit') },
    {
      title: t('dispatch.active'),
      dataIndex: 'active',
      width: 80,
      render: (v: boolean, r) => (
        <Switch size="small" checked={v} loading={toggle.isPending && toggle.variables?.id === r.id} onChange={() => toggle.mutate(r)} />
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 150,
      fixed: 'right',
      render: (_, r) => (
        <Flex gap={4}>
          <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(r)}>
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('dispatch.deleteConfirm', { name: r.name })}
            onConfirm={() => remove.mutate(r.id)}
            okText={t('common.delete')}
            okButtonProps={{ danger: true }}
            cancelText={t('common.cancel')}
          >
            <Button size="small" type="link" danger icon={<DeleteOutlined />}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Flex>
      ),
    },
  ];

  return (
    <Page
      title={t('dispatch.title')}
      subtitle={t('dispatch.subtitle')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="rule-create">
          {t('dispatch.create')}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        <Card styles={{ body: { padding: 0 } }} title={t('dispatch.rules')}>
          <Table<DispatchRule>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={items}
            loading={rules.isPending}
            pagination={false}
            scroll={{ x: 960 }}
            rowClassName={(r) => (r.active ? '' : 'chidu-row-muted')}
            locale={{ emptyText: rules.isError ? errorMessage(rules.error, t) : t('dispatch.empty') }}
            data-testid="rules-table"
          />
          <Typography.Paragraph type="secondary" style={{ margin: 0, padding: '12px 16px' }}>
            {t('dispatch.howItWorks')}
          </Typography.Paragraph>
        </Card>
        <DryRunPanel />
      </Flex>
      <RuleDrawer rule={editing} onClose={() => setEditing(null)} nextPosition={(items.at(-1)?.position ?? 0) + 10} />
    </Page>
  );
}

function toInput(r: DispatchRule): DispatchRuleInput {
  return {
    name: r.name,
    active: r.active,
    position: r.position,
    conditions: r.conditions,
    teamId: r.teamId,
    requiredSkills: r.requiredSkills,
    maxOpenPerAgent: r.maxOpenPerAgent,
  };
}

interface RuleValues {
  name: string;
  active: boolean;
  position?: number;
  teamId: string;
  requiredSkills?: string[];
  maxOpenPerAgent?: number | null;
  types?: string[];
  categoryIds?: string[];
  priorities?: string[];
  channels?: string[];
  tiers?: string[];
  vip?: 'any' | 'yes' | 'no';
}

function RuleDrawer({ rule, onClose, nextPosition }: { rule: DispatchRule | 'new' | null; onClose: () => void; nextPosition: number }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const teams = useTeams(rule !== null);
  const categories = useCategoryTree(rule !== null);
  const [form] = Form.useForm<RuleValues>();
  const editing = rule && rule !== 'new' ? rule : null;
  const save = useMutation({
    mutationFn: (body: DispatchRuleInput) => (editing ? dispatchApi.update(editing.id, body) : dispatchApi.create(body)),
    onSuccess: (r) => {
      void message.success(editing ? t('dispatch.updated', { name: r.name }) : t('dispatch.created', { name: r.name }));
      void queryClient.invalidateQueries({ queryKey: RULES_KEY });
      onClose();
    },
    onError: (err) =>
      showError(err, {
        form,
        fields: ['name', 'active', 'position', 'teamId', 'requiredSkills', 'maxOpenPerAgent', 'types', 'categoryIds', 'priorities', 'channels', 'tiers', 'vip'],
        fieldMap: {},
      }),
  });

  const initial: RuleValues = editing
    ? {
        name: editing.name,
        active: editing.active,
        position: editing.position,
        teamId: editing.teamId,
        requiredSkills: editing.requiredSkills,
        maxOpenPerAgent: editing.maxOpenPerAgent,
        types: editing.conditions.types ?? [],
        categoryIds: editing.conditions.categoryIds ?? [],
        priorities: editing.conditions.priorities ?? [],
        channels: editing.conditions.channels ?? [],
        tiers: editing.conditions.tiers ?? [],
        vip: editing.conditions.vip === undefined ? 'any' : editing.conditions.vip ? 'yes' : 'no',
      }
    : { name: '', active: true, position: nextPosition, teamId: undefined as unknown as string, requiredSkills: [], maxOpenPerAgent: null, vip: 'any' };

  const submit = (v: RuleValues) => {
    const conditions: DispatchConditions = {};
    if (v.types?.length) conditions.types = v.types as DispatchConditions['types'];
    if (v.categoryIds?.length) conditions.categoryIds = v.categoryIds;
    if (v.priorities?.length) conditions.priorities = v.priorities as DispatchConditions['priorities'];
    if (v.channels?.length) conditions.channels = v.channels as DispatchConditions['channels'];
    if (v.tiers?.length) conditions.tiers = v.tiers;
    if (v.vip === 'yes') conditions.vip = true;
    if (v.vip === 'no') conditions.vip = false;
    save.mutate({
      name: v.name.trim(),
      active: v.active,
      ...(v.position !== undefined && v.position !== null ? { position: v.position } : {}),
      conditions,
      teamId: v.teamId,
      requiredSkills: (v.requiredSkills ?? []).map((s) => s.trim()).filter(Boolean),
      maxOpenPerAgent: v.maxOpenPerAgent ?? null,
    });
  };

  return (
    <Drawer
      open={rule !== null}
      onClose={onClose}
      title={editing ? t('dispatch.editTitle', { name: editing.name }) : t('dispatch.create')}
      size={screens.md === false ? '100%' : 560}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="rule-save">
            {t('common.save')}
          </Button>
        </Flex>
      }
    >
      <Form<RuleValues> form={form} layout="vertical" initialValues={initial} onFinish={submit} preserve={false}>
        <Form.Item name="name" label={t('dispatch.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={100} placeholder={t('dispatch.namePlaceholder')} />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item name="position" label={t('dispatch.position')} extra={t('dispatch.positionHint')} style={{ flex: '1 1 160px' }}>
            <InputNumber min={0} max={100_000} precision={0} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="active" label={t('dispatch.active')} valuePropName="checked" style={{ flex: '0 0 auto' }}>
            <Switch />
          </Form.Item>
        </Flex>
        <Typography.Title level={5}>{t('dispatch.conditions')}</Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
          {t('dispatch.conditionsHint')}
        </Typography.Paragraph>
        <Form.Item name="types" label={t('tickets.type')}>
          <Select mode="multiple" allowClear options={TICKET_TYPES.map((v) => ({ value: v, label: ticketTypeLabel(t, v) }))} placeholder={t('dispatch.any')} />
        </Form.Item>
        <Form.Item name="categoryIds" label={t('tickets.category')}>
          <TreeSelect
            treeData={categories.tree}
            multiple
            allowClear
            treeDefaultExpandAll
            placeholder={t('dispatch.any')}
            showSearch={{ treeNodeFilterProp: 'title' }}
          />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item name="priorities" label={t('tickets.priority')} style={{ flex: '1 1 200px' }}>
            <Select mode="multiple" allowClear options={PRIORITIES.map((v) => ({ value: v, label: priorityLabel(t, v) }))} placeholder={t('dispatch.any')} />
          </Form.Item>
          <Form.Item name="channels" label={t('tickets.channel')} style={{ flex: '1 1 200px' }}>
            <Select mode="multiple" allowClear options={CHANNELS.map((v) => ({ value: v, label: channelLabel(t, v) }))} placeholder={t('dispatch.any')} />
          </Form.Item>
        </Flex>
        <Flex gap={16} wrap>
          <Form.Item name="tiers" label={t('customers.tier')} style={{ flex: '1 1 200px' }}>
            <Select mode="multiple" allowClear options={CUSTOMER_TIERS.map((v) => ({ value: v, label: tierLabel(t, v) }))} placeholder={t('dispatch.any')} />
          </Form.Item>
          <Form.Item name="vip" label={t('customers.vip')} style={{ flex: '1 1 160px' }}>
            <Select
              options={[
                { value: 'any', label: t('dispatch.any') },
                { value: 'yes', label: t('dispatch.vipOnly') },
                { value: 'no', label: t('dispatch.nonVip') },
              ]}
            />
          </Form.Item>
        </Flex>
        <Typography.Title level={5}>{t('dispatch.target')}</Typography.Title>
        <Form.Item name="teamId" label={t('dispatch.team')} rules={[{ required: true, message: t('validation.required') }]}>
          <Select
            loading={teams.isPending}
            options={(teams.data?.items ?? []).map((tm) => ({ value: tm.id, label: tm.name }))}
            placeholder={t('dispatch.teamPlaceholder')}
          />
        </Form.Item>
        <Form.Item name="requiredSkills" label={t('dispatch.skills')} extra={t('dispatch.skillsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="maxOpenPerAgent" label={t('dispatch.maxOpen')} extra={t('dispatch.maxOpenHint')}>
          <InputNumber min={1} max={10_000} precision={0} style={{ width: 200 }} placeholder={t('dispatch.noLimit')} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

interface DryValues {
  customerId?: string;
  type?: string;
  channel?: string;
  priority?: string;
  categoryId?: string;
  tier?: string;
  vip?: 'any' | 'yes' | 'no';
}

/** "Who would get this ticket and why": rule trace and candidates. */
function DryRunPanel() {
  const { t } = useTranslation();
  const showError = useApiError();
  const categories = useCategoryTree();
  const [form] = Form.useForm<DryValues>();
  const run = useMutation({ mutationFn: (body: DryRunBody) => dispatchApi.dryRun(body), onError: (err) => showError(err) });

  const submit = (v: DryValues) => {
    const body: DryRunBody = {};
    if (v.customerId) body.customerId = v.customerId;
    if (v.type) body.type = v.type as DryRunBody['type'];
    if (v.channel) body.channel = v.channel as DryRunBody['channel'];
    if (v.priority) body.priority = v.priority as DryRunBody['priority'];
    if (v.categoryId) body.categoryId = v.categoryId;
    if (v.tier) body.tier = v.tier;
    if (v.vip === 'yes') body.vip = true;
    if (v.vip === 'no') body.vip = false;
    run.mutate(body);
  };

  return (
    <Card
      title={
        <span>
          <ExperimentOutlined /> {t('dispatch.dryRun.title')}
        </span>
      }
      data-testid="dry-run"
    >
      <Row gutter={[24, 16]}>
        <Col xs={24} lg={9}>
          <Typography.Paragraph type="secondary">{t('dispatch.dryRun.hint')}</Typography.Paragraph>
          <Form<DryValues> form={form} layout="vertical" onFinish={submit} initialValues={{ type: 'repair', channel: 'phone', priority: 'normal', vip: 'any' }}>
            <Flex gap={12} wrap>
              <Form.Item name="type" label={t('tickets.type')} style={{ flex: '1 1 140px' }}>
                <Select allowClear options={TICKET_TYPES.map((v) => ({ value: v, label: ticketTypeLabel(t, v) }))} data-testid="dry-run-type" />
              </Form.Item>
              <Form.Item name="channel" label={t('tickets.channel')} style={{ flex: '1 1 140px' }}>
                <Select allowClear options={CHANNELS.map((v) => ({ value: v, label: channelLabel(t, v) }))} />
              </Form.Item>
              <Form.Item name="priority" label={t('tickets.priority')} style={{ flex: '1 1 140px' }}>
                <Select allowClear options={PRIORITIES.map((v) => ({ value: v, label: priorityLabel(t, v) }))} />
              </Form.Item>
            </Flex>
            <Form.Item name="categoryId" label={t('tickets.category')}>
              <TreeSelect treeData={categories.tree} allowClear treeDefaultExpandAll placeholder={t('dispatch.any')} />
            </Form.Item>
            <Form.Item name="customerId" label={t('dispatch.dryRun.customer')} extra={t('dispatch.dryRun.customerHint')}>
              <CustomerPicker allowCreate={false} />
            </Form.Item>
            <Flex gap={12} wrap>
              <Form.Item name="tier" label={t('customers.tier')} style={{ flex: '1 1 140px' }}>
                <Select
                  allowClear
                  options={CUSTOMER_TIERS.map((v) => ({ value: v, label: tierLabel(t, v) }))}
                  placeholder={t('dispatch.dryRun.fromCustomer')}
                />
              </Form.Item>
              <Form.Item name="vip" label={t('customers.vip')} style={{ flex: '1 1 140px' }}>
                <Select
                  options={[
                    { value: 'any', label: t('dispatch.dryRun.fromCustomer') },
                    { value: 'yes', label: t('dispatch.vipOnly') },
                    { value: 'no', label: t('dispatch.nonVip') },
                  ]}
                />
              </Form.Item>
            </Flex>
            <Button type="primary" htmlType="submit" icon={<ExperimentOutlined />} loading={run.isPending} block data-testid="dry-run-submit">
              {t('dispatch.dryRun.run')}
            </Button>
          </Form>
        </Col>
        <Col xs={24} lg={15}>
          {run.data ? (
            <DryRunResult d={run.data} />
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dispatch.dryRun.waiting')} style={{ marginTop: 48 }} />
          )}
        </Col>
      </Row>
    </Card>
  );
}

function DryRunResult({ d }: { d: DispatchDecision }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={16} data-testid="dry-run-result">
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          {
            key: 'rule',
            label: t('dispatch.dryRun.rule'),
            children: d.ruleName ?? <Typography.Text type="secondary">{t('dispatch.dryRun.noRule')}</Typography.Text>,
          },
          {
            key: 'staff',
            label: t('dispatch.dryRun.staff'),
            children: d.staffName ? (
              <Typography.Text strong>{d.staffName}</Typography.Text>
            ) : (
              <Typography.Text type="warning">{t('dispatch.dryRun.nobody')}</Typography.Text>
            ),
          },
          { key: 'reason', label: t('dispatch.dryRun.reason'), children: <span data-testid="dry-run-reason">{d.reason}</span> },
        ]}
      />
      <div>
        <Typography.Title level={5}>{t('dispatch.dryRun.trace')}</Typography.Title>
        {d.rules.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dispatch.empty')} />
        ) : (
          <Timeline
            items={d.rules.map((r) => ({
              key: r.ruleId,
              color: r.matched ? 'green' : 'gray',
              icon: r.matched ? <CheckCircleFilled /> : <CloseCircleFilled />,
              content: (
                <Flex vertical>
                  <Typography.Text strong={r.matched}>{r.name}</Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                    {r.why}
                  </Typography.Text>
                </Flex>
              ),
            }))}
          />
        )}
      </div>
      <div>
        <Typography.Title level={5}>{t('dispatch.dryRun.candidates')}</Typography.Title>
        <Table
          size="small"
          rowKey="staffId"
          pagination={false}
          dataSource={d.candidates}
          rowClassName={(c) => (c.staffId === d.staffId ? 'chidu-row-picked' : c.eligible ? '' : 'chidu-row-muted')}
          locale={{ emptyText: t('dispatch.dryRun.noCandidates') }}
          columns={[
            {
              title: t('teamLoad.member'),
              dataIndex: 'name',
              render: (v: string, c) => (
                <Flex gap={6} align="center">
                  {c.eligible ? <CheckCircleFilled style={{ color: '#52c41a' }} /> : <CloseCircleFilled style={{ color: '#bfbfbf' }} />}
                  <span>{v}</span>
                  {c.staffId === d.staffId ? <Tag color="blue">{t('dispatch.dryRun.picked')}</Tag> : null}
                </Flex>
              ),
            },
            {
              title: t('teamLoad.duty'),
              dataIndex: 'onDuty',
              width: 80,
              render: (v: boolean) => <Badge status={v ? 'success' : 'default'} text={v ? t('duty.onDuty') : t('duty.offDuty')} />,
            },
            { title: t('teamLoad.open'), dataIndex: 'openLoad', width: 70, align: 'right' },
            { title: t('dispatch.dryRun.why'), dataIndex: 'why' },
          ]}
        />
      </div>
    </Flex>
  );
}
