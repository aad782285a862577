import { useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Typography, type FormInstance } from 'antd';
import { ArrowLeftOutlined, LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { authApi, meApi } from '../../api/endpoints';
import type { LoginResponse } from '../../api/types';
import { applyLocale, currentLocale, isLocale } from '../../i18n';
import { errorMessage } from '../../lib/apiErrors';
import { Brand } from '../../layout/Brand';
import { LanguageSwitch } from '../../layout/LanguageSwitch';
import { DemoAccounts } from './DemoAccounts';

interface Credentials {
  employeeNo: string;
  password: string;
}

type Notice = { type: 'error' | 'warning'; text: string } | null;

/** Strip spaces; 6-digit codes stay as they are, recovery codes become `abcd-efgh` (dash added if left out). */
export function normaliseOtp(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (/^\d{6}$/.test(compact)) return compact;
  if (/^[a-z0-9]{8}$/i.test(compact)) return `${compact.slice(0, 4)}-${compact.slice(4)}`.toLowerCase();
  return compact.toLowerCase();
}

export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<'password' | 'otp'>('password');
  const [form] = Form.useForm<Credentials>();
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [otpError, setOtpError] = useState<{ text: string; at: number } | null>(null);
  const [retryUntil, setRetryUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const languageChosenHere = useRef(false);

  const from = (location.state as { from?: string } | null)?.from;
  const secondsLeft = retryUntil ? Math.max(0, Math.ceil((retryUntil - now) / 1000)) : 0;

  useEffect(() => {
    if (!retryUntil) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [retryUntil]);

  useEffect(() => {
    if (retryUntil && secondsLeft === 0) {
      setRetryUntil(null);
      setNotice(null);
    }
  }, [retryUntil, secondsLeft]);

  const afterLogin = async (res: LoginResponse) => {
    queryClient.clear();
    const chosen = currentLocale();
    if (languageChosenHere.current && chosen !== res.user.locale) {
      // the user picked a language on the login page: keep it and save it to the account
      try {
        await meApi.patch({ locale: chosen });
      } catch {
        /* not fatal: the header switch can save it later */
      }
    } else if (isLocale(res.user.locale)) {
      await applyLocale(res.user.locale);
    }
    if (res.user.mustEnrolTotp) {
      void navigate('/profile/totp', { replace: true });
    } else {
      void navigate(from && from !== '/login' ? from : '/', { replace: true });
    }
  };

  const handleError = (err: unknown, onOtpStep: boolean) => {
    if (err instanceof ApiError) {
      switch (err.code) {
        case 'otp_required':
          setStep('otp');
          setNotice(null);
          return;
        case 'otp_invalid':
          setOtpError({ text: t('errors.otp_invalid'), at: Date.now() });
          return;
        case 'rate_limited': {
          const seconds = err.retryAfter ?? 60;
          setRetryUntil(Date.now() + seconds * 1000);
          setNow(Date.now());
          setNotice({ type: 'warning', text: t('errors.rate_limited', { seconds }) });
          return;
        }
        case 'invalid_credentials':
          if (onOtpStep) {
            // password no longer accepted (e.g. changed meanwhile) → start over
            setStep('password');
          }
          setNotice({ type: 'error', text: t('errors.invalid_credentials') });
          return;
        default:
          setNotice({ type: 'error', text: errorMessage(err, t) });
          return;
      }
    }
    setNotice({ type: 'error', text: errorMessage(err, t) });
  };

  // submitPassword and submitOtp catch every error and show it, so the forms call them with `void`.
  const submitPassword = async (values: Credentials) => {
    const creds = { employeeNo: values.employeeNo.trim(), password: values.password };
    setCredentials(creds);
    setSubmitting(true);
    setNotice(null);
    try {
      await afterLogin(await authApi.login(creds));
    } catch (err) {
      handleError(err, false);
    } finally {
      setSubmitting(false);
    }
  };

  const submitOtp = async ({ otp }: { otp: string }) => {
    if (!credentials) {
      setStep('password');
      return;
    }
    setSubmitting(true);
    setNotice(null);
    try {
      await afterLogin(await authApi.login({ ...credentials, otp: normaliseOtp(otp) }));
    } catch (err) {
      handleError(err, true);
    } finally {
      setSubmitting(false);
    }
  };

  const backToPassword = () => {
    setStep('password');
    setNotice(null);
    setOtpError(null);
  };

  const countdown = secondsLeft > 0 ? t('login.retryIn', { seconds: secondsLeft }) : null;

  return (
    <div className="chidu-login">
      <div className="chidu-login-top">
        <Brand />
        <LanguageSwitch
          onChanged={() => {
            languageChosenHere.current = true;
          }}
        />
      </div>
      <div className="chidu-login-main" style={{ flexWrap: 'wrap', gap: 16, alignContent: 'center' }}>
        <Card className="chidu-login-card" variant="borderless">
          <Typography.Title level={3} style={{ marginTop: 0, marginBottom: 4 }}>
            {step === 'password' ? t('login.title') : t('login.otpTitle')}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 24 }}>
            {step === 'password' ? t('login.subtitle') : t('login.otpHint')}
          </Typography.Paragraph>

          {notice ? (
            <Alert
              type={notice.type}
              showIcon
              title={countdown && notice.type === 'warning' ? countdown : notice.text}
              style={{ marginBottom: 16 }}
              data-testid="login-notice"
            />
          ) : null}

          {step === 'password' ? (
            <PasswordStep form={form} initial={credentials} onSubmit={(v) => void submitPassword(v)} submitting={submitting} disabled={secondsLeft > 0} />
          ) : (
            <OtpStep
              employeeNo={credentials?.employeeNo ?? ''}
              onSubmit={(v) => void submitOtp(v)}
              onBack={backToPassword}
              submitting={submitting}
              disabled={secondsLeft > 0}
              error={otpError}
            />
          )}
        </Card>
        {step === 'password' ? <DemoAccounts onPick={(a, password) => form.setFieldsValue({ employeeNo: a.employeeNo, password })} /> : null}
      </div>
      <div className="chidu-login-foot">{t('login.footer')}</div>
    </div>
  );
}

