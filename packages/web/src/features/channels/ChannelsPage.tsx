import { useState } from 'react';
import { Alert, App, Button, Card, Drawer, Form, Input, InputNumber, List, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { ApiOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { useFormat } from '../auth/me';
import { channelsApi, type Channel, type ChannelCreate } from './api';

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

const STATUS_COLOR: Record<string, string> = { queued: 'blue', sending: 'processing', sent: 'green', failed: 'orange', dead: 'red' };

/** 渠道接入: email channels (SMTP out, IMAP in), 测试连接, the channel log and the dead letters. */
export default function ChannelsPage() {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['channels'], queryFn: channelsApi.list });
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [logOf, setLogOf] = useState<Channel | null>(null);
  return (
    <Page
      title={t('channels.title')}
      subtitle={t('channels.subtitle')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="channel-new">
          {t('channels.new')}
        </Button>
      }
    >
      {list.isError ? <Alert type="error" title={errorMessage(list.error, t)} /> : null}
      <Tabs
        items={[
          {
            key: 'channels',
            label: t('channels.tabs.channels'),
            children: <ChannelList items={list.data?.items ?? []} loading={list.isLoading} onEdit={setEditing} onLog={setLogOf} />,
          },
          { key: 'dead', label: t('channels.tabs.dead'), children: <DeadLetters /> },
        ]}
      />
      {editing ? <ChannelEditor channel={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
      {logOf ? <ChannelLog channel={logOf} onClose={() => setLogOf(null)} /> : null}
    </Page>
  );
}

function ChannelList({ items, loading, onEdit, onLog }: { items: Channel[]; loading: boolean; onEdit: (c: Channel) => void; onLog: (c: Channel) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const test = useMutation({
    mutationFn: (id: string) => channelsApi.test(id),
    onSuccess: (r) => {
      const part = (name: string, x?: { ok: boolean; error?: string }) =>
        x ? `${name}：${x.ok ? t('channels.test.ok') : t(`channels.test.error.${x.error ?? 'failed'}`)}` : null;
      const text = [part('SMTP', r.smtp), part('IMAP', r.imap)].filter(Boolean).join('；');
      if (r.smtp.ok && (r.imap?.ok ?? true)) void message.success(text);
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
            <Typography.Paragraph>
              {t('channels.kind.email')} · {c.address}
            </Typography.Paragraph>
            <Typography.Text type="secondary">
              SMTP {c.config.smtp.host}:{c.config.smtp.port}
              {c.config.imap ? ` · IMAP ${c.config.imap.host}:${c.config.imap.port}` : ` · ${t('channels.noImap')}`}
            </Typography.Text>
          </Card>
        </List.Item>
      )}
    />
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
      const config: ChannelCreate['config'] = {
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
  const initial: Partial<FormValues> = channel
    ? {
        name: channel.name,
        address: channel.config.address,
        unknownSender: channel.unknownSender,
        enabled: channel.enabled,
        smtp: {
          host: channel.config.smtp.host,
          port: channel.config.smtp.port,
          secure: channel.config.smtp.secure,
          ...(channel.config.smtp.user ? { user: channel.config.smtp.user } : {}),
        },
        useImap: !!channel.config.imap,
        ...(channel.config.imap
          ? {
              imap: {
                host: channel.config.imap.host,
                port: channel.config.imap.port,
                secure: channel.config.imap.secure,
                user: channel.config.imap.user ?? '',
              },
            }
          : {}),
        ...(channel.config.ratePerMinute ? { ratePerMinute: channel.config.ratePerMinute } : {}),
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
          <Form.Item name={['smtp', 'password']} label={t('channels.form.password')} extra={secretHint(channel?.config.smtp.password)}>
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
              <Form.Item name={['imap', 'password']} label={t('channels.form.password')} extra={secretHint(channel?.config.imap?.password)}>
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
