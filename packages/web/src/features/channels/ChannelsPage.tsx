import { useState } from 'react';
import { Alert, App, Button, Card, Collapse, Drawer, Form, Input, InputNumber, List, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { ApiOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { channelsApi, type Channel, type ChannelCreate } from './api';
import { DeadInbound } from './DeadInbound';
import { showCreatedUrl } from './createdUrlDialog';
import { isSms, SmsEditor, SmsSummary } from './SmsEditor';
import { DingtalkEditor, DingtalkStaffDrawer, DingtalkSummary, isDingtalk } from './DingtalkEditor';
import { templatesFromForm, templatesToForm, WechatTemplatesFields, type WxTemplateForm, type WxTemplateKind } from './WechatTemplates';
import { isWecom, WecomEditor, WecomSummary } from './WecomEditor';
import { WebchatEditor, WebchatSummary } from './WebchatEditor';

type EmailCreate = Extract<ChannelCreate, { kind: 'email' }>;

interface ServerForm {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}
interface FormValues {
  name: string;
  address: string;
  unknownSender: 'customer' | 'review';
  enabled: boolean;
  smtp: ServerForm;
  useImap: boolean;
  imap: ServerForm & { mailbox?: string };
  ratePerMinute?: number;
}

const emailConfig = (c: Channel) => ('smtp' in c.config ? c.config : null);
const wechatConfig = (c: Channel) => ('appId' in c.config ? c.config : null);
type Editing = { kind: 'email' | 'wechat_oa' | 'sms' | 'dingtalk_robot' | 'wecom' | 'webchat'; channel: Channel | null };

const STATUS_COLOR: Record<string, string> = { queued: 'blue', sending: 'processing', sent: 'green', failed: 'orange', dead: 'red' };

/** 渠道接入: email channels (SMTP out, IMAP in), 测试连接, the channel log and the dead letters. */
export default function ChannelsPage() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['channels'], queryFn: channelsApi.list });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [logOf, setLogOf] = useState<Channel | null>(null);
  const [dingtalkStaff, setDingtalkStaff] = useState(false);
  return (
    <Page
      title={t('channels.title')}
      subtitle={t('channels.subtitle')}
      extra={
        <Space wrap>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'email', channel: null })} data-testid="channel-new">
            {t('channels.new')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'wechat_oa', channel: null })} data-testid="channel-new-wechat">
            {t('channels.newWechat')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'sms', channel: null })} data-testid="channel-new-sms">
            {t('channels.newSms')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'dingtalk_robot', channel: null })} data-testid="channel-new-dingtalk">
            {t('channels.newDingtalk')}
          </Button>
          {list.data?.items.some((c) => isDingtalk(c.kind)) ? (
            <Button onClick={() => setDingtalkStaff(true)} data-testid="dingtalk-staff-open">
              {t('channels.dt.staff.open')}
            </Button>
          ) : null}
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'wecom', channel: null })} data-testid="channel-new-wecom">
            {t('channels.newWecom')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'webchat', channel: null })} data-testid="channel-new-webchat">
            {t('channels.newWebchat')}
          </Button>
        </Space>
      }
    >
      {list.isError ? <Alert type="error" title={errorMessage(list.error, t)} /> : null}
      <Tabs
        items={[
          {
            key: 'channels',
            label: t('channels.tabs.channels'),
            children: (
              <ChannelList
                items={list.data?.items ?? []}
                loading={list.isLoading}
                onEdit={(c) =>
                  setEditing({
                    kind:
                      c.kind === 'wechat_oa' || c.kind === 'webchat'
                        ? c.kind
                        : isSms(c.kind)
                          ? 'sms'
                          : isDingtalk(c.kind)
                            ? 'dingtalk_robot'
                            : isWecom(c.kind)
                              ? 'wecom'
                              : 'email',
                    channel: c,
                  })
                }
                onLog={setLogOf}
              />
            ),
          },
          {
            key: 'dead',
            label: t('channels.tabs.dead'),
            children: (
              <Space direction="vertical" style={{ width: '100%' }} size="large">
                <DeadLetters />
                <DeadInbound channels={list.data?.items ?? []} />
              </Space>
            ),
          },
        ]}
      />
      {editing?.kind === 'email' ? <ChannelEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'wechat_oa' ? <WechatEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'sms' ? <SmsEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'dingtalk_robot' ? <DingtalkEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {dingtalkStaff ? <DingtalkStaffDrawer onClose={() => setDingtalkStaff(false)} /> : null}
      {editing?.kind === 'wecom' ? <WecomEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {editing?.kind === 'webchat' ? <WebchatEditor channel={editing.channel} onClose={() => setEditing(null)} /> : null}
      {logOf ? <ChannelLog channel={logOf} onClose={() => setLogOf(null)} /> : null}
    </Page>
  );
}