interface StepProps {
  submitting: boolean;
  disabled: boolean;
}

function PasswordStep({
  form,
  initial,
  onSubmit,
  submitting,
  disabled,
}: StepProps & { form: FormInstance<Credentials>; initial: Credentials | null; onSubmit: (v: Credentials) => void }) {
  const { t } = useTranslation();
  return (
    <Form<Credentials>
      form={form}
      layout="vertical"
      requiredMark={false}
      onFinish={onSubmit}
      size="large"
      initialValues={initial ? { employeeNo: initial.employeeNo } : undefined}
    >
      <Form.Item name="employeeNo" label={t('login.employeeNo')} rules={[{ required: true, whitespace: true, message: t('login.employeeNoRequired') }]}>
        <Input
          prefix={<UserOutlined />}
          placeholder={t('login.employeeNoPlaceholder')}
          autoComplete="username"
          autoFocus={!initial}
          data-testid="login-employee-no"
        />
      </Form.Item>
      <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password
          prefix={<LockOutlined />}
          placeholder={t('login.passwordPlaceholder')}
          autoComplete="current-password"
          autoFocus={!!initial}
          data-testid="login-password"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={submitting} disabled={disabled} data-testid="login-submit">
        {t('login.submit')}
      </Button>
    </Form>
  );
}

function OtpStep({
  employeeNo,
  onSubmit,
  onBack,
  submitting,
  disabled,
  error,
}: StepProps & {
  employeeNo: string;
  onSubmit: (v: { otp: string }) => void;
  onBack: () => void;
  error: { text: string; at: number } | null;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ otp: string }>();
  useEffect(() => {
    if (error) form.setFields([{ name: 'otp', errors: [error.text] }]);
  }, [error, form]);
  return (
    <Form<{ otp: string }> form={form} layout="vertical" requiredMark={false} onFinish={onSubmit} size="large">
      <Typography.Paragraph>{t('login.signingInAs', { employeeNo })}</Typography.Paragraph>
      <Form.Item
        name="otp"
        label={t('login.otp')}
        extra={t('login.otpExtra')}
        rules={[
          { required: true, whitespace: true, message: t('login.otpRequired') },
          {
            validator: (_, value: string | undefined) => {
              const v = normaliseOtp(value ?? '');
              if (!v || /^\d{6}$/.test(v) || /^[a-z0-9]{4}-[a-z0-9]{4}$/.test(v)) return Promise.resolve();
              return Promise.reject(new Error(t('login.otpFormat')));
            },
          },
        ]}
      >
        <Input
          prefix={<SafetyOutlined />}
          placeholder={t('login.otpPlaceholder')}
          autoComplete="one-time-code"
          autoFocus
          maxLength={20}
          data-testid="login-otp"
        />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={submitting} disabled={disabled} data-testid="login-otp-submit">
        {t('login.verify')}
      </Button>
      <Button type="link" icon={<ArrowLeftOutlined />} onClick={onBack} style={{ paddingInline: 0, marginTop: 8 }}>
        {t('login.back')}
      </Button>
    </Form>
  );
}
