import { useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Col,
  Drawer,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { CUSTOMER_TICKET_TYPES } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { ticketTypeLabel } from '../auth/labels';
import { usePermission } from '../auth/me';
import { makeT } from './public/SurveyApp';
import { TouchSettings, touchesFor } from '../loops/TouchSettings';
import { SurveyForm } from './public/SurveyForm';
import zhPage from '../../i18n/extra/surveys.zh-CN.json';
import enPage from '../../i18n/extra/surveys.en.json';
import '../surveys/public/survey.css';
import {
  CHANNELS,
  KEYS,
  QUESTION_KINDS,
  SURVEY_PERM,
  toPublic,
  TRIGGERS,
  useLoopSettings,
  useTemplates,
  type LoopSettings,
  type Question,
  type SoftItem,
  type SurveyTemplate,
} from './api';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** 满意度调查: templates (builder with a live phone preview), soft-standard compliance, loop settings. */
export default function SurveysPage() {
  const { t } = useTranslation();
  const canManage = usePermission(SURVEY_PERM.manage);
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'templates';
  return (
    <Page title={t('surveys.title')} subtitle={t('surveys.subtitle')}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={[
          { key: 'templates', label: t('surveys.tabs.templates'), children: <Templates canManage={canManage} /> },
          { key: 'soft', label: t('surveys.tabs.soft'), children: <SoftCompliance /> },
          { key: 'settings', label: t('surveys.tabs.settings'), children: <Settings canManage={canManage} /> },
        ]}
      />
    </Page>
  );
}

function Templates({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const q = useTemplates();
  const [editing, setEditing] = useState<SurveyTemplate | 'new' | null>(null);
  const cols: TableColumnsType<SurveyTemplate> = [
    {
      title: t('surveys.cols.name'),
      dataIndex: 'name',
      render: (v: string, r) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{v}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('surveys.version', { n: r.version })}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('surveys.cols.questions'),
      render: (_, r) => (
        <Flex wrap gap={4}>
          {r.questions.map((x) => (
            <Tag key={x.id}>{t(`surveys.kinds.${x.kind}`)}</Tag>
          ))}
        </Flex>
      ),
    },
    { title: t('surveys.cols.triggers'), render: (_, r) => r.rules.triggers.map((x) => t(`surveys.triggers.${x}`)).join('、') },
    {
      title: t('surveys.cols.delay'),
      render: (_, r) => (r.rules.delaySeconds ? t('surveys.delayDays', { n: +(r.rules.delaySeconds / 86400).toFixed(1) }) : t('surveys.delayNone')),
    },
    { title: t('surveys.cols.sampling'), render: (_, r) => `${r.rules.samplingPercent}%` },
    { title: t('surveys.cols.state'), render: (_, r) => (r.active ? <Tag color="green">{t('surveys.active')}</Tag> : <Tag>{t('surveys.inactive')}</Tag>) },
    ...(canManage
      ? [
          {
            key: 'edit',
            width: 90,
            render: (_: unknown, r: SurveyTemplate) => (
              <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(r)}>
                {t('surveys.edit')}
              </Button>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card
      size="small"
      extra={
        canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="survey-new">
            {t('surveys.newTemplate')}
          </Button>
        ) : null
      }
    >
      <Table rowKey="id" size="middle" loading={q.isLoading} dataSource={q.data?.items ?? []} columns={cols} pagination={false} scroll={{ x: 760 }} />
      {editing ? <Builder template={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
    </Card>
  );
}

interface FormValues {
  name: string;
  description?: string;
  active: boolean;
  questions: (Question & { optionsText?: string; reasonsText?: string; agreeText?: string; agreeMin?: number })[];
  triggers: string[];
  delayDays: number;
  channel: string;
  samplingPercent: number;
  minDaysBetween: number;
  ticketTypes: string[];
  expiresInDays: number;
}

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\n|,|，/)
    .map((x) => x.trim())
    .filter(Boolean);

function Builder({ template, onClose }: { template: SurveyTemplate | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const softStandards = useQuery({
    queryKey: ['standards', 'soft'],
    queryFn: () => api.get<{ items: { id: string; code: string; name: string; kind: string }[] }>('/standards', { kind: 'soft', limit: 100 }),
  });
  const initial: FormValues = useMemo(() => {
    const tpl =
      template ??
      ({
        name: '',
        description: '',
        active: true,
        questions: [{ id: 'csat', kind: 'csat', label: '您对本次服务满意吗？', required: true, reasons: ['响应太慢', '问题没有解决', '服务态度不好', '其他'] }],
        rules: { triggers: ['ticket.resolved'], delaySeconds: 0, channel: 'link', samplingPercent: 100, minDaysBetween: 0, ticketTypes: [], expiresInDays: 7 },
      } as unknown as SurveyTemplate);
    return {
      name: tpl.name,
      description: tpl.description ?? '',
      active: tpl.active,
      questions: tpl.questions.map((q) => ({
        ...q,
        optionsText: (q.options ?? []).join('\n'),
        reasonsText: (q.reasons ?? []).join('\n'),
        agreeText: (q.agree?.options ?? []).join('\n'),
        agreeMin: q.agree?.min,
      })),
      triggers: tpl.rules.triggers,
      delayDays: tpl.rules.delaySeconds / 86400,
      channel: tpl.rules.channel,
      samplingPercent: tpl.rules.samplingPercent,
      minDaysBetween: tpl.rules.minDaysBetween,
      ticketTypes: tpl.rules.ticketTypes,
      expiresInDays: tpl.rules.expiresInDays,
    };
  }, [template]);
  const watched = Form.useWatch([], form) as FormValues | undefined;
  const v = watched ?? initial;
  const toQuestion = (q: FormValues['questions'][number]): Question => {
    const out: Question = { id: q.id, kind: q.kind, label: q.label, required: Boolean(q.required) };
    if (q.kind === 'choice') out.options = lines(q.optionsText);
    if (q.kind === 'csat' || q.kind === 'nps' || q.kind === 'ces') {
      const r = lines(q.reasonsText);
      if (r.length) out.reasons = r;
    }
    if (q.kind === 'scale') {
      out.min = q.min ?? 1;
      out.max = q.max ?? 5;
    }
    if (q.standardId) {
      out.standardId = q.standardId;
      if (q.kind === 'choice' && lines(q.agreeText).length) out.agree = { options: lines(q.agreeText) };
      else if (q.agreeMin !== undefined && q.agreeMin !== null && q.kind !== 'choice') out.agree = q.kind === 'ces' ? { max: q.agreeMin } : { min: q.agreeMin };
    }
    return out;
  };
  const previewQs = (v.questions ?? []).filter((q) => q && q.kind && q.label).map((q) => toPublic(toQuestion(q)));
  const pageT = useMemo(() => makeT((i18n.language === 'en' ? enPage : zhPage).surveyPage as Record<string, string>), [i18n.language]);
  const settings = useLoopSettings();

  const save = useMutation({
    mutationFn: (vals: FormValues) => {
      const body = {
        name: vals.name,
        description: vals.description || null,
        active: vals.active,
        questions: vals.questions.map(toQuestion),
        rules: {
          triggers: vals.triggers,
          delaySeconds: Math.round((vals.delayDays ?? 0) * 86400),
          channel: vals.channel,
          samplingPercent: vals.samplingPercent,
          minDaysBetween: vals.minDaysBetween,
          ticketTypes: vals.ticketTypes ?? [],
          expiresInDays: vals.expiresInDays,
        },
      };
      return template ? api.patch(`/survey-templates/${template.id}`, body) : api.post('/survey-templates', body);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: KEYS.templates });
      message.success(t('surveys.builder.saved'));
      onClose();
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });

  return (
    <Drawer
      open
      width={Math.min(1180, window.innerWidth)}
      title={t('surveys.builder.title')}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="survey-save">
          {t('surveys.builder.save')}
        </Button>
      }
    >
      <Row gutter={24}>
        <Col xs={24} lg={14}>
          <Form form={form} layout="vertical" initialValues={initial} onFinish={(vals) => save.mutate(vals)}>
            <Row gutter={12}>
              <Col span={18}>
                <Form.Item name="name" label={t('surveys.builder.name')} rules={[{ required: true }]}>
                  <Input maxLength={100} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="active" label={t('surveys.active')} valuePropName="checked">
                  <Switch />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="description" label={t('surveys.builder.description')}>
              <Input.TextArea rows={2} maxLength={500} />
            </Form.Item>
            <Typography.Title level={5}>{t('surveys.builder.questions')}</Typography.Title>
            <Form.List name="questions">
              {(fields, { add, remove }) => (
                <Flex vertical gap={12}>
                  {fields.map((f) => {
                    const kind = v.questions?.[f.name]?.kind;
                    const std = v.questions?.[f.name]?.standardId;
                    return (
                      <Card
                        key={f.key}
                        size="small"
                        extra={
                          <Button
                            size="small"
                            type="text"
                            danger
                            icon={<DeleteOutlined />}
                            onClick={() => remove(f.name)}
                            aria-label={t('surveys.builder.remove')}
                          />
                        }
                      >
                        <Row gutter={8}>
                          <Col xs={24} sm={8}>
                            <Form.Item name={[f.name, 'kind']} label={t('surveys.builder.kind')} rules={[{ required: true }]}>
                              <Select options={QUESTION_KINDS.map((k) => ({ value: k, label: t(`surveys.kinds.${k}`) }))} />
                            </Form.Item>
                          </Col>
                          <Col xs={12} sm={8}>
                            <Form.Item
                              name={[f.name, 'id']}
                              label={t('surveys.builder.qid')}
                              tooltip={t('surveys.builder.qidHelp')}
                              rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/ }]}
                            >
                              <Input />
                            </Form.Item>
                          </Col>
                          <Col xs={12} sm={8}>
                            <Form.Item name={[f.name, 'required']} label={t('surveys.builder.required')} valuePropName="checked">
                              <Switch />
                            </Form.Item>
                          </Col>
                        </Row>
                        <Form.Item name={[f.name, 'label']} label={t('surveys.builder.label')} rules={[{ required: true }]}>
                          <Input maxLength={200} />
                        </Form.Item>
                        {kind === 'choice' ? (
                          <Form.Item name={[f.name, 'optionsText']} label={t('surveys.builder.options')}>
                            <Input.TextArea rows={3} />
                          </Form.Item>
                        ) : null}
                        {kind === 'csat' || kind === 'nps' || kind === 'ces' ? (
                          <Form.Item name={[f.name, 'reasonsText']} label={t('surveys.builder.reasons')}>
                            <Input.TextArea rows={3} />
                          </Form.Item>
                        ) : null}
                        {kind === 'scale' ? (
                          <Row gutter={8}>
                            <Col span={12}>
                              <Form.Item name={[f.name, 'min']} label={t('surveys.builder.min')}>
                                <InputNumber min={0} max={9} style={{ width: '100%' }} />
                              </Form.Item>
                            </Col>
                            <Col span={12}>
                              <Form.Item name={[f.name, 'max']} label={t('surveys.builder.max')}>
                                <InputNumber min={1} max={10} style={{ width: '100%' }} />
                              </Form.Item>
                            </Col>
                          </Row>
                        ) : null}
                        {kind && kind !== 'text' ? (
                          <Row gutter={8}>
                            <Col xs={24} sm={12}>
                              <Form.Item name={[f.name, 'standardId']} label={t('surveys.builder.standard')}>
                                <Select
                                  allowClear
                                  placeholder={t('surveys.builder.standardNone')}
                                  options={(softStandards.data?.items ?? [])
                                    .filter((s) => s.kind === 'soft')
                                    .map((s) => ({ value: s.id, label: `${s.name}（${s.code}）` }))}
                                />
                              </Form.Item>
                            </Col>
                            {std ? (
                              <Col xs={24} sm={12}>
                                {kind === 'choice' ? (
                                  <Form.Item name={[f.name, 'agreeText']} label={t('surveys.builder.agreeOptions')}>
                                    <Input.TextArea rows={2} />
                                  </Form.Item>
                                ) : (
                                  <Form.Item name={[f.name, 'agreeMin']} label={t('surveys.builder.agreeMin')}>
                                    <InputNumber min={0} max={10} style={{ width: '100%' }} />
                                  </Form.Item>
                                )}
                              </Col>
                            ) : null}
                          </Row>
                        ) : null}
                      </Card>
                    );
                  })}
                  <Button
                    icon={<PlusOutlined />}
                    onClick={() => add({ id: `q${fields.length + 1}`, kind: 'scale', label: '', required: false, min: 1, max: 5 })}
                  >
                    {t('surveys.builder.addQuestion')}
                  </Button>
                </Flex>
              )}
            </Form.List>
            <Typography.Title level={5} style={{ marginTop: 20 }}>
              {t('surveys.builder.rules')}
            </Typography.Title>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item name="triggers" label={t('surveys.builder.triggers')} rules={[{ required: true }]}>
                  <Select mode="multiple" options={TRIGGERS.map((x) => ({ value: x, label: t(`surveys.triggers.${x}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="ticketTypes" label={t('surveys.builder.ticketTypes')}>
                  <Select mode="multiple" allowClear options={CUSTOMER_TICKET_TYPES.map((x) => ({ value: x, label: ticketTypeLabel(t, x) }))} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={8}>
                <Form.Item name="delayDays" label={t('surveys.builder.delayDays')}>
                  <InputNumber min={0} max={90} step={1} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={8}>
                <Form.Item name="channel" label={t('surveys.builder.channel')}>
                  <Select options={CHANNELS.map((x) => ({ value: x, label: t(`surveys.channels.${x}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={8}>
                <Form.Item name="samplingPercent" label={t('surveys.builder.sampling')}>
                  <InputNumber min={0} max={100} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={12}>
                <Form.Item name="minDaysBetween" label={t('surveys.builder.minDays')}>
                  <InputNumber min={0} max={365} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={12}>
                <Form.Item name="expiresInDays" label={t('surveys.builder.expires')}>
                  <InputNumber min={1} max={90} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
          </Form>
        </Col>
        <Col xs={24} lg={10}>
          <Typography.Text type="secondary">{t('surveys.builder.preview')}</Typography.Text>
          <div className="sv-phone" data-testid="survey-preview">
            <div className="sv-phone-screen sv-body">
              <div className="sv-shell" style={{ minHeight: 0 }}>
                <SurveyForm
                  key={previewQs.map((q) => `${q.id}:${q.kind}`).join('|')}
                  preview
                  title={v.name || '—'}
                  subtitle={pageT('surveyPage.about', { number: 'GD20261201-0001', subject: '…' })}
                  questions={previewQs}
                  lowScore={settings.data?.lowScore ?? { csatMax: 2, npsMax: 6, cesMin: 8 }}
                  t={pageT}
                />
              </div>
            </div>
          </div>
        </Col>
      </Row>
    </Drawer>
  );
}

/** Soft standards (measured by survey answers): rate vs target, by team / agent / day. Also shown on the standards page. */
export function SoftCompliance() {
  const { t } = useTranslation();
  const [by, setBy] = useState<'none' | 'team' | 'agent' | 'day'>('none');
  const [days, setDays] = useState(30);
  const q = useQuery({
    queryKey: KEYS.soft(by, days),
    queryFn: () =>
      api.get<{ items: SoftItem[] }>('/surveys/soft-compliance', {
        from: new Date(Date.now() - days * 86400_000).toISOString(),
        ...(by === 'none' ? {} : { by }),
      }),
  });
  const cols: TableColumnsType<SoftItem> = [
    {
      title: t('surveys.soft.standard'),
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{r.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.code} · {r.encounter}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('surveys.soft.source'),
      render: (_, r) =>
        r.source === 'questions'
          ? t('surveys.soft.sourceQuestions')
          : t('surveys.soft.sourceMeasure', { measure: r.source.replace('survey.', '').toUpperCase() }),
    },
    {
      title: t('surveys.soft.rate'),
      render: (_, r) => (
        <Typography.Text strong style={{ color: r.meetsTarget === false ? '#cf1322' : r.meetsTarget ? '#389e0d' : undefined }}>
          {pct(r.rate)}
        </Typography.Text>
      ),
    },
    { title: t('surveys.soft.target'), render: (_, r) => pct(r.target) },
    { title: t('surveys.soft.answers'), render: (_, r) => `${r.agree} / ${r.total}` },
    {
      title: '',
      render: (_, r) =>
        r.meetsTarget === null ? (
          <Tag>{t('surveys.soft.noData')}</Tag>
        ) : r.meetsTarget ? (
          <Tag color="green">{t('surveys.soft.meets')}</Tag>
        ) : (
          <Tag color="red">{t('surveys.soft.misses')}</Tag>
        ),
    },
  ];
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">{t('surveys.soft.help')}</Typography.Paragraph>
      <Flex gap={12} wrap style={{ marginBottom: 12 }}>
        <Segmented value={days} onChange={(x) => setDays(Number(x))} options={[7, 30, 90].map((n) => ({ value: n, label: t(`std.range.${n}`) }))} />
        <Segmented
          value={by}
          onChange={(x) => setBy(x as typeof by)}
          options={[
            { value: 'none', label: t('surveys.soft.byNone') },
            { value: 'team', label: t('surveys.soft.byTeam') },
            { value: 'agent', label: t('surveys.soft.byAgent') },
            { value: 'day', label: t('surveys.soft.byDay') },
          ]}
        />
      </Flex>
      <Table
        rowKey="standardId"
        size="middle"
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        columns={cols}
        pagination={false}
        scroll={{ x: 720 }}
        locale={{ emptyText: <Empty description={t('surveys.soft.empty')} /> }}
        expandable={
          by === 'none'
            ? undefined
            : {
                rowExpandable: (r) => r.breakdown.length > 0,
                expandedRowRender: (r) => (
                  <Table
                    size="small"
                    rowKey="key"
                    pagination={false}
                    dataSource={r.breakdown}
                    columns={[
                      { title: t(`surveys.soft.by${by[0]!.toUpperCase()}${by.slice(1)}`), render: (_, b) => b.name ?? b.key },
                      { title: t('surveys.soft.rate'), render: (_, b) => pct(b.rate) },
                      { title: t('surveys.soft.answers'), render: (_, b) => `${b.agree} / ${b.total}` },
                    ]}
                  />
                ),
              }
        }
      />
    </Card>
  );
}

function Settings({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const s = useLoopSettings();
  const [form] = Form.useForm<LoopSettings & { care: { contactDaysText?: string }; reactivation: { touchDaysText?: string } }>();
  const save = useMutation({
    mutationFn: (v: LoopSettings) => api.put<LoopSettings>('/loops/settings', v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: KEYS.settings });
      message.success(t('surveys.settings.saved'));
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const scan = useMutation({
    mutationFn: () => api.post<{ started: number }>('/loops/reactivation/scan'),
    onSuccess: (r) => message.success(t('surveys.settings.scanned', { n: r.started })),
    onError: (err) => message.error(errorMessage(err, t)),
  });
  if (!s.data) return <Card loading />;
  const nums = (x: string) =>
    x
      .split(/[,，\s]+/)
      .map(Number)
      .filter((n) => Number.isFinite(n));
  return (
    <Card size="small">
      <Form
        form={form}
        layout="vertical"
        disabled={!canManage}
        initialValues={{
          ...s.data,
          care: { ...s.data.care, contactDaysText: s.data.care.contactDays.join(', ') },
          reactivation: { ...s.data.reactivation, touchDaysText: s.data.reactivation.touchDays.join(', ') },
        }}
        onFinish={(v) =>
          save.mutate({
            lowScore: v.lowScore,
            care: {
              ticketTypes: v.care.ticketTypes,
              guaranteeDays: v.care.guaranteeDays,
              contactDays: nums(v.care.contactDaysText ?? ''),
              touches: touchesFor(v.care.touches, nums(v.care.contactDaysText ?? '')),
            },
            reactivation: {
              enabled: v.reactivation.enabled,
              silentDays: v.reactivation.silentDays,
              touchDays: nums(v.reactivation.touchDaysText ?? ''),
              touches: touchesFor(v.reactivation.touches, nums(v.reactivation.touchDaysText ?? '')),
            },
          })
        }
      >
        <Row gutter={24}>
          <Col xs={24} md={8}>
            <Typography.Title level={5}>{t('surveys.settings.lowScore')}</Typography.Title>
            <Form.Item name={['lowScore', 'csatMax']} label={t('surveys.settings.csatMax')}>
              <InputNumber min={0} max={5} />
            </Form.Item>
            <Form.Item name={['lowScore', 'npsMax']} label={t('surveys.settings.npsMax')}>
              <InputNumber min={-1} max={10} />
            </Form.Item>
            <Form.Item name={['lowScore', 'cesMin']} label={t('surveys.settings.cesMin')}>
              <InputNumber min={1} max={8} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Typography.Title level={5}>{t('surveys.settings.care')}</Typography.Title>
            <Form.Item name={['care', 'ticketTypes']} label={t('surveys.settings.careTypes')}>
              <Select mode="multiple" options={CUSTOMER_TICKET_TYPES.map((x) => ({ value: x, label: ticketTypeLabel(t, x) }))} />
            </Form.Item>
            <Form.Item name={['care', 'guaranteeDays']} label={t('surveys.settings.guaranteeDays')}>
              <InputNumber min={1} max={90} />
            </Form.Item>
            <Form.Item name={['care', 'contactDaysText']} label={t('surveys.settings.contactDays')}>
              <Input placeholder="1, 3, 6" />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Typography.Title level={5}>{t('surveys.settings.reactivation')}</Typography.Title>
            <Form.Item name={['reactivation', 'enabled']} label={t('surveys.settings.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name={['reactivation', 'silentDays']} label={t('surveys.settings.silentDays')}>
              <InputNumber min={1} max={3650} />
            </Form.Item>
            <Form.Item name={['reactivation', 'touchDaysText']} label={t('surveys.settings.touchDays')}>
              <Input placeholder="0, 3, 7, 14" />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5}>{t('loops.touches.title')}</Typography.Title>
        <Typography.Paragraph type="secondary">
          {t('loops.touches.hint')} {t('loops.touches.countsHint')}
        </Typography.Paragraph>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <TouchSettings kind="care" daysField="contactDaysText" />
          </Col>
          <Col xs={24} md={12}>
            <TouchSettings kind="reactivation" daysField="touchDaysText" />
          </Col>
        </Row>
        {canManage ? (
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('surveys.settings.save')}
            </Button>
            <Button onClick={() => scan.mutate()} loading={scan.isPending}>
              {t('surveys.settings.scan')}
            </Button>
          </Flex>
        ) : null}
      </Form>
    </Card>
  );
}
