import { Alert, App, Button, Drawer, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { calendarsApi } from '../calendars/api';
import { useTeams } from '../staff/queries';
import { channelsApi, type Channel } from './api';

/** The web chat settings of a channel (null for other kinds). */
export const webchatConfig = (c: Channel) => ('allowedOrigins' in c.config ? c.config : null);

interface WebchatForm {
  name: string;
  enabled: boolean;
  teamId?: string;
  origins: string;
  greeting?: string;
  offlineMessage?: string;
  calendarId?: string;
  messagesPerMinute?: number;
  requireIdentity?: boolean;
}

const clean = (v?: string) => (v?.trim() ? v.trim() : undefined);

/** The `<script>` snippet with a copy button (shown after creating and on the channel card). */
export function SnippetBox({ snippet }: { snippet: string }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('channels.webchat.snippetHint')}</Typography.Text>
      <Typography.Paragraph copyable code data-testid="webchat-snippet" style={{ wordBreak: 'break-all' }}>
        {snippet}
      </Typography.Paragraph>
    </Space>
  );
}

/** 网页聊天: the sites allowed to embed the widget, greeting, offline message, the agents' duty calendar, team. */
export function WebchatEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<WebchatForm>();
  const teams = useTeams();
  const calendars = useQuery({ queryKey: ['calendars', 'list'], queryFn: calendarsApi.list });
  const cfg = channel ? webchatConfig(channel) : null;
  const save = useMutation({
    mutationFn: async (v: WebchatForm) => {
      const config = {
        allowedOrigins: v.origins
          .split(/[\s,，]+/)
          .map((o) => o.trim())
          .filter(Boolean),
        ...(clean(v.greeting) ? { greeting: clean(v.greeting) } : {}),
        ...(clean(v.offlineMessage) ? { offlineMessage: clean(v.offlineMessage) } : {}),
        ...(v.calendarId ? { calendarId: v.calendarId } : {}),
        ...(v.messagesPerMinute ? { messagesPerMinute: v.messagesPerMinute } : {}),
        ...(v.requireIdentity ? { requireIdentity: true } : {}),
      };
      if (channel) {
        await channelsApi.update(channel.id, { name: v.name, enabled: v.enabled, teamId: v.teamId ?? null, config });
        return null;
      }
      const created = await channelsApi.create({ kind: 'webchat', name: v.name, enabled: v.enabled, config, ...(v.teamId ? { teamId: v.teamId } : {}) });
      return created.snippet ?? null;
    },
    onSuccess: async (snippet) => {
      await qc.invalidateQueries({ queryKey: ['channels'] });
      if (snippet) modal.success({ title: t('channels.webchat.created'), width: 640, content: <SnippetBox snippet={snippet} /> });
      else void message.success(t('channels.saved'));
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const initial: Partial<WebchatForm> =
    channel && cfg
      ? {
          name: channel.name,
          enabled: channel.enabled,
          teamId: channel.teamId ?? undefined,
          origins: cfg.allowedOrigins.join('\n'),
          greeting: cfg.greeting,
          offlineMessage: cfg.offlineMessage,
          calendarId: cfg.calendarId,
          messagesPerMinute: cfg.messagesPerMinute,
          requireIdentity: cfg.requireIdentity === true,
        }
      : { enabled: true, origins: '' };
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.newWebchat')} onClose={onClose} size="large" destroyOnHidden>
      {channel?.snippet ? (
        <Alert style={{ marginBottom: 16 }} type="info" title={t('channels.webchat.snippet')} description={<SnippetBox snippet={channel.snippet} />} />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="webchat-form">
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder={t('channels.webchat.form.namePlaceholder')} data-testid="webchat-name" />
        </Form.Item>
        <Form.Item name="origins" label={t('channels.webchat.form.origins')} extra={t('channels.webchat.form.originsHint')} rules={[{ required: true }]}>
          <Input.TextArea rows={3} placeholder="https://www.example.com" data-testid="webchat-origins" />
        </Form.Item>
        <Form.Item name="teamId" label={t('channels.webchat.form.team')} extra={t('channels.webchat.form.teamHint')}>
          <Select allowClear options={(teams.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} data-testid="webchat-team" />
        </Form.Item>
        <Form.Item name="greeting" label={t('channels.webchat.form.greeting')}>
          <Input.TextArea rows={2} maxLength={500} placeholder={t('channels.webchat.form.greetingPlaceholder')} />
        </Form.Item>
        <Form.Item name="calendarId" label={t('channels.webchat.form.calendar')} extra={t('channels.webchat.form.calendarHint')}>
          <Select allowClear options={(calendars.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} data-testid="webchat-calendar" />
        </Form.Item>
        <Form.Item name="offlineMessage" label={t('channels.webchat.form.offlineMessage')}>
          <Input.TextArea rows={2} maxLength={500} placeholder={t('channels.webchat.form.offlinePlaceholder')} />
        </Form.Item>
        <Form.Item name="messagesPerMinute" label={t('channels.webchat.form.messagesPerMinute')}>
          <InputNumber min={1} max={600} placeholder="30" />
        </Form.Item>
        <Form.Item
          name="requireIdentity"
          label={t('channels.webchat.form.requireIdentity')}
          extra={t('channels.webchat.form.requireIdentityHint')}
          valuePropName="checked"
        >
          <Switch data-testid="webchat-require-identity" />
        </Form.Item>
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="webchat-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** The card summary of a web chat channel: allowed sites and the snippet to copy. */
export function WebchatSummary({ c }: { c: Channel }) {
  const { t } = useTranslation();
  const cfg = webchatConfig(c);
  if (!cfg) return null;
  return (
    <>
      <Typography.Paragraph>
        {t('channels.kind.webchat')} · {cfg.allowedOrigins.join(' · ')}
      </Typography.Paragraph>
      {c.snippet ? (
        <Typography.Text type="secondary" copyable={{ text: c.snippet }} data-testid="webchat-snippet-copy">
          {t('channels.webchat.snippet')}
        </Typography.Text>
      ) : null}
    </>
  );
}
