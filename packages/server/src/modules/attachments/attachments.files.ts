import { AppError } from '../../lib/errors';

/** File handling of uploads: what is accepted (by sniffed content), safe names, thumbnails. No database here. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** What we accept, by sniffed content (never by the name or the client's Content-Type). */
const ALLOWED = new Map<string, string>([
  ['image/jpeg', 'jpg'],
  ['image/png', 'png'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
  ['image/heic', 'heic'],
  ['application/pdf', 'pdf'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx'],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'],
  ['application/x-cfb', 'doc'],
  ['audio/mpeg', 'mp3'],
  ['audio/wav', 'wav'],
  ['audio/amr', 'amr'], // WeChat voice messages
  ['video/mp4', 'mp4'],
]);
const THUMBABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export async function sniff(data: Buffer, filename: string): Promise<string | null> {
  const { fileTypeFromBuffer } = await import('file-type');
  const ft = await fileTypeFromBuffer(data);
  if (ft) return ALLOWED.has(ft.mime) ? ft.mime : null;
  // Plain text has no magic bytes: accept .txt/.csv that decode as UTF-8 without NULs.
  if (/\.(txt|csv|log)$/i.test(filename) && !data.includes(0)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(data);
      return 'text/plain';
    } catch {
      return null;
    }
  }
  return null;
}

export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_')
    .trim()
    .slice(-120);
  return cleaned || 'file';
}

export async function thumbnail(data: Buffer, mime: string): Promise<Buffer | null> {
  if (!THUMBABLE.has(mime)) return null;
  try {
    const { default: sharp } = await import('sharp');
    return await sharp(data, { failOn: 'error', limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: 320, height: 320, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 72 })
      .toBuffer();
  } catch {
    throw new AppError('validation_failed', 'file: the image could not be read', { errors: [{ path: 'file', message: 'is not a readable image' }] });
  }
}
