import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, App, Button, Card, Checkbox, Col, Flex, Form, Image, Input, Result, Row, Spin, Steps, Typography } from 'antd';
import { CopyOutlined, DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { meApi } from '../../api/endpoints';
import type { TotpSetup } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';
import { copyText, downloadText } from '../../lib/clipboard';
import { Page } from '../../layout/Page';
import { ME_QUERY_KEY, useOptionalMe } from '../auth/me';

/** "JBSWY3DPEHPK3PXP" → ["JBSW", "Y3DP", "EHPK", "3PXP"] for manual entry (groups never break across lines). */
function secretGroups(secret: string): string[] {
  return secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? [];
}

export default function TotpEnrolPage() {
  const { t } = useTranslation();
  const me = useOptionalMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string }>();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const started = useRef(false);
  const forced = !me || me.mustEnrolTotp;
  const alreadyEnabled = !!me?.totpEnabled && !setup && !recoveryCodes;

  const setupMutation = useMutation({
    mutationFn: meApi.totpSetup,
    onSuccess: (data) => setSetup(data),
  });

  const confirmMutation = useMutation({
    mutationFn: (code: string) => meApi.totpConfirm(code),
    onSuccess: (data) => setRecoveryCodes(data.recoveryCodes),
    onError: (err) => {
      const text =
        err instanceof ApiError && (err.code === 'otp_invalid' || err.status === 400 || err.status === 422) ? t('totp.codeInvalid') : errorMessage(err, t);
      form.setFields([{ name: 'code', errors: [text] }]);
    },
  });

  useEffect(() => {
    if (started.current || alreadyEnabled) return;
    started.current = true;
    setupMutation.mutate();
    // start once per visit (each setup call issues a new pending secret)
  }, [alreadyEnabled]);

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: ME_QUERY_KEY });
    void navigate('/profile', { replace: true });
  };

  const codesText = recoveryCodes?.join('\n') ?? '';

  if (alreadyEnabled) {
    return (
      <Page title={t('totp.title')}>
        <Card>
          <Result
            status="success"
            title={t('totp.alreadyEnabled')}
            subTitle={t('totp.resetByAdmin')}
            extra={<Button onClick={() => void navigate('/profile')}>{t('totp.backToProfile')}</Button>}
          />
        </Card>
      </Page>
    );
  }

  const current = recoveryCodes ? 1 : 0;

  return (
    <Page title={t('totp.title')} subtitle={forced ? t('totp.requiredNotice') : t('totp.subtitle')}>
      <Card style={{ maxWidth: 880 }}>
        <Steps current={current} size="small" style={{ marginBottom: 24 }} items={[{ title: t('totp.stepScan') }, { title: t('totp.stepSave') }]} />

        {recoveryCodes ? (
          <div data-testid="totp-recovery">
            <Alert type="warning" showIcon title={t('totp.recoveryTitle')} description={t('totp.recoveryHint')} style={{ marginBottom: 16 }} />
            <div className="chidu-codes" data-testid="recovery-codes">
              {recoveryCodes.map((code) => (
                <span key={code}>{code}</span>
              ))}
            </div>
            <Flex gap={8} wrap style={{ margin: '16px 0' }}>
              <Button
                icon={<CopyOutlined />}
                onClick={() => {
                  // copyText never rejects: it answers false when neither clipboard API works
                  void copyText(codesText).then((ok) => {
                    if (ok) void message.success(t('common.copied'));
                    else void message.warning(t('common.copyFailed'));
                  });
                }}
              >
                {t('totp.copyCodes')}
              </Button>
              <Button
                icon={<DownloadOutlined />}
                onClick={() =>
                  downloadText(
                    `chidu-recovery-codes-${me?.employeeNo ?? 'account'}.txt`,
                    `${t('totp.fileHeader', { employeeNo: me?.employeeNo ?? '' })}\n\n${codesText}\n`,
                  )
                }
              >
                {t('totp.downloadCodes')}
              </Button>
            </Flex>
            <Checkbox checked={saved} onChange={(e) => setSaved(e.target.checked)} data-testid="recovery-saved">
              {t('totp.savedConfirm')}
            </Checkbox>
            <div style={{ marginTop: 16 }}>
              <Button type="primary" disabled={!saved} onClick={() => void finish()} data-testid="recovery-done">
                {t('totp.done')}
              </Button>
            </div>
          </div>
        ) : setupMutation.isError ? (
          <Result
            status="error"
            title={t('totp.setupFailed')}
            subTitle={errorMessage(setupMutation.error, t)}
            extra={
              <Button icon={<ReloadOutlined />} onClick={() => setupMutation.mutate()}>
                {t('common.retry')}
              </Button>
            }
          />
        ) : !setup ? (
          <Flex justify="center" style={{ padding: 48 }}>
            <Spin />
          </Flex>
        ) : (
          <Row gutter={[32, 24]}>
            <Col xs={24} md={10}>
              <Flex vertical align="center" gap={8}>
                <Image
                  src={setup.qrDataUrl}
                  alt={t('totp.qrAlt')}
                  width={220}
                  height={220}
                  preview={false}
                  style={{ border: '1px solid #e8ebf0', borderRadius: 8, padding: 8, background: '#fff' }}
                  data-testid="totp-qr"
                />
                <Typography.Text type="secondary" style={{ textAlign: 'center' }}>
                  {t('totp.scanHint')}
                </Typography.Text>
              </Flex>
            </Col>
            <Col xs={24} md={14}>
              <Typography.Paragraph>{t('totp.manualHint')}</Typography.Paragraph>
              <Typography.Paragraph className="chidu-secret" copyable={{ text: setup.secret, tooltips: [t('common.copy'), t('common.copied')] }}>
                <span data-testid="totp-secret" data-secret={setup.secret}>
                  {secretGroups(setup.secret).map((g, i) => (
                    <span key={i} className="chidu-secret-group">
                      {g}
                    </span>
                  ))}
                </span>
              </Typography.Paragraph>
              <Form<{ code: string }>
                key={setup.secret}
                form={form}
                layout="vertical"
                requiredMark={false}
                onFinish={({ code }) => confirmMutation.mutate(code.replace(/\s+/g, ''))}
              >
                <Form.Item name="code" label={t('totp.codeLabel')} rules={[{ required: true, pattern: /^\d{6}$/, message: t('totp.codeFormat') }]}>
                  <Input.OTP length={6} size="large" styles={{ input: { width: 44, height: 48, fontSize: 20 } }} data-testid="totp-code" />
                </Form.Item>
                <Flex gap={8} wrap>
                  <Button type="primary" htmlType="submit" loading={confirmMutation.isPending} data-testid="totp-confirm">
                    {t('totp.confirm')}
                  </Button>
                  <Button icon={<ReloadOutlined />} onClick={() => setupMutation.mutate()} loading={setupMutation.isPending}>
                    {t('totp.regenerate')}
                  </Button>
                </Flex>
              </Form>
            </Col>
          </Row>
        )}
      </Card>
    </Page>
  );
}
