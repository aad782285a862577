import QRCode from 'qrcode';

/** The sign-off link as the customer's phone needs it: absolute (the server gives a path unless CHIDU_PUBLIC_URL is set). */
export function absoluteLink(url: string, origin: string): string {
  return /^https?:\/\//i.test(url) ? url : `${origin.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** The link as a QR code image (PNG data URL), drawn in the browser: the customer scans it with their own phone. */
export function signoffQrDataUrl(link: string): Promise<string> {
  return QRCode.toDataURL(link, { errorCorrectionLevel: 'M', margin: 2, width: 220 });
}
