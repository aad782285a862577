import { Alert, App, Button, Collapse, Drawer, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { channelsApi, type Channel } from './api';
import { showCreatedUrl } from './createdUrlDialog';

export type SmsKind = 'sms_aliyun' | 'sms_tencent';
export const isSms = (kind: string): kind is SmsKind => kind === 'sms_aliyun' || kind === 'sms_tencent';
const TEMPLATE_KINDS = ['login_code', 'visit_reminder', 'survey_invite', 'care_touch'] as const;

/** The SMS settings of a channel (null for other kinds). */
export const smsConfig = (c: Channel) => ('signName' in c.config ? c.config : null);

interface SmsForm {
  kind: SmsKind;
  name: string;
  enabled: boolean;
  keyId: string;
  keySecret?: string;
  signName: string;
  region?: string;
  sdkAppId?: string;
  templates: Partial<Record<(typeof TEMPLATE_KINDS)[number], string>>;
  apiBase?: string;
  perNumberPerDay?: number;
  dailyCap?: number;
}

const clean = (v?: string) => (v?.trim() ? v.trim() : undefined);

/** 短信渠道: provider (Aliyun / Tencent Cloud), key id + secret (write-only), 签名, region / SdkAppId, template ids per purpose. */
export function SmsEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<SmsForm>();
  const sms = channel ? smsConfig(channel) : null;
  const watched: SmsKind | undefined = Form.useWatch('kind', form);
  const kind: SmsKind = watched ?? (channel && isSms(channel.kind) ? channel.kind : 'sms_aliyun');
  const tencent = kind === 'sms_tencent';
  const save = useMutation({
    mutationFn: async (v: SmsForm) => {
      const templates: Record<string, string> = {};
      for (const k of TEMPLATE_KINDS) {
        const id = clean(v.templates[k]);
        if (id) templates[k] = id;
      }
      const config = {
        keyId: v.keyId.trim(),
        signName: v.signName.trim(),
        templates,
        ...(clean(v.region) ? { region: clean(v.region) } : {}),
        ...(tencent && clean(v.sdkAppId) ? { sdkAppId: clean(v.sdkAppId) } : {}),
        ...(clean(v.apiBase) ? { apiBase: clean(v.apiBase) } : {}),
        ...(v.perNumberPerDay ? { perNumberPerDay: v.perNumberPerDay } : {}),
        ...(v.dailyCap ? { dailyCap: v.dailyCap } : {}),
      };
      if (channel) {
        await channelsApi.update(channel.id, { name: v.name, enabled: v.enabled, config: { ...config, ...(v.keySecret ? { keySecret: v.keySecret } : {}) } });
        return null;
      }
      const created = await channelsApi.create({ kind: v.kind, name: v.name, enabled: v.enabled, config: { ...config, keySecret: v.keySecret ?? '' } });
      return created.callbackUrl ?? null;
    },
    onSuccess: async (receiptUrl) => {
      await qc.invalidateQueries({ queryKey: ['channels'] });
      if (receiptUrl)
        showCreatedUrl(modal, {
          title: t('channels.sms.created'),
          hint: t('channels.sms.receiptHint'),
          url: receiptUrl,
          testId: 'sms-receipt-url',
          width: 600,
        });
      else void message.success(t('channels.saved'));
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const initial: Partial<SmsForm> =
    channel && sms
      ? {
          kind: channel.kind as SmsKind,
          name: channel.name,
          enabled: channel.enabled,
          keyId: sms.keyId,
          signName: sms.signName,
          region: sms.region,
          sdkAppId: sms.sdkAppId,
          templates: sms.templates,
          apiBase: sms.apiBase,
          perNumberPerDay: sms.perNumberPerDay,
          dailyCap: sms.dailyCap,
        }
      : { kind: 'sms_aliyun', enabled: true, templates: {} };
  const isNew = !channel;
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.newSms')} onClose={onClose} size="large" destroyOnHidden>
      {channel?.callbackUrl ? (
        <Alert
          style={{ marginBottom: 16 }}
          type="info"
          title={t('channels.sms.receiptUrl')}
          description={
            <Space direction="vertical">
              <Typography.Text copyable code>
                {channel.callbackUrl}
              </Typography.Text>
              <Typography.Text type="secondary">{t('channels.sms.receiptHint')}</Typography.Text>
            </Space>
          }
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="sms-form">
        <Form.Item name="kind" label={t('channels.sms.provider')} rules={[{ required: true }]}>
          <Select
            disabled={!isNew}
            options={(['sms_aliyun', 'sms_tencent'] as const).map((k) => ({ value: k, label: t(`channels.kind.${k}`) }))}
            data-testid="sms-provider"
          />
        </Form.Item>
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder={tencent ? '腾讯云短信' : '阿里云短信'} />
        </Form.Item>
        <Form.Item name="keyId" label={t(tencent ? 'channels.sms.form.keyIdTencent' : 'channels.sms.form.keyIdAliyun')} rules={[{ required: true }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="keySecret"
          label={t(tencent ? 'channels.sms.form.keySecretTencent' : 'channels.sms.form.keySecretAliyun')}
          rules={[{ required: isNew }]}
          extra={sms?.keySecret ? t('channels.form.secretKept') : undefined}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="signName" label={t('channels.sms.form.signName')} extra={t('channels.sms.form.signNameHint')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        {tencent ? (
          <Form.Item name="sdkAppId" label={t('channels.sms.form.sdkAppId')} rules={[{ required: true }, { pattern: /^\d{1,20}$/ }]}>
            <Input placeholder="1400…" />
          </Form.Item>
        ) : null}
        <Form.Item name="region" label={t(tencent ? 'channels.sms.form.regionTencent' : 'channels.sms.form.regionAliyun')}>
          <Input placeholder={tencent ? 'ap-guangzhou' : 'cn-hangzhou'} />
        </Form.Item>
        <Typography.Title level={5}>{t('channels.sms.form.templates')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('channels.sms.form.templatesHint')}</Typography.Paragraph>
        {TEMPLATE_KINDS.map((k) => (
          <Form.Item key={k} name={['templates', k]} label={t(`channels.sms.form.${k}`)}>
            <Input placeholder={tencent ? '1234567' : 'SMS_123456789'} data-testid={`sms-template-${k}`} />
          </Form.Item>
        ))}
        <Collapse
          ghost
          items={[
            {
              key: 'advanced',
              label: t('channels.sms.form.advanced'),
              forceRender: true,
              children: (
                <>
                  <Form.Item name="apiBase" label={t('channels.sms.form.apiBase')} extra={t('channels.sms.form.apiBaseHint')} rules={[{ type: 'url' }]}>
                    <Input placeholder={tencent ? 'https://sms.tencentcloudapi.com' : 'https://dysmsapi.aliyuncs.com'} />
                  </Form.Item>
                  <Form.Item name="perNumberPerDay" label={t('channels.sms.form.perNumberPerDay')}>
                    <InputNumber min={1} max={100} placeholder="10" />
                  </Form.Item>
                  <Form.Item name="dailyCap" label={t('channels.sms.form.dailyCap')}>
                    <InputNumber min={1} max={1000000} placeholder="1000" />
                  </Form.Item>
                </>
              ),
            },
          ]}
        />
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="sms-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** The card summary of an SMS channel: provider, 签名, the purposes with a template, and the receipt URL. */
export function SmsSummary({ c }: { c: Channel }) {
  const { t } = useTranslation();
  const sms = smsConfig(c);
  if (!sms) return null;
  const kinds = TEMPLATE_KINDS.filter((k) => sms.templates[k]);
  return (
    <>
      <Typography.Paragraph>
        {t(`channels.kind.${c.kind}`)} · 【{sms.signName}】
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{kinds.map((k) => t(`channels.sms.purpose.${k}`)).join(' · ') || '—'}</Typography.Paragraph>
      {c.callbackUrl ? (
        <Typography.Text type="secondary" copyable={{ text: c.callbackUrl }} data-testid="sms-receipt-url">
          {t('channels.sms.receiptUrl')}
        </Typography.Text>
      ) : null}
    </>
  );
}
