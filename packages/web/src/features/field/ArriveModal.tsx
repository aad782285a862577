import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Input, Modal, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorCtor = new (o: { formats: string[] }) => Detector;
const detectorCtor = (): DetectorCtor | undefined => (globalThis as unknown as { BarcodeDetector?: DetectorCtor }).BarcodeDetector;
const hasCamera = (): boolean => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';

/**
 * Where the browser has no BarcodeDetector (Firefox, iOS Safari), frames of the video are decoded with jsQR (loaded
 * only then): a detector with the same shape.
 */
async function jsQrDetector(): Promise<Detector> {
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  return {
    detect(video) {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return Promise.resolve([]);
      // Scan at most 800 px wide: enough for a label at arm's length, cheap on a phone.
      const scale = Math.min(1, 800 / w);
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) return Promise.resolve([]);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
      return Promise.resolve(found?.data ? [{ rawValue: found.data }] : []);
    },
  };
}

/**
 * 扫码签到: scan the site's or an asset's QR code with the phone camera (BarcodeDetector, else jsQR), or type the code printed
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
        if (!video.current) throw new Error('no video');
        video.current.srcObject = stream;
        await video.current.play();
        const detector = Ctor ? new Ctor({ formats: ['qr_code'] }) : await jsQrDetector();
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
          <Button type="primary" block size="large" disabled={!hasCamera()} onClick={() => setCamera('on')}>
            {t('field.arrive.scan')}
          </Button>
        )}
        {!hasCamera() || camera === 'unavailable' ? <Typography.Text type="secondary">{t('field.arrive.noCamera')}</Typography.Text> : null}
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
