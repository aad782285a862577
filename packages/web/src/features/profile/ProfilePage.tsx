import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { App, Button, Card, Col, Descriptions, Flex, Form, Input, Row, Select, Space, Tag, Typography } from 'antd';
import { CheckCircleFilled, ExclamationCircleFilled, LogoutOutlined, SafetyOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { meApi } from '../../api/endpoints';
import type { Locale, Me, MePatch } from '../../api/types';
import { applyLocale, currentLocale } from '../../i18n';
import { COMMON_TIME_ZONES, timeZoneLabel } from '../../lib/time';
import { useApiError } from '../../lib/useApiError';
import { normaliseErrorPath } from '../../lib/apiErrors';
import { Page } from '../../layout/Page';
import { roleLabel } from '../auth/labels';
import { ME_QUERY_KEY, useFormat, useMe } from '../auth/me';
import { useLogout } from '../auth/useLogout';

export default function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  const fmt = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const showError = useApiError();
  const { message, modal } = App.useApp();
  const logout = useLogout();

  const patch = useMutation({
    mutationFn: (body: MePatch) => meApi.patch(body),
    onSuccess: (updated: Me) => {
      queryClient.setQueryData(ME_QUERY_KEY, updated);
      void message.success(t('common.saved'));
    },
    onError: (err) => showError(err),
  });

  const changeLocale = async (locale: Locale) => {
    const previous = currentLocale();
    await applyLocale(locale);
    patch.mutate({ locale }, { onError: () => void applyLocale(previous) });
  };

  const zoneOptions = useMemo(() => {
    const zones: string[] = [...COMMON_TIME_ZONES];
    if (me.timeZone && !zones.includes(me.timeZone)) zones.unshift(me.timeZone);
    return zones.map((z) => ({ value: z, label: timeZoneLabel(z, currentLocale()) }));
  }, [me.timeZone, t]);

  const confirmLogoutAll = () => {
    modal.confirm({
      title: t('profile.logoutAllConfirmTitle'),
      content: t('profile.logoutAllConfirm'),
      okText: t('profile.logoutAll'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => logout(true),
    });
  };

  return (
    <Page title={t('profile.title')} subtitle={t('profile.subtitle')}>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('profile.basic')}>
            <Descriptions
              column={1}
              size="small"
              items={[
                {
                  key: 'name',
                  label: t('profile.name'),
                  children: (
                    <Typography.Text
                      editable={{
                        tooltip: t('common.edit'),
                        onChange: (value) => {
                          const name = value.trim();
                          if (name && name !== me.name) patch.mutate({ name });
                        },
                      }}
                    >
                      {me.name}
                    </Typography.Text>
                  ),
                },
                { key: 'employeeNo', label: t('profile.employeeNo'), children: me.employeeNo },
                {
                  key: 'roles',
                  label: t('profile.roles'),
                  children: (
                    <Flex gap={4} wrap>
                      {me.roles.map((r) => (
                        <Tag key={r} color="blue">
                          {roleLabel(t, r)}
                        </Tag>
                      ))}
                    </Flex>
                  ),
                },
                { key: 'team', label: t('profile.team'), children: me.teamName ?? t('common.none') },
                {
                  key: 'skills',
                  label: t('profile.skills'),
                  children: me.skills.length ? (
                    <Flex gap={4} wrap>
                      {me.skills.map((s) => (
                        <Tag key={s}>{s}</Tag>
                      ))}
                    </Flex>
                  ) : (
                    t('common.none')
                  ),
                },
                {
                  key: 'limit',
                  label: t('profile.compensationLimit'),
                  children: (
                    <Typography.Text>
                      {fmt.money(me.compensationLimitFen)} <Typography.Text type="secondary">· {t('profile.compensationLimitHint')}</Typography.Text>
                    </Typography.Text>
                  ),
                },
              ]}
            />
          </Card>
        </Col>

        <Col xs={24} xl={12}>
          <Card title={t('profile.preferences')}>
            <Form layout="vertical">
              <Form.Item label={t('profile.language')}>
                <Select<Locale>
                  value={currentLocale()}
                  onChange={(v) => void changeLocale(v)}
                  options={[
                    { value: 'zh-CN', label: t('language.zhCNFull') },
                    { value: 'en', label: t('language.enFull') },
                  ]}
                  style={{ maxWidth: 320 }}
                  data-testid="profile-language"
                />
              </Form.Item>
              <Form.Item label={t('profile.timeZone')} extra={t('profile.timeZoneNow', { now: fmt.dateTime(new Date().toISOString()) })}>
                <Select<string>
                  showSearch={{ optionFilterProp: 'label' }}
                  value={me.timeZone}
                  onChange={(timeZone) => patch.mutate({ timeZone })}
                  options={zoneOptions}
                  style={{ maxWidth: 420 }}
                  data-testid="profile-timezone"
                />
              </Form.Item>
            </Form>
          </Card>
        </Col>

        <Col xs={24} xl={12}>
          <ChangePasswordCard />
        </Col>

        <Col xs={24} xl={12}>
          <Card title={t('profile.security')}>
            <Flex vertical gap={16}>
              <div>
                <Typography.Text strong>{t('profile.totp')}</Typography.Text>
                <div style={{ marginTop: 8 }} data-testid="totp-status">
                  {me.totpEnabled ? (
                    <Space orientation="vertical" size={4}>
                      <Tag icon={<CheckCircleFilled />} color="success">
                        {t('profile.totpEnabled')}
                      </Tag>
                      <Typography.Text type="secondary">{t('profile.totpResetByAdmin')}</Typography.Text>
                    </Space>
                  ) : (
                    <Space orientation="vertical" size={8}>
                      <Tag icon={<ExclamationCircleFilled />} color="warning">
                        {t('profile.totpDisabled')}
                      </Tag>
                      <Typography.Text type="secondary">{t('profile.totpWhy')}</Typography.Text>
                      <Button type="primary" icon={<SafetyOutlined />} onClick={() => void navigate('/profile/totp')} data-testid="totp-enrol">
                        {t('profile.totpEnrol')}
                      </Button>
                    </Space>
                  )}
                </div>
              </div>
              <div>
                <Typography.Text strong>{t('profile.sessions')}</Typography.Text>
                <Typography.Paragraph type="secondary" style={{ margin: '8px 0' }}>
                  {t('profile.logoutAllHint')}
                </Typography.Paragraph>
                <Button danger icon={<LogoutOutlined />} onClick={confirmLogoutAll} data-testid="logout-all">
                  {t('profile.logoutAll')}
                </Button>
              </div>
            </Flex>
          </Card>
        </Col>
      </Row>
    </Page>
  );
}

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

