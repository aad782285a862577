import { useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { Page } from '../../layout/Page';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat } from '../auth/me';
import { usePutTarget, useReports, useTargets, useWallTokens, type Target } from './api';
import { missed, useFormatMeasure, type MeasureKey } from './common';

type TargetForm = { target: number | null; windowDays: number; minCount: number };
type ReportForm = { name: string; frequency: 'daily' | 'weekly'; weekday: number; hour: number; channel: 'email' | 'webhook'; target: string };

const isRate = (k: string) => !['nps', 'ces', 'firstResponseSecondsP50', 'resolutionSecondsP50'].includes(k);

/** 指标设置 (admins, directors): targets per measure, TV-wall display tokens, scheduled reports. */
export default function SettingsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const fmt = useFormat();
  const fm = useFormatMeasure();
  const qc = useQueryClient();
  const targets = useTargets();
  const put = usePutTarget();
  const tokens = useWallTokens(true);
  const reports = useReports(true);
  const [editing, setEditing] = useState<(Target & { measure: string }) | null>(null);
  const [form] = Form.useForm<TargetForm>();
  const [tokenForm] = Form.useForm<{ name: string; expiresInDays: number }>();
  const [reportForm] = Form.useForm<ReportForm>();
  const [newToken, setNewToken] = useState<string | null>(null);
  const createToken = useMutation({
    mutationFn: (v: { name: string; expiresInDays: number }) => api.post<{ token: string; url: string }>('/measures/wall-tokens', v),
    onSuccess: (r) => {
      setNewToken(r.url);
      tokenForm.resetFields();
      void qc.invalidateQueries({ queryKey: ['measures', 'wall-tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/measures/wall-tokens/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['measures', 'wall-tokens'] }),
  });
  const createReport = useMutation({
    mutationFn: (v: Record<string, unknown>) => api.post('/measures/reports', v),
    onSuccess: () => {
      reportForm.resetFields();
      void qc.invalidateQueries({ queryKey: ['measures', 'reports'] });
    },
  });
  const sendNow = useMutation({
    mutationFn: (id: string) => api.post<{ status: string; error: string | null }>(`/measures/reports/${id}/send`),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['measures', 'reports'] });
      if (r.status === 'sent') message.success(t('measures.settings.sent'));
      else message.error(r.error ?? 'failed');
    },
  });
  const delReport = useMutation({
    mutationFn: (id: string) => api.delete(`/measures/reports/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['measures', 'reports'] }),
  });

  const saveTarget = async () => {
    // A rejected validateFields means invalid fields, which the form already shows next to them.
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      const raw = v.target === null || v.target === undefined ? null : Number(v.target);
      await put.mutateAsync({
        measure: editing!.measure,
        target: raw === null ? null : isRate(editing!.measure) ? raw / 100 : raw,
        windowDays: v.windowDays,
        minCount: v.minCount,
      });
      setEditing(null);
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };

  return (
    <Page title={t('measures.settings.title')} subtitle={t('measures.settings.subtitle')}>
      <Card size="small" title={t('measures.settings.targets')}>
        <Table
          size="small"
          rowKey="measure"
          loading={targets.isLoading}
          dataSource={targets.data?.items ?? []}
          pagination={false}
          scroll={{ x: 760 }}
          columns={[
            { title: t('measures.col.measure'), dataIndex: 'measure', width: 160, render: (k: string) => t(`measures.name.${k}`) },
            {
              title: t('measures.target'),
              width: 130,
              render: (_, r) =>
                r.target === null ? (
                  <Typography.Text type="secondary">{t('measures.settings.noTarget')}</Typography.Text>
                ) : (
                  `${r.direction === 'min' ? '≥' : '≤'} ${fm(r.measure as MeasureKey, r.target)}`
                ),
            },
            { title: t('measures.settings.window'), dataIndex: 'windowDays', width: 110, render: (d: number) => t('measures.settings.days', { n: d }) },
            {
              title: t('measures.settings.rolling'),
              width: 130,
              render: (_, r) => {
                const m = missed(r.lastValue, r);
                return r.lastValue === null ? '—' : <Tag color={m === null ? 'default' : m ? 'red' : 'green'}>{fm(r.measure as MeasureKey, r.lastValue)}</Tag>;
              },
            },
            { title: t('measures.settings.alertedAt'), dataIndex: 'alertedAt', width: 150, render: (v: string | null) => (v ? fmt.minuteTime(v) : '—') },
            {
              title: '',
              width: 80,
              render: (_, r) => (
                <Button
                  size="small"
                  onClick={() => {
                    setEditing(r);
                    form.setFieldsValue({
                      target: r.target === null ? null : isRate(r.measure) ? Math.round(r.target * 10000) / 100 : r.target,
                      windowDays: r.windowDays,
                      minCount: r.minCount,
                    });
                  }}
                >
                  {t('measures.settings.edit')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={editing !== null}
        title={editing ? t(`measures.name.${editing.measure}`) : ''}
        onCancel={() => setEditing(null)}
        confirmLoading={put.isPending}
        onOk={() => void saveTarget()}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="target" label={editing && isRate(editing.measure) ? t('measures.settings.targetPct') : t('measures.target')}>
            <InputNumber style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="windowDays" label={t('measures.settings.window')}>
            <InputNumber min={1} max={90} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="minCount" label={t('measures.settings.minCount')}>
            <InputNumber min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>

      <Card size="small" title={t('measures.settings.wall')} style={{ marginTop: 12 }}>
        <Form
          form={tokenForm}
          layout="inline"
          onFinish={(v) => createToken.mutate(v)}
          initialValues={{ expiresInDays: 30 }}
          style={{ marginBottom: 12, rowGap: 8 }}
        >
          <Form.Item name="name" rules={[{ required: true, message: t('measures.settings.nameRequired') }]}>
            <Input placeholder={t('measures.settings.wallName')} style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="expiresInDays" label={t('measures.settings.expires')}>
            <InputNumber min={1} max={366} />
          </Form.Item>
          <Button htmlType="submit" type="primary" loading={createToken.isPending}>
            {t('measures.settings.createToken')}
          </Button>
        </Form>
        {newToken ? (
          <Typography.Paragraph copyable={{ text: `${window.location.origin}${newToken}` }} data-testid="wall-url">
            {t('measures.settings.tokenOnce')} <code>{`${window.location.origin}${newToken}`}</code>
          </Typography.Paragraph>
        ) : null}
        <Table
          size="small"
          rowKey="id"
          dataSource={tokens.data?.items ?? []}
          pagination={false}
          columns={[
            { title: t('measures.settings.nameCol'), dataIndex: 'name' },
            { title: t('measures.settings.expiresAt'), dataIndex: 'expiresAt', render: (v: string) => fmt.minuteTime(v) },
            { title: t('measures.settings.lastUsed'), dataIndex: 'lastUsedAt', render: (v: string | null) => (v ? fmt.minuteTime(v) : '—') },
            {
              title: '',
              dataIndex: 'active',
              render: (a: boolean, r) =>
                a ? (
                  <Button size="small" danger onClick={() => revoke.mutate(r.id)}>
                    {t('measures.settings.revoke')}
                  </Button>
                ) : (
                  <Tag>{t('measures.settings.inactive')}</Tag>
                ),
            },
          ]}
        />
      </Card>

      <Card size="small" title={t('measures.settings.reports')} style={{ marginTop: 12 }}>
        <Form
          form={reportForm}
          layout="inline"
          style={{ marginBottom: 12, rowGap: 8 }}
          initialValues={{ frequency: 'daily', hour: 8, channel: 'email', weekday: 1 }}
          onFinish={(v) =>
            createReport.mutate(
              { ...v, weekday: v.frequency === 'weekly' ? v.weekday : null, locale: 'zh-CN' },
              {
                onError: (err) => {
                  message.error(errorMessage(err, t));
                },
              },
            )
          }
        >
          <Form.Item name="name" rules={[{ required: true, message: t('measures.settings.nameRequired') }]}>
            <Input placeholder={t('measures.settings.reportName')} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="frequency">
            <Select
              style={{ width: 100 }}
              options={[
                { value: 'daily', label: t('measures.settings.daily') },
                { value: 'weekly', label: t('measures.settings.weekly') },
              ]}
            />
          </Form.Item>
          <Form.Item noStyle shouldUpdate>
            {() =>
              reportForm.getFieldValue('frequency') === 'weekly' ? (
                <Form.Item name="weekday">
                  <Select style={{ width: 90 }} options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`measures.weekday.${d}`) }))} />
                </Form.Item>
              ) : null
            }
          </Form.Item>
          <Form.Item name="hour" label={t('measures.settings.hour')}>
            <InputNumber min={0} max={23} />
          </Form.Item>
          <Form.Item name="channel">
            <Select
              style={{ width: 100 }}
              options={[
                { value: 'email', label: t('measures.settings.email') },
                { value: 'webhook', label: 'Webhook' },
              ]}
            />
          </Form.Item>
          <Form.Item name="target" rules={[{ required: true, message: t('measures.settings.targetRequired') }]}>
            <Input placeholder={t('measures.settings.targetPlaceholder')} style={{ width: 240 }} />
          </Form.Item>
          <Button htmlType="submit" type="primary" loading={createReport.isPending}>
            {t('measures.settings.schedule')}
          </Button>
        </Form>
        <Table
          size="small"
          rowKey="id"
          dataSource={reports.data?.items ?? []}
          pagination={false}
          scroll={{ x: 760 }}
          columns={[
            { title: t('measures.settings.reportName'), dataIndex: 'name' },
            { title: t('measures.settings.frequency'), dataIndex: 'frequency', render: (f: string) => t(`measures.settings.${f}`) },
            { title: t('measures.settings.channel'), render: (_, r) => `${r.channel} · ${r.target}` },
            { title: t('measures.settings.next'), dataIndex: 'nextRunAt', render: (v: string | null) => fmt.minuteTime(v) },
            {
              title: t('measures.settings.last'),
              render: (_, r) =>
                r.lastStatus ? <Tag color={r.lastStatus === 'sent' ? 'green' : 'red'}>{t(`measures.settings.status.${r.lastStatus}`)}</Tag> : '—',
            },
            {
              title: '',
              width: 170,
              render: (_, r) => (
                <Space>
                  <Button size="small" onClick={() => sendNow.mutate(r.id)}>
                    {t('measures.settings.sendNow')}
                  </Button>
                  <Button size="small" danger onClick={() => delReport.mutate(r.id)}>
                    {t('measures.settings.delete')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Page>
  );
}
