import { useState } from 'react';
import { App, Button, Card, Col, DatePicker, Drawer, Form, Input, InputNumber, Row, Select, Space, Statistic, Table, Tabs, Tag, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { usePermission } from '../auth/me';
import { siteLabel, useEnvSites, type EnvSite } from '../environment/api';
import { useScorecards } from '../quality/api';
import { CHANNELS, KINDS, MYSTERY_KEYS, thisMonth, useMonth, useScripts, useVisits, type MysteryVisit, type PlanBody, type ScriptBody } from './api';

/** Sites a shopper visits (no rooms or units), estates and stores first, then their buildings. */
export function siteOptions(all: EnvSite[]) {
  const visitable = all.filter((s) => ['community', 'store', 'outlet', 'site', 'building'].includes(s.kind));
  visitable.sort(
    (a, b) => Number(Boolean(a.parentId)) - Number(Boolean(b.parentId)) || siteLabel(a, all).localeCompare(siteLabel(b, all), 'zh-CN', { numeric: true }),
  );
  return visitable.map((s) => ({ value: s.id, label: siteLabel(s, all) }));
}

const kindColor = { mystery: 'purple', open: 'blue', remote: 'cyan' } as const;

/** 神秘顾客 / 明查暗访 (QA, supervisors; 1440×900): the month view, its visits, the plan and the scenario scripts. */
export default function MysteryPage() {
  const { t } = useTranslation();
  const canManage = usePermission('qa.manage');
  const [month, setMonth] = useState(thisMonth());
  const [site, setSite] = useState<string | undefined>();
  return (
    <Page
      title={t('mystery.page.title')}
      subtitle={t('mystery.page.subtitle')}
      extra={
        <DatePicker
          picker="month"
          allowClear={false}
          value={dayjs(`${month}-01`)}
          onChange={(d) => d && setMonth(d.format('YYYY-MM'))}
          data-testid="mystery-month"
        />
      }
    >
      <Tabs
        items={[
          { key: 'month', label: t('mystery.tabs.month'), children: <MonthView month={month} onSite={setSite} /> },
          ...(canManage ? [{ key: 'plan', label: t('mystery.tabs.plan'), children: <PlanForm month={month} /> }] : []),
          { key: 'scripts', label: t('mystery.tabs.scripts'), children: <Scripts canManage={canManage} /> },
        ]}
      />
      <Drawer open={Boolean(site)} onClose={() => setSite(undefined)} width={720} title={t('mystery.history.title')}>
        {site ? <VisitTable q={{ siteId: site }} /> : null}
      </Drawer>
    </Page>
  );
}

function MonthView({ month, onSite }: { month: string; onSite: (id: string) => void }) {
  const { t } = useTranslation();
  const view = useMonth(month);
  const d = view.data;
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v);
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Row gutter={[12, 12]}>
        {(['planned', 'done', 'overdue', 'average'] as const).map((k) => (
          <Col xs={12} md={6} key={k}>
            <Card size="small">
              <Statistic title={t(`mystery.figures.${k}`)} value={num(d?.totals[k])} loading={view.isLoading} data-testid={`mystery-total-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small" title={t('mystery.month.bySite')}>
        <Table
          size="small"
          rowKey="siteId"
          pagination={false}
          loading={view.isLoading}
          dataSource={d?.sites ?? []}
          scroll={{ x: 560 }}
          onRow={(r) => ({ onClick: () => onSite(r.siteId), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('mystery.col.site'), dataIndex: 'siteName' },
            { title: t('mystery.figures.planned'), dataIndex: 'planned', width: 90 },
            {
              title: t('mystery.figures.done'),
              dataIndex: 'done',
              width: 90,
              render: (v: number, r) => <span data-testid={`mystery-done-${r.siteName}`}>{v}</span>,
            },
            { title: t('mystery.figures.overdue'), dataIndex: 'overdue', width: 90, render: (v: number) => (v ? <Tag color="red">{v}</Tag> : 0) },
            { title: t('mystery.figures.average'), dataIndex: 'average', width: 90, render: num },
            { title: t('mystery.col.passRate'), dataIndex: 'passRate', width: 100, render: (v: number | null) => (v === null ? '—' : `${v}%`) },
          ]}
        />
      </Card>
      <Card size="small" title={t('mystery.month.byChannel')}>
        <Space wrap>
          {(d?.channels ?? []).map((c) => (
            <Tag key={c.channel}>
              {t(`mystery.channel.${c.channel}`)} · {t('mystery.month.channelFigure', { n: c.done, avg: num(c.average) })}
            </Tag>
          ))}
          {d && d.channels.length === 0 ? <Typography.Text type="secondary">{t('mystery.month.noneDone')}</Typography.Text> : null}
        </Space>
      </Card>
      <Card size="small" title={t('mystery.month.visits')}>
        <VisitTable q={{ month }} />
      </Card>
    </Space>
  );
}

export function VisitTable({ q }: { q: { month?: string; siteId?: string; state?: 'planned' | 'submitted' } }) {
  const { t } = useTranslation();
  const visits = useVisits(q);
  return (
    <Table<MysteryVisit>
      size="small"
      rowKey="id"
      loading={visits.isLoading}
      dataSource={visits.data?.items ?? []}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 960 }}
      columns={[
        { title: t('mystery.col.plannedOn'), dataIndex: 'plannedOn', width: 110, render: (v: string, r) => (r.overdue ? <Tag color="red">{v}</Tag> : v) },
        { title: t('mystery.col.site'), width: 140, render: (_, r) => r.site.name },
        { title: t('mystery.col.channel'), width: 100, render: (_, r) => t(`mystery.channel.${r.channel}`) },
        { title: t('mystery.col.kind'), width: 90, render: (_, r) => <Tag color={kindColor[r.kind]}>{t(`mystery.kind.${r.kind}`)}</Tag> },
        { title: t('mystery.col.shopper'), width: 100, render: (_, r) => r.shopper?.name ?? '—' },
        { title: t('mystery.col.script'), width: 160, render: (_, r) => r.script.title },
        {
          title: t('mystery.col.state'),
          width: 150,
          render: (_, r) =>
            r.state === 'submitted' ? (
              <Tag color={r.passed ? 'green' : 'red'}>{t('mystery.state.scored', { score: r.score })}</Tag>
            ) : (
              <Tag>{t('mystery.state.planned')}</Tag>
            ),
        },
        {
          title: '',
          width: 80,
          render: (_, r) => (
            <Link to={`/qa/mystery/visits/${r.id}`} data-testid={`mystery-open-${r.id}`}>
              {r.allowed.submit ? t('mystery.action.record') : t('mystery.action.open')}
            </Link>
          ),
        },
      ]}
    />
  );
}

const useShoppers = () => useQuery({ queryKey: ['mystery-shoppers'], queryFn: () => http.get('/staff', { query: { role: 'qa', limit: 200 } }) });

function PlanForm({ month }: { month: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const sites = useEnvSites();
  const shoppers = useShoppers();
  const [form] = Form.useForm<{ siteIds: string[]; visits: number; channels: string[]; kinds: string[]; shopperIds: string[] }>();
  const all = sites.data?.items ?? [];
  const plan = useMutation({
    mutationFn: (v: { siteIds: string[]; visits: number; channels: string[]; kinds: string[]; shopperIds: string[] }) =>
      http.post('/qa/mystery/plans', {
        body: {
          month,
          sites: v.siteIds.map((siteId) => ({ siteId, visits: v.visits, channels: v.channels, kinds: v.kinds })) as PlanBody['sites'],
          shopperIds: v.shopperIds,
        },
      }),
    onSuccess: async (r) => {
      message.success(t('mystery.plan.done', { n: r.planned, month: r.month }));
      await qc.invalidateQueries({ queryKey: ['mystery-month'] });
      await qc.invalidateQueries({ queryKey: ['mystery-visits'] });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Card size="small" style={{ maxWidth: 720 }}>
      <Typography.Paragraph type="secondary">{t('mystery.plan.hint', { month })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ visits: 2, channels: ['walk_in'], kinds: ['mystery'] }} onFinish={(v) => plan.mutate(v)}>
        <Form.Item name="siteIds" label={t('mystery.plan.sites')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
          <Select mode="multiple" optionFilterProp="label" options={siteOptions(all)} data-testid="plan-sites" />
        </Form.Item>
        <Form.Item name="visits" label={t('mystery.plan.visits')} rules={[{ required: true }]}>
          <InputNumber min={1} max={31} data-testid="plan-visits" />
        </Form.Item>
        <Form.Item name="channels" label={t('mystery.plan.channels')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
          <Select mode="multiple" options={CHANNELS.map((c) => ({ value: c, label: t(`mystery.channel.${c}`) }))} data-testid="plan-channels" />
        </Form.Item>
        <Form.Item name="kinds" label={t('mystery.plan.kinds')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
          <Select mode="multiple" options={KINDS.map((k) => ({ value: k, label: t(`mystery.kind.${k}`) }))} data-testid="plan-kinds" />
        </Form.Item>
        <Form.Item name="shopperIds" label={t('mystery.plan.shoppers')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
          <Select
            mode="multiple"
            optionFilterProp="label"
            options={(shoppers.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name}（${s.employeeNo}）` }))}
            data-testid="plan-shoppers"
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={plan.isPending} data-testid="plan-submit">
          {t('mystery.plan.submit', { month })}
        </Button>
      </Form>
    </Card>
  );
}

