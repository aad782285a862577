import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useSite, useSites } from './api';

type Proposal = ItemOf<ResponseOf<'get', '/field/maintenance/proposals'>['items']>;
type Plan = ItemOf<ResponseOf<'get', '/field/maintenance/plans'>['items']>;
type Decision = { kind: 'accept' | 'dismiss'; proposal: Proposal } | { kind: 'plan' };

const KEYS = { proposals: ['field-maintenance-proposals'], plans: ['field-maintenance-plans'] } as const;

/**
 * 预防性维护 (field.manage): recurring-fault proposals with their repair history (accept → a plan or a one-off
 * inspection 巡检, dismiss), plans of an asset, a site or an asset model.
 */
export default function MaintenancePage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [state, setState] = useState<'open' | 'accepted' | 'dismissed'>('open');
  const proposals = useQuery({ queryKey: [...KEYS.proposals, state], queryFn: () => http.get('/field/maintenance/proposals', { query: { state } }) });
  const plans = useQuery({ queryKey: KEYS.plans, queryFn: () => http.get('/field/maintenance/plans') });
  const sites = useSites();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [siteId, setSiteId] = useState<string | undefined>();
  const site = useSite(decision?.kind === 'plan' ? siteId : undefined);
  const [form] = Form.useForm();
  const outcome = Form.useWatch<'plan' | 'inspection' | undefined>('outcome', form) ?? 'plan';
  const target = Form.useWatch<'site' | 'model' | undefined>('target', form) ?? 'site';
  const date = (v: string) => new Date(v).toLocaleDateString(i18n.language);

  const done = async () => {
    message.success(t('fieldMaintenance.saved'));
    setDecision(null);
    setSiteId(undefined);
    await qc.invalidateQueries({ queryKey: KEYS.proposals });
    await qc.invalidateQueries({ queryKey: KEYS.plans });
  };
  const cadence = (v: Record<string, unknown>) => ({
    ...(v.unit === 'month' ? { everyMonths: Number(v.every) } : { everyDays: Number(v.every) }),
    leadDays: Number(v.leadDays ?? 7),
    ...(v.startDate ? { startDate: v.startDate as string } : {}),
  });
  const save = useMutation({
    mutationFn: async (v: Record<string, unknown>) => {
      if (!decision) return null;
      if (decision.kind === 'dismiss')
        return http.post('/field/maintenance/proposals/{id}/dismiss', { path: { id: decision.proposal.id }, body: { reason: String(v.reason) } });
      if (decision.kind === 'accept')
        return http.post('/field/maintenance/proposals/{id}/accept', {
          path: { id: decision.proposal.id },
          body: v.outcome === 'inspection' ? { outcome: 'inspection', ...(v.date ? { date: v.date as string } : {}) } : { outcome: 'plan', ...cadence(v) },
        });
      const subject = v.target === 'model' ? { assetModel: String(v.assetModel) } : v.assetId ? { assetId: v.assetId as string } : { siteId: String(v.siteId) };
      return http.post('/field/maintenance/plans', { body: { ...subject, ...cadence(v) } });
    },
    onSuccess: done,
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const toggle = useMutation({
    mutationFn: (p: Plan) => http.patch('/field/maintenance/plans/{id}', { path: { id: p.id }, body: { active: !p.active } }),
    onSuccess: done,
    onError: (err) => message.error(errorMessage(err, t)),
  });

  const required = [{ required: true, message: t('fieldMaintenance.required') }];
  const cadenceFields = (
    <>
      <Space align="start">
        <Form.Item name="every" label={t('fieldMaintenance.every')} rules={required}>
          <InputNumber min={1} max={3650} precision={0} />
        </Form.Item>
        <Form.Item name="unit" label={t('fieldMaintenance.unit')} initialValue="month">
          <Radio.Group
            options={[
              { value: 'day', label: t('fieldMaintenance.units.day') },
              { value: 'month', label: t('fieldMaintenance.units.month') },
            ]}
          />
        </Form.Item>
      </Space>
      <Form.Item name="leadDays" label={t('fieldMaintenance.leadDays')} initialValue={7}>
        <InputNumber min={0} max={365} precision={0} />
      </Form.Item>
      <Form.Item name="startDate" label={t('fieldMaintenance.startDate')} extra={t('fieldMaintenance.startDateHint')}>
        <Input type="date" />
      </Form.Item>
    </>
  );

  return (
    <Page
      title={t('fieldMaintenance.title')}
      subtitle={t('fieldMaintenance.subtitle')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setDecision({ kind: 'plan' })}>
          {t('fieldMaintenance.newPlan')}
        </Button>
      }
    >
      <Card
        size="small"
        title={t('fieldMaintenance.proposals')}
        style={{ marginBottom: 16 }}
        extra={
          <Radio.Group
            size="small"
            value={state}
            onChange={(e) => setState(e.target.value as typeof state)}
            options={(['open', 'accepted', 'dismissed'] as const).map((s) => ({ value: s, label: t(`fieldMaintenance.states.${s}`) }))}
            optionType="button"
          />
        }
      >
        <Table<Proposal>
          rowKey="id"
          size="small"
          loading={proposals.isLoading}
          dataSource={proposals.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('fieldMaintenance.noProposals') }}
          columns={[
            {
              title: t('fieldMaintenance.subject'),
              key: 'subject',
              render: (_: unknown, p: Proposal) => (
                <Space>
                  <Tag>{t(`fieldMaintenance.kinds.${p.subjectKind}`)}</Tag>
                  {p.subjectName}
                </Space>
              ),
            },
            {
              title: t('fieldMaintenance.history'),
              key: 'history',
              render: (_: unknown, p: Proposal) => (
                <Space direction="vertical" size={0}>
                  {p.tickets.map((tk) => (
                    <span key={tk.id}>
                      <Link to={`/tickets/${tk.id}`}>{tk.number}</Link> <Typography.Text type="secondary">{date(tk.createdAt)}</Typography.Text> {tk.subject}
                    </span>
                  ))}
                  {p.ticketCount > p.tickets.length && (
                    <Typography.Text type="secondary">{t('fieldMaintenance.hiddenTickets', { n: p.ticketCount - p.tickets.length })}</Typography.Text>
                  )}
                </Space>
              ),
            },
            { title: t('fieldMaintenance.proposedAt'), dataIndex: 'createdAt', key: 'createdAt', render: (v: string) => date(v) },
            {
              title: t('fieldMaintenance.outcome'),
              key: 'outcome',
              render: (_: unknown, p: Proposal) =>
                p.outcome ? (
                  <Space>
                    <Tag color={p.outcome === 'inspection' ? 'purple' : 'blue'}>{t(`fieldMaintenance.outcomes.${p.outcome}`)}</Tag>
                    {p.inspectionTicketId && <Link to={`/tickets/${p.inspectionTicketId}`}>{t('fieldMaintenance.inspectionTicket')}</Link>}
                  </Space>
                ) : (
                  '—'
                ),
            },
            { title: t('fieldMaintenance.reason'), dataIndex: 'reason', key: 'reason', render: (v: string | null) => v ?? '—' },
            {
              title: '',
              key: 'act',
              render: (_: unknown, p: Proposal) =>
                p.state === 'open' ? (
                  <Space>
                    <Button size="small" type="primary" onClick={() => setDecision({ kind: 'accept', proposal: p })}>
                      {t('fieldMaintenance.accept')}
                    </Button>
                    <Button size="small" onClick={() => setDecision({ kind: 'dismiss', proposal: p })}>
                      {t('fieldMaintenance.dismiss')}
                    </Button>
                  </Space>
                ) : null,
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('fieldMaintenance.plans')}>
        <Table<Plan>
          rowKey="id"
          size="small"
          loading={plans.isLoading}
          dataSource={plans.data?.items ?? []}
          pagination={false}
          locale={{ emptyText: t('fieldMaintenance.noPlans') }}
          columns={[
            {
              title: t('fieldMaintenance.subject'),
              key: 'subject',
              render: (_: unknown, p: Plan) => (
                <Space>
                  <Tag>{t(`fieldMaintenance.kinds.${p.subjectKind}`)}</Tag>
                  {p.subjectName}
                  {p.subjectKind === 'model' && <Typography.Text type="secondary">{t('fieldMaintenance.assetCount', { n: p.assetCount })}</Typography.Text>}
                </Space>
              ),
            },
            { title: t('fieldMaintenance.cadence'), key: 'cadence', render: (_: unknown, p: Plan) => t(`fieldMaintenance.everyN.${p.unit}`, { n: p.everyN }) },
            { title: t('fieldMaintenance.leadDays'), dataIndex: 'leadDays', key: 'leadDays' },
            { title: t('fieldMaintenance.nextDue'), dataIndex: 'nextDue', key: 'nextDue' },
            {
              title: t('fieldMaintenance.active'),
              key: 'active',
              render: (_: unknown, p: Plan) => (
                <Space>
                  <Tag color={p.active ? 'green' : 'default'}>{t(p.active ? 'fieldMaintenance.on' : 'fieldMaintenance.off')}</Tag>
                  <Button size="small" onClick={() => toggle.mutate(p)} loading={toggle.isPending}>
                    {t(p.active ? 'fieldMaintenance.pause' : 'fieldMaintenance.resume')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={decision !== null}
        title={decision ? t(`fieldMaintenance.modal.${decision.kind}`) : ''}
        okText={t('fieldMaintenance.submit')}
        onCancel={() => setDecision(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v: Record<string, unknown>) => save.mutate(v)} preserve={false}>
          {decision?.kind === 'dismiss' && (
            <Form.Item name="reason" label={t('fieldMaintenance.reason')} rules={required}>
              <Input.TextArea maxLength={500} />
            </Form.Item>
          )}
          {decision?.kind === 'accept' && (
            <>
              <Typography.Paragraph>{t('fieldMaintenance.acceptHint', { name: decision.proposal.subjectName })}</Typography.Paragraph>
              <Form.Item name="outcome" label={t('fieldMaintenance.outcome')} initialValue="plan">
                <Radio.Group
                  optionType="button"
                  options={(['plan', 'inspection'] as const).map((o) => ({ value: o, label: t(`fieldMaintenance.outcomes.${o}`) }))}
                />
              </Form.Item>
              {outcome === 'inspection' ? (
                <Form.Item name="date" label={t('fieldMaintenance.inspectionDate')} extra={t('fieldMaintenance.inspectionDateHint')}>
                  <Input type="date" />
                </Form.Item>
              ) : (
                cadenceFields
              )}
            </>
          )}
          {decision?.kind === 'plan' && (
            <>
              <Form.Item name="target" label={t('fieldMaintenance.target')} initialValue="site">
                <Radio.Group optionType="button" options={(['site', 'model'] as const).map((o) => ({ value: o, label: t(`fieldMaintenance.targets.${o}`) }))} />
              </Form.Item>
              {target === 'model' ? (
                <Form.Item name="assetModel" label={t('fieldMaintenance.assetModel')} extra={t('fieldMaintenance.assetModelHint')} rules={required}>
                  <Input maxLength={200} />
                </Form.Item>
              ) : (
                <>
                  <Form.Item name="siteId" label={t('fieldMaintenance.site')} rules={required}>
                    <Select
                      showSearch
                      optionFilterProp="label"
                      onChange={(v: string) => {
                        setSiteId(v);
                        form.setFieldValue('assetId', undefined);
                      }}
                      options={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
                    />
                  </Form.Item>
                  <Form.Item name="assetId" label={t('fieldMaintenance.asset')} extra={t('fieldMaintenance.assetHint')}>
                    <Select allowClear options={(site.data?.assets ?? []).map((a) => ({ value: a.id, label: a.name }))} />
                  </Form.Item>
                </>
              )}
              {cadenceFields}
            </>
          )}
        </Form>
      </Modal>
    </Page>
  );
}
