import { Alert, App, Button, Collapse, Drawer, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { channelsApi, type Channel } from './api';
import { showCreatedUrl } from './createdUrlDialog';

export type WecomKind = 'wecom_kf' | 'wecom_app';
export const isWecom = (kind: string): kind is WecomKind => kind === 'wecom_kf' || kind === 'wecom_app';

/** The WeCom settings of a channel (null for other kinds). */
export const wecomConfig = (c: Channel) => ('corpId' in c.config ? c.config : null);

interface WecomForm {
  kind: WecomKind;
  name: string;
  enabled: boolean;
  corpId: string;
  openKfId?: string;
  agentId?: number;
  secret?: string;
  token?: string;
  encodingAesKey?: string;
  apiBase?: string;
}

const clean = (v?: string) => (v?.trim() ? v.trim() : undefined);
const ID_RULE = /^[A-Za-z0-9_-]{1,64}$/;

/** 企业微信: 微信客服 (CorpID, open_kfid, Secret, callback Token + EncodingAESKey) or an application for staff notifications. */
export function WecomEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<WecomForm>();
  const cfg = channel ? wecomConfig(channel) : null;
  const watched: WecomKind | undefined = Form.useWatch('kind', form);
  const kind: WecomKind = watched ?? (channel && isWecom(channel.kind) ? channel.kind : 'wecom_kf');
  const kf = kind === 'wecom_kf';
  const isNew = !channel;
  const save = useMutation({
    mutationFn: async (v: WecomForm) => {
      const base = { corpId: v.corpId.trim(), ...(clean(v.apiBase) ? { apiBase: clean(v.apiBase) } : {}) };
      const secrets = {
        ...(v.secret ? { secret: v.secret } : {}),
        ...(kf && v.token ? { token: v.token } : {}),
        ...(kf && v.encodingAesKey ? { encodingAesKey: v.encodingAesKey } : {}),
      };
      if (channel) {
        const config = kf ? { ...base, openKfId: v.openKfId?.trim() ?? '', ...secrets } : { ...base, agentId: v.agentId ?? 0, ...secrets };
        await channelsApi.update(channel.id, { name: v.name, enabled: v.enabled, config });
        return null;
      }
      const created = kf
        ? await channelsApi.create({
            kind: 'wecom_kf',
            name: v.name,
            enabled: v.enabled,
            config: { ...base, openKfId: v.openKfId?.trim() ?? '', secret: v.secret ?? '', token: v.token ?? '', encodingAesKey: v.encodingAesKey ?? '' },
          })
        : await channelsApi.create({
            kind: 'wecom_app',
            name: v.name,
            enabled: v.enabled,
            config: { ...base, agentId: v.agentId ?? 0, secret: v.secret ?? '' },
          });
      return created.callbackUrl ?? null;
    },
    onSuccess: async (url) => {
      await qc.invalidateQueries({ queryKey: ['channels'] });
      if (url)
        showCreatedUrl(modal, { title: t('channels.wecom.created'), hint: t('channels.wecom.callbackHint'), url, testId: 'wecom-created-url', width: 600 });
      else void message.success(t('channels.saved'));
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const initial: Partial<WecomForm> =
    channel && cfg
      ? {
          kind: channel.kind as WecomKind,
          name: channel.name,
          enabled: channel.enabled,
          corpId: cfg.corpId,
          openKfId: cfg.openKfId,
          agentId: cfg.agentId,
          apiBase: cfg.apiBase,
        }
      : { kind: 'wecom_kf', enabled: true };
  const kept = (v?: { configured: true }) => (v ? t('channels.form.secretKept') : undefined);
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.newWecom')} onClose={onClose} size="large" destroyOnHidden>
      {channel?.callbackUrl ? (
        <Alert
          style={{ marginBottom: 16 }}
          type="info"
          title={t('channels.wecom.callbackUrl')}
          description={
            <Space direction="vertical">
              <Typography.Text copyable code>
                {channel.callbackUrl}
              </Typography.Text>
              <Typography.Text type="secondary">{t('channels.wecom.callbackHint')}</Typography.Text>
            </Space>
          }
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="wecom-form">
        <Form.Item name="kind" label={t('channels.wecom.form.kind')} rules={[{ required: true }]}>
          <Select
            disabled={!isNew}
            options={(['wecom_kf', 'wecom_app'] as const).map((k) => ({ value: k, label: t(`channels.kind.${k}`) }))}
            data-testid="wecom-kind"
          />
        </Form.Item>
        {!kf ? <Alert style={{ marginBottom: 16 }} type="info" title={t('channels.wecom.appHint')} /> : null}
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder={kf ? t('channels.kind.wecom_kf') : t('channels.kind.wecom_app')} data-testid="wecom-name" />
        </Form.Item>
        <Form.Item name="corpId" label={t('channels.wecom.form.corpId')} rules={[{ required: true }, { pattern: ID_RULE }]}>
          <Input placeholder="ww…" autoComplete="off" data-testid="wecom-corpid" />
        </Form.Item>
        {kf ? (
          <Form.Item name="openKfId" label={t('channels.wecom.form.openKfId')} rules={[{ required: true }, { pattern: ID_RULE }]}>
            <Input placeholder="wk…" autoComplete="off" data-testid="wecom-openkfid" />
          </Form.Item>
        ) : (
          <Form.Item name="agentId" label={t('channels.wecom.form.agentId')} rules={[{ required: true }]}>
            <InputNumber min={1} style={{ width: 200 }} placeholder="1000002" data-testid="wecom-agentid" />
          </Form.Item>
        )}
        <Form.Item
          name="secret"
          label={t(kf ? 'channels.wecom.form.kfSecret' : 'channels.wecom.form.appSecret')}
          rules={[{ required: isNew }]}
          extra={kept(cfg?.secret)}
        >
          <Input.Password autoComplete="new-password" data-testid="wecom-secret" />
        </Form.Item>
        {kf ? (
          <>
            <Form.Item
              name="token"
              label={t('channels.wechat.form.token')}
              rules={[{ required: isNew }, { pattern: /^[A-Za-z0-9]{3,32}$/, message: t('channels.wechat.form.tokenRule') }]}
              extra={kept(cfg?.token) ?? t('channels.wechat.form.tokenRule')}
            >
              <Input.Password autoComplete="new-password" data-testid="wecom-token" />
            </Form.Item>
            <Form.Item
              name="encodingAesKey"
              label={t('channels.wechat.form.encodingAesKey')}
              rules={[{ required: isNew }, { pattern: /^[A-Za-z0-9]{43}$/, message: t('channels.wechat.form.aesKeyRule') }]}
              extra={kept(cfg?.encodingAesKey) ?? t('channels.wechat.form.aesKeyRule')}
            >
              <Input.Password autoComplete="new-password" data-testid="wecom-aeskey" />
            </Form.Item>
          </>
        ) : null}
        <Collapse
          ghost
          items={[
            {
              key: 'advanced',
              label: t('channels.wechat.form.advanced'),
              forceRender: true,
              children: (
                <Form.Item name="apiBase" label={t('channels.wechat.form.apiBase')} extra={t('channels.wecom.form.apiBaseHint')} rules={[{ type: 'url' }]}>
                  <Input placeholder="https://qyapi.weixin.qq.com" />
                </Form.Item>
              ),
            },
          ]}
        />
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="wecom-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** The card summary of a WeCom channel: kind, CorpID, open_kfid / AgentId, and the callback URL for 微信客服. */
export function WecomSummary({ c }: { c: Channel }) {
  const { t } = useTranslation();
  const cfg = wecomConfig(c);
  if (!cfg) return null;
  return (
    <>
      <Typography.Paragraph>
        {t(`channels.kind.${c.kind}`)} · {cfg.corpId}
        {cfg.openKfId ? ` · ${cfg.openKfId}` : ''}
        {cfg.agentId ? ` · AgentId ${cfg.agentId}` : ''}
      </Typography.Paragraph>
      {c.callbackUrl ? (
        <Typography.Text type="secondary" copyable={{ text: c.callbackUrl }} data-testid="wecom-callback-url">
          {t('channels.wecom.callbackUrl')}：{c.callbackUrl}
        </Typography.Text>
      ) : null}
    </>
  );
}
