import { useEffect } from 'react';
import { Alert, App, Button, Card, Col, Flex, Form, Input, Radio, Row, Select, Switch, Table, Tag, TimePicker, Typography, type TableColumnsType } from 'antd';
import { SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client';
import { errorMessage, normaliseErrorPath } from '../../lib/apiErrors';
import { COMMON_TIME_ZONES, dayjs } from '../../lib/time';
import { notificationKindLabel, serverMessageLabel } from '../auth/labels';
import { useFormat } from '../auth/me';
import { Page } from '../../layout/Page';

export interface NotificationPrefs {
  inApp: boolean;
  email: { enabled: boolean; address: string | null };
  webhook: { enabled: boolean; url: string | null; format: 'generic' | 'wecom' | 'dingtalk' };
  wecom?: { enabled: boolean; userId: string | null };
  quietHours: { start: string; end: string; timeZone?: string } | null;
  kinds: string[];
}
export interface Delivery {
  id: string;
  notificationId: string;
  channel: string;
  state: string;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  sentAt: string | null;
  createdAt: string;
}

export const prefsApi = {
  get: () => api.get<NotificationPrefs>('/notifications/preferences'),
  put: (body: Partial<NotificationPrefs>) => api.put<NotificationPrefs>('/notifications/preferences', body),
  test: () => api.post<{ ok: boolean }>('/notifications/test'),
  deliveries: () => api.get<{ items: Delivery[] }>('/notifications/deliveries'),
};

export const NOTIFICATION_KINDS = [
  'standard.warning',
  'standard.breached',
  'standard.escalated',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
  'handover.requested',
  'handover.confirmed',
  'handover.declined',
  'test',
] as const;

interface Values {
  inApp: boolean;
  emailEnabled: boolean;
  emailAddress?: string;
  webhookEnabled: boolean;
  webhookUrl?: string;
  webhookFormat: 'generic' | 'wecom' | 'dingtalk';
  wecomEnabled: boolean;
  wecomUserId?: string;
  quiet: boolean;
  quietStart?: dayjs.Dayjs;
  quietEnd?: dayjs.Dayjs;
  quietZone?: string;
  kinds: string[];
}

const FIELD: Record<string, keyof Values> = {
  'email.address': 'emailAddress',
  'email.enabled': 'emailEnabled',
  'webhook.url': 'webhookUrl',
  'webhook.format': 'webhookFormat',
  'wecom.userId': 'wecomUserId',
  'quietHours.start': 'quietStart',
  'quietHours.end': 'quietEnd',
  'quietHours.timeZone': 'quietZone',
  kinds: 'kinds',
  inApp: 'inApp',
};

const STATE_COLOUR: Record<string, string> = { sent: 'green', pending: 'blue', failed: 'red', sending: 'gold', deferred: 'purple' };

/** 通知设置: my channels (in-app, email, WeCom / DingTalk / generic webhook), quiet hours, kinds, and the delivery log. */
export default function NotificationSettingsPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const prefs = useQuery({ queryKey: ['notifications', 'preferences'], queryFn: prefsApi.get });
  const deliveries = useQuery({ queryKey: ['notifications', 'deliveries'], queryFn: prefsApi.deliveries, refetchInterval: 10_000 });
  const emailEnabled = Form.useWatch('emailEnabled', form);
  const webhookEnabled = Form.useWatch('webhookEnabled', form);
  const wecomEnabled = Form.useWatch('wecomEnabled', form);
  const quiet = Form.useWatch('quiet', form);

  useEffect(() => {
    const p = prefs.data;
    if (!p) return;
    form.setFieldsValue({
      inApp: p.inApp,
      emailEnabled: p.email.enabled,
      emailAddress: p.email.address ?? '',
      webhookEnabled: p.webhook.enabled,
      webhookUrl: p.webhook.url ?? '',
      webhookFormat: p.webhook.format,
      wecomEnabled: p.wecom?.enabled ?? false,
      wecomUserId: p.wecom?.userId ?? '',
      quiet: Boolean(p.quietHours),
      quietStart: dayjs(`2000-01-01 ${p.quietHours?.start ?? '22:00'}`),
      quietEnd: dayjs(`2000-01-01 ${p.quietHours?.end ?? '08:00'}`),
      quietZone: p.quietHours?.timeZone ?? fmt.timeZone,
      kinds: p.kinds,
    });
  }, [prefs.data, form, fmt.timeZone]);

  const save = useMutation({
    mutationFn: (v: Values) =>
      prefsApi.put({
        inApp: v.inApp,
        email: { enabled: v.emailEnabled, address: v.emailAddress?.trim() || null },
        webhook: { enabled: v.webhookEnabled, url: v.webhookUrl?.trim() || null, format: v.webhookFormat },
        wecom: { enabled: v.wecomEnabled, userId: v.wecomUserId?.trim() || null },
        quietHours:
          v.quiet && v.quietStart && v.quietEnd ? { start: v.quietStart.format('HH:mm'), end: v.quietEnd.format('HH:mm'), timeZone: v.quietZone } : null,
        kinds: v.kinds ?? [],
      }),
    onSuccess: (p) => {
      queryClient.setQueryData(['notifications', 'preferences'], p);
      void message.success(t('common.saved'));
    },
    onError: (err) => {
      if (err instanceof ApiError && err.errors.length) {
        const fields = err.errors
          .map((fe) => ({ name: FIELD[normaliseErrorPath(fe.path).join('.')], errors: [serverMessageLabel(t, fe.message)] }))
          .filter((f): f is { name: keyof Values; errors: string[] } => Boolean(f.name));
        form.setFields(fields);
        if (fields.length === err.errors.length) return;
      }
      void message.error(errorMessage(err, t));
    },
  });
  const test = useMutation({
    mutationFn: prefsApi.test,
    onSuccess: () => {
      void message.success(t('nset.testSent'));
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['notifications'] }), 1500);
    },
    onError: (err) => void message.error(errorMessage(err, t)),
  });

  const columns: TableColumnsType<Delivery> = [
    { title: t('nset.log.time'), dataIndex: 'createdAt', width: 170, render: (v: string) => fmt.tableTime(v) },
    { title: t('nset.log.channel'), dataIndex: 'channel', width: 110, render: (c: string) => t(`nset.channels.${c}`, { defaultValue: c }) },
    {
      title: t('nset.log.state'),
      dataIndex: 'state',
      width: 110,
      render: (s: string) => <Tag color={STATE_COLOUR[s] ?? 'default'}>{t(`nset.states.${s}`, { defaultValue: s })}</Tag>,
    },
    { title: t('nset.log.attempts'), dataIndex: 'attempts', width: 80 },
    { title: t('nset.log.sentAt'), dataIndex: 'sentAt', width: 170, render: (v: string | null) => (v ? fmt.tableTime(v) : '—') },
    {
      title: t('nset.log.result'),
      key: 'result',
      render: (_: unknown, d) => (
        <Typography.Text type={d.lastError ? 'danger' : 'secondary'} style={{ fontSize: 12 }} ellipsis={{ tooltip: d.lastError ?? undefined }}>
          {d.lastError ?? (d.responseStatus ? `HTTP ${d.responseStatus}` : '—')}
        </Typography.Text>
      ),
    },
  ];

  return (
    <Page title={t('nset.title')} subtitle={t('nset.subtitle')}>
      {prefs.isError ? <Alert type="error" title={errorMessage(prefs.error, t)} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card
            size="small"
            title={t('nset.channelsTitle')}
            loading={prefs.isPending}
            extra={
              <Button size="small" icon={<SendOutlined />} loading={test.isPending} onClick={() => test.mutate()} data-testid="nset-test">
                {t('nset.test')}
              </Button>
            }
          >
            <Form<Values> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} data-testid="nset-form">
              <Form.Item name="inApp" label={t('nset.inApp')} valuePropName="checked" extra={t('nset.inAppHelp')}>
                <Switch />
              </Form.Item>
              <Flex gap={16} wrap align="flex-start">
                <Form.Item name="emailEnabled" label={t('nset.email')} valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Form.Item
                  name="emailAddress"
                  label={t('nset.emailAddress')}
                  style={{ flex: 1, minWidth: 220 }}
                  rules={emailEnabled ? [{ required: true, message: t('nset.required') }] : []}
                >
                  <Input type="email" disabled={!emailEnabled} maxLength={200} placeholder="name@example.com" />
                </Form.Item>
              </Flex>
              <Flex gap={16} wrap align="flex-start">
                <Form.Item name="webhookEnabled" label={t('nset.webhook')} valuePropName="checked">
                  <Switch />
                </Form.Item>
                <Form.Item
                  name="webhookUrl"
                  label={t('nset.webhookUrl')}
                  style={{ flex: 1, minWidth: 260 }}
                  extra={t('nset.webhookHelp')}
                  rules={webhookEnabled ? [{ required: true, message: t('nset.required') }] : []}
                >
                  <Input disabled={!webhookEnabled} maxLength={500} placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…" />
                </Form.Item>
              </Flex>
              <Form.Item name="webhookFormat" label={t('nset.format')}>
                <Radio.Group
                  disabled={!webhookEnabled}
                  options={[
                    { value: 'wecom', label: t('nset.formats.wecom') },
                    { value: 'dingtalk', label: t('nset.formats.dingtalk') },
                    { value: 'generic', label: t('nset.formats.generic') },
                  ]}
                />
              </Form.Item>
              <Flex gap={16} wrap align="flex-start">
                <Form.Item name="wecomEnabled" label={t('nset.wecomApp')} valuePropName="checked">
                  <Switch data-testid="nset-wecom" />
                </Form.Item>
                <Form.Item
                  name="wecomUserId"
                  label={t('nset.wecomUserId')}
                  style={{ flex: 1, minWidth: 260 }}
                  extra={t('nset.wecomHelp')}
                  rules={
                    wecomEnabled
                      ? [
                          { required: true, message: t('nset.required') },
                          { pattern: /^[A-Za-z0-9_.@-]{1,64}$/, message: t('nset.wecomUserIdRule') },
                        ]
                      : []
                  }
                >
                  <Input disabled={!wecomEnabled} maxLength={64} placeholder="ZhangSan" data-testid="nset-wecom-userid" />
                </Form.Item>
              </Flex>
              <Form.Item name="quiet" label={t('nset.quiet')} valuePropName="checked" extra={t('nset.quietHelp')}>
                <Switch />
              </Form.Item>
              {quiet ? (
                <Flex gap={12} wrap>
                  <Form.Item name="quietStart" label={t('nset.quietStart')}>
                    <TimePicker format="HH:mm" minuteStep={5} allowClear={false} />
                  </Form.Item>
                  <Form.Item name="quietEnd" label={t('nset.quietEnd')}>
                    <TimePicker format="HH:mm" minuteStep={5} allowClear={false} />
                  </Form.Item>
                  <Form.Item name="quietZone" label={t('nset.quietZone')} style={{ minWidth: 200 }}>
                    <Select showSearch options={COMMON_TIME_ZONES.map((z) => ({ value: z, label: z }))} />
                  </Form.Item>
                </Flex>
              ) : null}
              <Form.Item name="kinds" label={t('nset.kinds')} extra={t('nset.kindsHelp')}>
                <Select
                  mode="multiple"
                  allowClear
                  placeholder={t('nset.allKinds')}
                  options={NOTIFICATION_KINDS.map((k) => ({ value: k, label: notificationKindLabel(t, k) }))}
                />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="nset-save">
                {t('common.save')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('nset.log.title')}>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 0 }}>
              {t('nset.log.help')}
            </Typography.Paragraph>
            {deliveries.isError ? <Typography.Text type="danger">{errorMessage(deliveries.error, t)}</Typography.Text> : null}
            <Table<Delivery>
              rowKey="id"
              size="small"
              columns={columns}
              dataSource={deliveries.data?.items ?? []}
              loading={deliveries.isPending}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              scroll={{ x: 720 }}
            />
          </Card>
        </Col>
      </Row>
    </Page>
  );
}
