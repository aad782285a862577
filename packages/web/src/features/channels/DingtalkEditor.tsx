import { Alert, App, Button, Collapse, Drawer, Form, Input, Radio, Space, Switch, Table, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http, type ItemOf, type ResponseOf } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { channelsApi, type Channel } from './api';
import { showCreatedUrl } from './createdUrlDialog';

export const isDingtalk = (kind: string) => kind === 'dingtalk_robot';
/** The DingTalk settings of a channel (null for other kinds). */
export const dingtalkConfig = (c: Channel) => ('robotCode' in c.config ? c.config : null);

type StaffMapping = ItemOf<ResponseOf<'get', '/channels/dingtalk/staff'>['items']>;
const dingtalkStaffApi = {
  list: () => http.get('/channels/dingtalk/staff', {}),
  put: (staffId: string, userid: string | null, enabled: boolean) =>
    http.put('/channels/dingtalk/staff/{staffId}', { path: { staffId }, body: { userid, enabled } }),
};

interface DingtalkForm {
  name: string;
  enabled: boolean;
  appKey: string;
  appSecret?: string;
  robotCode: string;
  mode: 'http' | 'stream';
  agentId?: string;
  apiBase?: string;
}
const clean = (v?: string) => (v?.trim() ? v.trim() : undefined);

