import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Input, Modal, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = new (o: { formats: string[] }) => Detector;
const detectorCtor = (): DetectorCtor | undefined => (globalThis as unknown as { BarcodeDetector?: DetectorCtor }).BarcodeDetector;

/**
 * 扫码签到: scan the site's or an asset's QR code with the phone camera (BarcodeDetector), or type the code printed
 * under the label (manual entry — recorded as such). `error` is the server's refusal (e.g. wrong site).
 */
export function ArriveModal(props: {
  open: boolean;
  pending: boolean;
  error: string | null;
  onCancel: () => void;
  onCode: (code: string, manual: boolean) => void;
}) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [manual, setManual] = useState('');
  const [camera, setCamera] = useState<'off' | 'on' | 'unavailable'>('off');
  const { open, onCode } = props;

  useEffect(() => {
    if (!open || camera !== 'on') return;
    const Ctor = detectorCtor();
    let stream: MediaStream | null = null;
    let stopped = false;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (!video.current || !Ctor) throw new Error('no detector');
        video.current.srcObject = stream;
        await video.current.play();
        const detector = new Ctor({ formats: ['qr_code'] });
        while (!stopped) {
          const found = await detector.detect(video.current);
          if (found[0]?.rawValue) {
            onCode(found[0].rawValue, false);
            return;
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      } catch {
        if (!stopped) setCamera('unavailable');
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((tr) => tr.stop());
    };
  }, [open, camera, onCode]);

  return (
    <Modal open={open} title={t('field.arrive.title')} onCancel={props.onCancel} footer={null} destroyOnHidden>
      <Space direction="vertical" style={{ width: '100%' }}>
        {props.error ? <Alert type="error" showIcon message={props.error} /> : null}
        {camera === 'on' ? (
          <video ref={video} muted playsInline style={{ width: '100%', borderRadius: 8, background: '#000' }} />
        ) : (
          <Button type="primary" block size="large" disabled={!detectorCtor()} onClick={() => setCamera('on')}>
            {t('field.arrive.scan')}
          </Button>
        )}
        {!detectorCtor() || camera === 'unavailable' ? <Typography.Text type="secondary">{t('field.arrive.noCamera')}</Typography.Text> : null}
        <Typography.Text strong>{t('field.arrive.manual')}</Typography.Text>
        <Input size="large" value={manual} onChange={(e) => setManual(e.target.value)} placeholder={t('field.arrive.placeholder')} data-testid="arrive-code" />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('field.arrive.manualFlag')}
        </Typography.Text>
        <Button block size="large" disabled={!manual.trim()} loading={props.pending} onClick={() => onCode(manual.trim(), true)}>
          {t('field.arrive.submit')}
        </Button>
      </Space>
    </Modal>
  );
}