function ChangePasswordCard() {
  const { t } = useTranslation();
  const [form] = Form.useForm<PasswordForm>();
  const { message } = App.useApp();
  const showError = useApiError();
  const [busy, setBusy] = useState(false);

  // catches every error and shows it (on the fields or as a message): the form calls it with `void`
  const submit = async (values: PasswordForm) => {
    setBusy(true);
    try {
      await meApi.changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword });
      form.resetFields();
      void message.success(t('profile.passwordChanged'));
    } catch (err) {
      // the server answers 400 with errors[{path: 'currentPassword', message: 'is incorrect'}]
      if (err instanceof ApiError && err.errors.some((e) => normaliseErrorPath(e.path)[0] === 'currentPassword')) {
        form.setFields([{ name: 'currentPassword', errors: [t('profile.currentPasswordWrong')] }]);
      } else {
        showError(err, { form, fields: ['currentPassword', 'newPassword'] });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('profile.changePassword')}>
      <Form<PasswordForm> form={form} layout="vertical" onFinish={(v) => void submit(v)} style={{ maxWidth: 420 }}>
        <Form.Item name="currentPassword" label={t('profile.currentPassword')} rules={[{ required: true, message: t('validation.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('profile.newPassword')}
          rules={[
            { required: true, message: t('validation.required') },
            { min: 8, message: t('validation.passwordMin', { min: 8 }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('profile.confirmPassword')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('validation.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('validation.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('profile.changePasswordSubmit')}
        </Button>
      </Form>
    </Card>
  );
}