/** 钉钉机器人: AppKey, AppSecret (write-only), RobotCode, HTTP or Stream mode, AgentId for 工作通知; the callback URL to paste. */
export function DingtalkEditor({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<DingtalkForm>();
  const dt = channel ? dingtalkConfig(channel) : null;
  const mode: 'http' | 'stream' = Form.useWatch('mode', form) ?? dt?.mode ?? 'http';
  const save = useMutation({
    mutationFn: async (v: DingtalkForm) => {
      const pub = {
        appKey: v.appKey.trim(),
        robotCode: v.robotCode.trim(),
        mode: v.mode,
        ...(clean(v.agentId) ? { agentId: clean(v.agentId) } : {}),
        ...(clean(v.apiBase) ? { apiBase: clean(v.apiBase) } : {}),
      };
      if (channel) {
        await channelsApi.update(channel.id, { name: v.name, enabled: v.enabled, config: { ...pub, ...(v.appSecret ? { appSecret: v.appSecret } : {}) } });
        return null;
      }
      const created = await channelsApi.create({ kind: 'dingtalk_robot', name: v.name, enabled: v.enabled, config: { ...pub, appSecret: v.appSecret ?? '' } });
      return created.callbackUrl ?? null;
    },
    onSuccess: async (callbackUrl) => {
      await qc.invalidateQueries({ queryKey: ['channels'] });
      if (callbackUrl)
        showCreatedUrl(modal, {
          title: t('channels.dt.created'),
          hint: t('channels.dt.callbackHint'),
          url: callbackUrl,
          testId: 'dingtalk-created-url',
          width: 600,
        });
      else void message.success(t('channels.saved'));
      onClose();
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const initial: Partial<DingtalkForm> =
    channel && dt
      ? { name: channel.name, enabled: channel.enabled, appKey: dt.appKey, robotCode: dt.robotCode, mode: dt.mode, agentId: dt.agentId, apiBase: dt.apiBase }
      : { enabled: true, mode: 'http' };
  const isNew = !channel;
  return (
    <Drawer open title={channel ? t('channels.edit') : t('channels.newDingtalk')} onClose={onClose} size="large" destroyOnHidden>
      {channel?.callbackUrl ? (
        <Alert
          style={{ marginBottom: 16 }}
          type="info"
          title={t('channels.dt.callbackUrl')}
          description={
            <Space direction="vertical">
              <Typography.Text copyable code>
                {channel.callbackUrl}
              </Typography.Text>
              <Typography.Text type="secondary">{t('channels.dt.callbackHint')}</Typography.Text>
            </Space>
          }
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="dingtalk-form">
        <Form.Item name="name" label={t('channels.form.name')} rules={[{ required: true }]}>
          <Input placeholder="钉钉服务机器人" />
        </Form.Item>
        <Form.Item name="appKey" label={t('channels.dt.form.appKey')} rules={[{ required: true }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="appSecret"
          label={t('channels.dt.form.appSecret')}
          rules={[{ required: isNew }]}
          extra={dt?.appSecret ? t('channels.form.secretKept') : undefined}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="robotCode" label={t('channels.dt.form.robotCode')} extra={t('channels.dt.form.robotCodeHint')} rules={[{ required: true }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="mode" label={t('channels.dt.form.mode')} extra={mode === 'stream' ? t('channels.dt.streamHint') : t('channels.dt.callbackHint')}>
          <Radio.Group
            options={(['http', 'stream'] as const).map((m) => ({ value: m, label: t(`channels.dt.mode.${m}`) }))}
            optionType="button"
            data-testid="dingtalk-mode"
          />
        </Form.Item>
        <Form.Item name="agentId" label={t('channels.dt.form.agentId')} extra={t('channels.dt.form.agentIdHint')} rules={[{ pattern: /^\d{1,20}$/ }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Collapse
          ghost
          items={[
            {
              key: 'advanced',
              label: t('channels.dt.form.advanced'),
              forceRender: true,
              children: (
                <Form.Item name="apiBase" label={t('channels.dt.form.apiBase')} extra={t('channels.dt.form.apiBaseHint')} rules={[{ type: 'url' }]}>
                  <Input placeholder="https://api.dingtalk.com" />
                </Form.Item>
              ),
            },
          ]}
        />
        <Form.Item name="enabled" label={t('channels.form.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="dingtalk-save">
          {t('channels.save')}
        </Button>
      </Form>
    </Drawer>
  );
}

/** The card summary of a DingTalk robot: mode, AppKey, work notices, and the callback URL (HTTP mode). */
export function DingtalkSummary({ c }: { c: Channel }) {
  const { t } = useTranslation();
  const dt = dingtalkConfig(c);
  if (!dt) return null;
  return (
    <>
      <Typography.Paragraph>
        {t('channels.kind.dingtalk_robot')} · {t(`channels.dt.mode.${dt.mode}`)} · {dt.appKey}
      </Typography.Paragraph>
      {dt.agentId ? <Typography.Paragraph type="secondary">{t('channels.dt.workNotices', { agentId: dt.agentId })}</Typography.Paragraph> : null}
      {c.callbackUrl ? (
        <Typography.Text type="secondary" copyable={{ text: c.callbackUrl }} data-testid="dingtalk-callback-url">
          {t('channels.dt.callbackUrl')}
        </Typography.Text>
      ) : null}
    </>
  );
}

/** 员工钉钉账号: each staff member's DingTalk userid, where 工作通知 go (channels.manage). */
export function DingtalkStaffDrawer({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const list = useQuery({ queryKey: ['channels', 'dingtalk-staff'], queryFn: dingtalkStaffApi.list });
  const [draft, setDraft] = useState<Record<string, { userid: string; enabled: boolean }>>({});
  const save = useMutation({
    mutationFn: ({ staffId, userid, enabled }: { staffId: string; userid: string | null; enabled: boolean }) => dingtalkStaffApi.put(staffId, userid, enabled),
    onSuccess: async (_r, v) => {
      setDraft((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k !== v.staffId)));
      await qc.invalidateQueries({ queryKey: ['channels', 'dingtalk-staff'] });
      void message.success(t('channels.dt.staff.saved'));
    },
    onError: (e) => void message.error(errorMessage(e, t)),
  });
  const valueOf = (r: StaffMapping) => draft[r.staffId] ?? { userid: r.userid ?? '', enabled: r.userid ? r.enabled : true };
  const edit = (r: StaffMapping, patch: Partial<{ userid: string; enabled: boolean }>) => setDraft((d) => ({ ...d, [r.staffId]: { ...valueOf(r), ...patch } }));
  return (
    <Drawer open title={t('channels.dt.staff.title')} onClose={onClose} size="large" destroyOnHidden>
      <Typography.Paragraph type="secondary">{t('channels.dt.staff.hint')}</Typography.Paragraph>
      <Table<StaffMapping>
        rowKey="staffId"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 560 }}
        data-testid="dingtalk-staff"
        columns={[
          { title: t('channels.dt.staff.name'), dataIndex: 'name' },
          {
            title: t('channels.dt.staff.userid'),
            render: (_v, r) => (
              <Input
                size="small"
                value={valueOf(r).userid}
                onChange={(e) => edit(r, { userid: e.target.value })}
                status={valueOf(r).userid && !/^[A-Za-z0-9_$:.-]+$/.test(valueOf(r).userid) ? 'error' : undefined}
                placeholder={t('channels.dt.staff.useridRule')}
                data-testid={`dingtalk-userid-${r.staffId}`}
              />
            ),
          },
          {
            title: t('channels.dt.staff.enabled'),
            width: 110,
            render: (_v, r) => <Switch size="small" checked={valueOf(r).enabled} onChange={(enabled) => edit(r, { enabled })} />,
          },
          {
            title: '',
            width: 150,
            render: (_v, r) => (
              <Space size={4}>
                <Button
                  size="small"
                  type="link"
                  disabled={!draft[r.staffId] || !valueOf(r).userid.trim()}
                  loading={save.isPending && save.variables?.staffId === r.staffId}
                  onClick={() => save.mutate({ staffId: r.staffId, userid: valueOf(r).userid.trim(), enabled: valueOf(r).enabled })}
                >
                  {t('channels.dt.staff.save')}
                </Button>
                {r.userid ? (
                  <Button size="small" type="link" danger onClick={() => save.mutate({ staffId: r.staffId, userid: null, enabled: false })}>
                    {t('channels.dt.staff.clear')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
    </Drawer>
  );
}
