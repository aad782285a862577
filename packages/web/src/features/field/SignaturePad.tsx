import { useEffect, useRef, useState } from 'react';
import { Button, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The server takes a signature PNG data URL of at most 300 KB (api.md). */
export const MAX_SIGNATURE_BYTES = 300 * 1024;

/**
 * 客户签名: a full-width canvas the customer signs on with a finger (pointer events: touch, pen and mouse alike).
 * `onChange` gets the PNG data URL after each stroke, or null once cleared.
 */
export function SignaturePad({ onChange, height = 200 }: { onChange: (dataUrl: string | null) => void; height?: number }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ x: number; y: number } | null>(null);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    // One canvas pixel per CSS pixel: a signature needs no more, and the PNG stays far below 300 KB.
    c.width = Math.max(1, Math.round(c.getBoundingClientRect().width));
    c.height = height;
    const ctx = c.getContext('2d');
    if (ctx) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, c.width, c.height);
    }
  }, [height]);

  const at = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * e.currentTarget.width) / r.width, y: ((e.clientY - r.top) * e.currentTarget.height) / r.height };
  };
  const line = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  };
  const clear = () => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    setEmpty(true);
    onChange(null);
  };

  return (
    <div>
      <canvas
        ref={canvas}
        data-testid="signature-pad"
        aria-label={t('fieldApp.signoff.padLabel')}
        style={{ width: '100%', height, border: '1px dashed #bbb', borderRadius: 8, touchAction: 'none', background: '#fff', display: 'block' }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          drawing.current = at(e);
          line(drawing.current, { x: drawing.current.x + 0.1, y: drawing.current.y + 0.1 });
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const p = at(e);
          line(drawing.current, p);
          drawing.current = p;
        }}
        onPointerUp={() => {
          if (!drawing.current) return;
          drawing.current = null;
          setEmpty(false);
          onChange(canvas.current?.toDataURL('image/png') ?? null);
        }}
        onPointerCancel={() => {
          drawing.current = null;
        }}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 6 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {empty ? t('fieldApp.signoff.signHere') : t('fieldApp.signoff.signed')}
        </Typography.Text>
        <Button size="large" onClick={clear}>
          {t('fieldApp.signoff.clear')}
        </Button>
      </Flex>
    </div>
  );
}
