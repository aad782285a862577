import { useEffect, useState } from 'react';
import { App, Button, Flex, Typography } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { absoluteLink, signoffQrDataUrl } from './signoffQr';

/** The one-time sign-off link as a QR code to scan with the customer's phone, the link itself and a copy button. */
export function SignoffQr({ url }: { url: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const link = absoluteLink(url, window.location.origin);
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    signoffQrDataUrl(link).then(
      (d) => live && setSrc(d),
      () => live && setSrc(null),
    );
    return () => {
      live = false;
    };
  }, [link]);
  const copy = () =>
    navigator.clipboard.writeText(link).then(
      () => message.success(t('fieldApp.signoff.copied')),
      () => message.error(t('fieldApp.signoff.copyFailed')),
    );
  return (
    <Flex vertical align="center" gap={8} data-testid="signoff-qr-box">
      {src ? <img src={src} width={220} height={220} alt={t('fieldApp.signoff.qrAlt')} data-testid="signoff-qr" data-link={link} /> : null}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('fieldApp.signoff.qrHint')}
      </Typography.Text>
      <Typography.Text style={{ wordBreak: 'break-all' }} data-testid="signoff-link">
        {link}
      </Typography.Text>
      <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="signoff-copy">
        {t('fieldApp.signoff.copy')}
      </Button>
    </Flex>
  );
}
