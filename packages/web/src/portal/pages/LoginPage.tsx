import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Form, Input, type InputRef } from 'antd';
import { MobileOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { portalApi } from '../api';
import { Header, useMe } from '../components/Shell';
import { ME_KEY } from '../keys';
import { portalErrorMessage } from '../errors';
import { groupPhone, isMobilePhone, normalisePhone } from '../format';

const RESEND_SECONDS = 60;

/** Seconds left until `until` (epoch ms), ticking once a second. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/** Only relative in-portal paths, never another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const me = useMe();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [demoCode, setDemoCode] = useState<string | null>(null);
  const [resendAt, setResendAt] = useState<number | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const codeInput = useRef<InputRef>(null);
  const secondsLeft = useCountdown(resendAt);
  const digits = normalisePhone(phone);

  const send = useMutation({
    mutationFn: (number: string) => portalApi.sendCode(number),
    onMutate: () => {
      setPhoneError(null);
      setFormError(null);
    },
    onSuccess: (res, number) => {
      setSentTo(number);
      setDemoCode(res.demoCode ?? null);
      setResendAt(Date.now() + RESEND_SECONDS * 1000);
      setCode('');
      setCodeError(null);
      window.setTimeout(() => codeInput.current?.focus(), 50);
    },
    onError: (err, number) => {
      if (err instanceof ApiError && err.code === 'rate_limited' && (err.retryAfter ?? 0) <= RESEND_SECONDS) {
        // a code was sent to this number a moment ago (maybe from another tab): wait, then resend
        setSentTo((prev) => prev ?? number);
        setResendAt(Date.now() + (err.retryAfter ?? RESEND_SECONDS) * 1000);
      }
      if (err instanceof ApiError && err.code === 'validation_failed') setPhoneError(portalErrorMessage(err, t));
      else setFormError(portalErrorMessage(err, t));
    },
  });

  const verify = useMutation({
    mutationFn: ({ number, otp }: { number: string; otp: string }) => portalApi.verify(number, otp),
    onMutate: () => {
      setCodeError(null);
      setFormError(null);
    },
    onSuccess: async () => {
      queryClient.clear();
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
      void navigate(safeNext(params.get('next')), { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && (err.code === 'otp_invalid' || err.code === 'validation_failed')) {
        setCodeError(portalErrorMessage(err, t));
        codeInput.current?.focus({ cursor: 'all' });
      } else {
        setFormError(portalErrorMessage(err, t));
      }
    },
  });

  if (me.isSuccess && !verify.isPending && !verify.isSuccess) return <Navigate to={safeNext(params.get('next'))} replace />;

  const requestCode = () => {
    if (!isMobilePhone(digits)) {
      setPhoneError(t('login.phoneInvalid'));
      return;
    }
    send.mutate(digits);
  };

  const submit = (otp = code) => {
    if (!isMobilePhone(digits)) {
      setPhoneError(t('login.phoneInvalid'));
      return;
    }
    if (!/^\d{6}$/.test(otp)) {
      setCodeError(t('login.codeInvalid'));
      return;
    }
    if (!verify.isPending) verify.mutate({ number: digits, otp });
  };

  const codeSentHere = sentTo !== null && sentTo === digits;
  const sendLabel = secondsLeft > 0 && codeSentHere ? t('login.resendIn', { seconds: String(secondsLeft) }) : sentTo ? t('login.resend') : t('login.getCode');

  return (
    <>
      <Header />
      <main className="pt-main pt-login">
        <div className="pt-login-hero">
          <h1 className="pt-login-title">{t('login.title')}</h1>
          <p className="pt-login-sub">{t('login.subtitle')}</p>
        </div>
        {params.get('expired') ? <Alert type="info" showIcon title={t('login.expired')} className="pt-gap" /> : null}
        <Form layout="vertical" requiredMark={false} className="pt-card pt-login-card" onFinish={() => submit()} data-testid="login-form">
          <Form.Item label={t('login.phone')} validateStatus={phoneError ? 'error' : undefined} help={phoneError ?? undefined}>
            <Input
              size="large"
              type="tel"
              inputMode="numeric"
              autoComplete="tel-national"
              prefix={
                <span className="pt-prefix">
                  <MobileOutlined /> +86
                </span>
              }
              placeholder={t('login.phonePlaceholder')}
              value={phone}
              maxLength={13}
              onChange={(e) => {
                setPhone(groupPhone(normalisePhone(e.target.value)));
                setPhoneError(null);
              }}
              onPressEnter={(e) => {
                e.preventDefault();
                requestCode();
              }}
              data-testid="login-phone"
            />
          </Form.Item>
          <Form.Item label={t('login.code')} validateStatus={codeError ? 'error' : undefined} help={codeError ?? undefined}>
            <div className="pt-code-row">
              <Input
                ref={codeInput}
                size="large"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={6}
                className="pt-code-input"
                prefix={<SafetyCertificateOutlined />}
                placeholder={t('login.codePlaceholder')}
                value={code}
                onChange={(e) => {
                  const next = e.target.value.replace(/\D/g, '').slice(0, 6);
                  setCode(next);
                  setCodeError(null);
                  if (next.length === 6 && codeSentHere) submit(next);
                }}
                data-testid="login-code"
              />
              <Button
                size="large"
                className="pt-send-code"
                onClick={requestCode}
                loading={send.isPending}
                disabled={secondsLeft > 0 && codeSentHere}
                data-testid="login-send-code"
              >
                {sendLabel}
              </Button>
            </div>
          </Form.Item>
          {codeSentHere ? (
            <p className="pt-hint" data-testid="code-sent">
              {t('login.codeSent', { phone: groupPhone(sentTo) })}
            </p>
          ) : null}
          {demoCode && codeSentHere ? (
            <div className="pt-demo" data-testid="demo-code" data-code={demoCode} role="note">
              <div className="pt-demo-badge">{t('login.demoBadge')}</div>
              <div className="pt-demo-text">{t('login.demoText')}</div>
              <div className="pt-demo-row">
                <span className="pt-demo-code">{demoCode}</span>
                <Button
                  onClick={() => {
                    setCode(demoCode);
                    setCodeError(null);
                  }}
                  data-testid="demo-code-fill"
                >
                  {t('login.demoFill')}
                </Button>
              </div>
            </div>
          ) : null}
          {formError ? <Alert type="error" showIcon title={formError} className="pt-gap" data-testid="login-error" /> : null}
          <Button type="primary" size="large" block htmlType="submit" loading={verify.isPending} data-testid="login-submit">
            {t('login.submit')}
          </Button>
          <p className="pt-fineprint">{t('login.firstTime')}</p>
        </Form>
      </main>
    </>
  );
}