function ChannelList({ items, loading, onEdit, onLog }: { items: Channel[]; loading: boolean; onEdit: (c: Channel) => void; onLog: (c: Channel) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const test = useMutation({
    mutationFn: (id: string) => channelsApi.test(id),
    onSuccess: (r, id) => {
      const kind = items.find((c) => c.id === id)?.kind ?? '';
      const sms = isSms(kind);
      const errors = sms ? 'channels.sms.error' : isDingtalk(kind) ? 'channels.dt.error' : 'channels.test.error';
      const part = (name: string, x?: { ok: boolean; error?: string }) =>
        x ? `${name}：${x.ok ? t('channels.test.ok') : t(`${errors}.${x.error ?? 'failed'}`)}` : null;
      const text = [part('SMTP', r.smtp), part('IMAP', r.imap), part(sms ? t('channels.sms.testApi') : t('channels.test.api'), r.api)]
        .filter(Boolean)
        .join('；');
      if ([r.smtp, r.imap, r.api].every((x) => x?.ok ?? true)) void message.success(text);
      else void message.error(text, 6);
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <List
      loading={loading}
      locale={{ emptyText: t('channels.empty') }}
      dataSource={items}
      grid={{ gutter: 16, xs: 1, md: 2, xl: 3 }}
      renderItem={(c) => (
        <List.Item>
          <Card
            title={
              <Space>
                {c.name}
                <Tag color={c.enabled ? 'green' : 'default'}>{c.enabled ? t('channels.enabled') : t('channels.disabled')}</Tag>
              </Space>
            }
            actions={[
              <Button
                key="test"
                type="link"
                icon={<ApiOutlined />}
                loading={test.isPending && test.variables === c.id}
                onClick={() => test.mutate(c.id)}
                data-testid="channel-test"
              >
                {t('channels.test.button')}
              </Button>,
              <Button key="edit" type="link" onClick={() => onEdit(c)}>
                {t('channels.edit')}
              </Button>,
              <Button key="log" type="link" onClick={() => onLog(c)}>
                {t('channels.log')}
              </Button>,
            ]}
          >
            <ChannelSummary c={c} />
          </Card>
        </List.Item>
      )}
    />
  );
}

function ChannelSummary({ c }: { c: Channel }) {
  const { t } = useTranslation();
  const mail = emailConfig(c);
  const wx = wechatConfig(c);
  if (isSms(c.kind)) return <SmsSummary c={c} />;
  if (isDingtalk(c.kind)) return <DingtalkSummary c={c} />;
  if (isWecom(c.kind)) return <WecomSummary c={c} />;
  if (c.kind === 'webchat') return <WebchatSummary c={c} />;
  if (wx)
    return (
      <>
        <Typography.Paragraph>
          {t('channels.kind.wechat_oa')} · {wx.appId}
        </Typography.Paragraph>
        {c.callbackUrl ? (
          <Typography.Text type="secondary" copyable={{ text: c.callbackUrl }} data-testid="wechat-callback-url">
            {t('channels.wechat.callbackUrl')}：{c.callbackUrl}
          </Typography.Text>
        ) : null}
      </>
    );
  if (!mail) return null;
  return (
    <>
      <Typography.Paragraph>
        {t('channels.kind.email')} · {c.address}
      </Typography.Paragraph>
      <Typography.Text type="secondary">
        SMTP {mail.smtp.host}:{mail.smtp.port}
        {mail.imap ? ` · IMAP ${mail.imap.host}:${mail.imap.port}` : ` · ${t('channels.noImap')}`}
      </Typography.Text>
    </>
  );
}

interface WechatForm {
  name: string;
  enabled: boolean;
  appId: string;
  appSecret?: string;
  token?: string;
  encodingAesKey?: string;
  apiBase?: string;
  ratePerMinute?: number;
  templates?: Partial<Record<WxTemplateKind, WxTemplateForm>>;
}

/** 微信公众号: AppID, AppSecret, Token, EncodingAESKey (secrets write-only), apiBase under 高级设置; the callback URL to paste. */
function WechatEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<WechatForm>();
  const wx = channel ? wechatConfig(channel) : null;
  const save = useMutation({
    mutationFn: async (v: WechatForm) => {
      const secrets = {
        ...(v.appSecret ? { appSecret: v.appSecret } : {}),
        ...(v.token ? { token: v.token } : {}),
        ...(v.encodingAesKey ? { encodingAesKey: v.encodingAesKey } : {}),
      };
      const pub = {
        appId: v.appId.trim(),
        ...(v.apiBase ? { apiBase: v.apiBase.trim() } : {}),
        ...(v.ratePerMinute ? { ratePerMinute: v.ratePerMinute } : {}),
        templates: templatesFromForm(v.templates),
      };
      if (channel) {
        await channelsApi.update(channel.id, { name: v.name, enabled: v.enabled, config: { ...pub, ...secrets } });
        return null;
      }
      const created = await channelsApi.create({
        kind: 'wechat_oa',
        name: v.name,
        enabled: v.enabled,
        config: { ...pub, appSecret: v.appSecret ?? '', token: v.token ?? '', encodingAesKey: v.encodingAesKey ?? '' },
      });
      return created.callbackUrl ?? null;
    },
    onSuccess: async (callbackUrl) => {
      await qc.invalidateQueries({ queryKey: ['channels'] });
      if (callbackUrl)
        showCreatedUrl(modal, {
          title: t('channels.wechat.created'),
          hint: t('channels.wechat.callbackHint'),
          url: callbackUrl,
          testId: 'wechat-created-url',
          width: 560,
        });
      else void message.success(t('channels.saved'));
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const initial: Partial<WechatForm> = channel
    ? {
        name: channel.name,
        enabled: channel.enabled,
        appId: wx?.appId ?? '',
        apiBase: wx?.apiBase,
        ratePerMinute: wx?.ratePerMinute,
        templates: templatesToForm(wx?.templates),
      }
    : { enabled: true, templates: templatesToForm(undefined) };
  const kept = (configured?: { configured: true }) => (configured ? t('channels.form.secretKept') : undefined);
  const isNew = !channel;
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.newWechat')} onClose={onClose} size="large" destroyOnHidden>
      {channel?.callbackUrl ? (
        <Alert
          style={{ marginBottom: 16 }}
          type="info"
          title={t('channels.wechat.callbackUrl')}
          description={
            <Space direction="vertical">
              <Typography.Text copyable code>
                {channel.callbackUrl}
              </Typography.Text>
              <Typography.Text type="secondary">{t('channels.wechat.callbackHint')}</Typography.Text>
            </Space>
          }
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="wechat-form">
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder="物业服务号" />
        </Form.Item>
        <Form.Item name="appId" label={t('channels.wechat.form.appId')} rules={[{ required: true }]}>
          <Input autoComplete="off" placeholder="wx…" />
        </Form.Item>
        <Form.Item name="appSecret" label={t('channels.wechat.form.appSecret')} rules={[{ required: isNew }]} extra={kept(wx?.appSecret)}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="token"
          label={t('channels.wechat.form.token')}
          rules={[{ required: isNew }, { pattern: /^[A-Za-z0-9]{3,32}$/, message: t('channels.wechat.form.tokenRule') }]}
          extra={kept(wx?.token) ?? t('channels.wechat.form.tokenRule')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="encodingAesKey"
          label={t('channels.wechat.form.encodingAesKey')}
          rules={[{ required: isNew }, { pattern: /^[A-Za-z0-9]{43}$/, message: t('channels.wechat.form.aesKeyRule') }]}
          extra={kept(wx?.encodingAesKey) ?? t('channels.wechat.form.aesKeyRule')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Collapse
          ghost
          items={[
            {
              key: 'advanced',
              label: t('channels.wechat.form.advanced'),
              forceRender: true,
              children: (
                <>
                  <Form.Item name="apiBase" label={t('channels.wechat.form.apiBase')} extra={t('channels.wechat.form.apiBaseHint')} rules={[{ type: 'url' }]}>
                    <Input placeholder="https://api.weixin.qq.com" />
                  </Form.Item>
                  <Form.Item name="ratePerMinute" label={t('channels.form.rate')}>
                    <InputNumber min={1} max={10000} placeholder="60" />
                  </Form.Item>
                </>
              ),
            },
            { key: 'templates', label: t('channels.wechat.tpl.section'), forceRender: true, children: <WechatTemplatesFields /> },
          ]}
        />
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="wechat-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

function ChannelEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const useImap = Form.useWatch('useImap', form);
  const save = useMutation({
    mutationFn: async (v: FormValues) => {
      const server = (s: ServerForm) => ({
        host: s.host,
        port: Number(s.port),
        secure: !!s.secure,
        ...(s.user ? { user: s.user } : {}),
        ...(s.password ? { password: s.password } : {}),
      });
      const config: EmailCreate['config'] = {
        address: v.address,
        smtp: server(v.smtp),
        ...(v.useImap ? { imap: { ...server(v.imap), user: v.imap.user ?? '', ...(v.imap.mailbox ? { mailbox: v.imap.mailbox } : {}) } } : {}),
        ...(v.ratePerMinute ? { ratePerMinute: v.ratePerMinute } : {}),
      };
      if (channel) await channelsApi.update(channel.id, { name: v.name, config, unknownSender: v.unknownSender, enabled: v.enabled });
      else await channelsApi.create({ kind: 'email', name: v.name, config, unknownSender: v.unknownSender, enabled: v.enabled });
    },
    onSuccess: async () => {
      void message.success(t('channels.saved'));
      await qc.invalidateQueries({ queryKey: ['channels'] });
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const mail = channel ? emailConfig(channel) : null;
  const initial: Partial<FormValues> =
    mail && channel
      ? {
          name: channel.name,
          address: mail.address,
          unknownSender: channel.unknownSender,
          enabled: channel.enabled,
          smtp: {
            host: mail.smtp.host,
            port: mail.smtp.port,
            secure: mail.smtp.secure,
            ...(mail.smtp.user ? { user: mail.smtp.user } : {}),
          },
          useImap: !!mail.imap,
          ...(mail.imap
            ? {
                imap: {
                  host: mail.imap.host,
                  port: mail.imap.port,
                  secure: mail.imap.secure,
                  user: mail.imap.user ?? '',
                },
              }
            : {}),
          ...(mail.ratePerMinute ? { ratePerMinute: mail.ratePerMinute } : {}),
        }
      : { unknownSender: 'customer', enabled: true, smtp: { host: '', port: 465, secure: true }, useImap: false, imap: { host: '', port: 993, secure: true } };
  const secretHint = (configured?: { configured: true }) => (configured ? t('channels.form.secretKept') : undefined);
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.new')} onClose={onClose} size="large" destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="channel-form">
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder="物业客服邮箱" />
        </Form.Item>
        <Form.Item name="address" label={t('channels.form.address')} rules={[{ required: true, type: 'email' }]}>
          <Input placeholder="service@example.com" />
        </Form.Item>
        <Typography.Title level={5}>{t('channels.form.smtp')}</Typography.Title>
        <Space wrap>
          <Form.Item name={['smtp', 'host']} label={t('channels.form.host')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name={['smtp', 'port']} label={t('channels.form.port')} rules={[{ required: true }]}>
            <InputNumber min={1} max={65535} />
          </Form.Item>
          <Form.Item name={['smtp', 'secure']} label={t('channels.form.secure')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name={['smtp', 'user']} label={t('channels.form.user')}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name={['smtp', 'password']} label={t('channels.form.password')} extra={secretHint(mail?.smtp.password)}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Space>
        <Form.Item name="useImap" label={t('channels.form.useImap')} valuePropName="checked">
          <Switch />
        </Form.Item>
        {useImap ? (
          <>
            <Space wrap>
              <Form.Item name={['imap', 'host']} label={t('channels.form.host')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name={['imap', 'port']} label={t('channels.form.port')} rules={[{ required: true }]}>
                <InputNumber min={1} max={65535} />
              </Form.Item>
              <Form.Item name={['imap', 'secure']} label={t('channels.form.secure')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Space>
            <Space wrap>
              <Form.Item name={['imap', 'user']} label={t('channels.form.user')} rules={[{ required: true }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name={['imap', 'password']} label={t('channels.form.password')} extra={secretHint(mail?.imap?.password)}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </Space>
          </>
        ) : null}
        <Form.Item name="unknownSender" label={t('channels.form.unknownSender')}>
          <Select
            options={[
              { value: 'customer', label: t('channels.unknownSender.customer') },
              { value: 'review', label: t('channels.unknownSender.review') },
            ]}
          />
        </Form.Item>
        <Form.Item name="ratePerMinute" label={t('channels.form.rate')}>
          <InputNumber min={1} max={10000} placeholder="60" />
        </Form.Item>
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="channel-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

function ChannelLog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const log = useQuery({ queryKey: ['channels', channel.id, 'log'], queryFn: () => channelsApi.log(channel.id) });
  return (
    <Drawer open title={`${t('channels.log')} · ${channel.name}`} onClose={onClose} size="large">
      <List
        loading={log.isLoading}
        dataSource={log.data?.items ?? []}
        locale={{ emptyText: t('channels.logEmpty') }}
        renderItem={(e) => (
          <List.Item>
            <Space direction="vertical" size={0}>
              <Space>
                <Tag color={e.level === 'error' ? 'red' : e.level === 'warn' ? 'orange' : 'blue'}>{t(`channels.level.${e.level}`)}</Tag>
                <Typography.Text type="secondary">{f.dateTime(e.at)}</Typography.Text>
              </Space>
              <Typography.Text>{e.text}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Drawer>
  );
}

function DeadLetters() {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const dead = useQuery({ queryKey: ['channels', 'outbox', 'dead'], queryFn: () => channelsApi.outbox('dead') });
  const retry = useMutation({
    mutationFn: (id: string) => channelsApi.retry(id),
    onSuccess: async () => {
      void message.success(t('channels.retried'));
      await qc.invalidateQueries({ queryKey: ['channels', 'outbox'] });
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  return (
    <Table
      rowKey="id"
      loading={dead.isLoading}
      dataSource={dead.data?.items ?? []}
      locale={{ emptyText: t('channels.deadEmpty') }}
      scroll={{ x: 720 }}
      columns={[
        { title: t('channels.col.subject'), dataIndex: 'subject' },
        { title: t('channels.col.recipient'), dataIndex: 'recipient' },
        { title: t('channels.col.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`channels.status.${s}`)}</Tag> },
        { title: t('channels.col.attempts'), dataIndex: 'attempts' },
        { title: t('channels.col.error'), dataIndex: 'lastError', ellipsis: true },
        { title: t('channels.col.created'), dataIndex: 'createdAt', render: (v: string) => f.dateTime(v) },
        {
          title: '',
          key: 'retry',
          render: (_: unknown, r: { id: string }) => (
            <Button size="small" onClick={() => retry.mutate(r.id)} loading={retry.isPending && retry.variables === r.id}>
              {t('channels.retry')}
            </Button>
          ),
        },
      ]}
    />
  );
}