function Scripts({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const scripts = useScripts();
  const cards = useScorecards(canManage);
  const sites = useEnvSites();
  const all = sites.data?.items ?? [];
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<ScriptBody & { stepsText: string }>();
  const create = useMutation({
    mutationFn: ({ stepsText, ...v }: ScriptBody & { stepsText: string }) =>
      http.post('/qa/mystery/scripts', {
        body: {
          ...v,
          steps: stepsText
            .split('\n')
            .map((s) => s.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: async () => {
      setOpen(false);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: MYSTERY_KEYS.scripts });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canManage ? (
        <Button type="primary" onClick={() => setOpen(true)}>
          {t('mystery.scripts.new')}
        </Button>
      ) : null}
      <Row gutter={[12, 12]}>
        {(scripts.data?.items ?? []).map((s) => (
          <Col xs={24} md={12} xl={8} key={s.id}>
            <Card size="small" title={s.title} extra={<Tag>{t('mystery.scripts.version', { v: s.version })}</Tag>}>
              <Space wrap style={{ marginBottom: 8 }}>
                <Tag color="geekblue">{t(`mystery.channel.${s.channel}`)}</Tag>
                <Tag>{s.siteName ?? t('mystery.scripts.allSites')}</Tag>
                {s.evidence.map((e) => (
                  <Tag key={e} color="gold">
                    {t(`mystery.evidence.${e}`)}
                  </Tag>
                ))}
                {s.active ? null : <Tag color="red">{t('mystery.scripts.inactive')}</Tag>}
              </Space>
              <Typography.Paragraph ellipsis={{ rows: 3, expandable: true }}>{s.story}</Typography.Paragraph>
              <ol style={{ paddingLeft: 20, margin: 0 }}>
                {s.steps.map((x, i) => (
                  <li key={i}>{x}</li>
                ))}
              </ol>
              <Typography.Text type="secondary">{t('mystery.scripts.scorecard', { name: s.scorecardName ?? '—' })}</Typography.Text>
            </Card>
          </Col>
        ))}
      </Row>
      <Drawer open={open} onClose={() => setOpen(false)} width={520} title={t('mystery.scripts.new')}>
        <Form form={form} layout="vertical" initialValues={{ channel: 'walk_in', evidence: ['photo'] }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="title" label={t('mystery.scripts.title')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="channel" label={t('mystery.col.channel')}>
            <Select options={CHANNELS.map((c) => ({ value: c, label: t(`mystery.channel.${c}`) }))} />
          </Form.Item>
          <Form.Item name="siteId" label={t('mystery.col.site')}>
            <Select allowClear placeholder={t('mystery.scripts.allSites')} options={siteOptions(all)} />
          </Form.Item>
          <Form.Item name="story" label={t('mystery.scripts.story')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
          <Form.Item name="stepsText" label={t('mystery.scripts.steps')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
            <Input.TextArea rows={4} placeholder={t('mystery.scripts.stepsHint')} />
          </Form.Item>
          <Form.Item name="scorecardId" label={t('mystery.scripts.scorecardLabel')} rules={[{ required: true, message: t('mystery.plan.required') }]}>
            <Select options={(cards.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} />
          </Form.Item>
          <Form.Item name="evidence" label={t('mystery.scripts.evidence')}>
            <Select mode="multiple" options={(['photo', 'audio', 'screenshot'] as const).map((e) => ({ value: e, label: t(`mystery.evidence.${e}`) }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            {t('mystery.scripts.save')}
          </Button>
        </Form>
      </Drawer>
    </Space>
  );
}
