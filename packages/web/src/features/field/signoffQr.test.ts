import jsQR from 'jsqr';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { absoluteLink, signoffQrDataUrl } from './signoffQr';

/** Draw a QR code's modules as RGBA pixels (scale px per module, 4 modules of quiet zone) and read it back with jsQR. */
function decode(text: string): string | null {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const scale = 4;
  const side = (n + 8) * scale;
  const px = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(x, y)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4;
          px[i] = px[i + 1] = px[i + 2] = 0;
        }
    }
  return jsQR(px, side, side)?.data ?? null;
}

describe('the sign-off link as a QR code', () => {
  it('makes the server’s path absolute on the page’s origin and keeps an absolute link', () => {
    expect(absoluteLink('/signoff/abc_DEF-123', 'https://chidu.example.com/')).toBe('https://chidu.example.com/signoff/abc_DEF-123');
    expect(absoluteLink('https://svc.example.cn/signoff/x', 'http://localhost:3000')).toBe('https://svc.example.cn/signoff/x');
  });
  it('encodes exactly the link (read back with a QR decoder)', () => {
    const link = absoluteLink('/signoff/Zq3x9PZ1nYt0m6mVb4zWk2Jc8Hq1sLr7uE5aD0fG2hI', 'https://chidu.example.com');
    expect(decode(link)).toBe(link);
  });
  it('renders a PNG data URL', async () => {
    const url = await signoffQrDataUrl('https://chidu.example.com/signoff/abc');
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });
});
