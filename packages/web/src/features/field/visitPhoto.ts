/**
 * Visit photos are compressed on the phone before they are queued: longest side ≤ 1600 px, JPEG quality 0.8, drawn
 * through a canvas — which also drops every EXIF field, the GPS position included. With 保留位置 (keepLocation) on,
 * the original file is queued instead when the server takes it (JPEG/PNG/WebP ≤ 10 MB): the server then downsizes it
 * and keeps only its GPS EXIF (api.md); a larger original is compressed here and its position is lost.
 */
import { fitWithin } from '../../portal/photo';
import type { QueuedFile } from './offlineQueue';

export const VISIT_PHOTO_MAX_SIDE = 1600;
export const VISIT_PHOTO_QUALITY = 0.8;

export const SERVER_PHOTO_LIMIT = 10 * 1024 * 1024;
const SERVER_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

export async function compressVisitPhoto(file: File, keepLocation = false): Promise<QueuedFile & { width: number | null; height: number | null }> {
  const original = async () => ({
    name: file.name || 'photo',
    type: file.type || 'application/octet-stream',
    bytes: await file.arrayBuffer(),
    width: null,
    height: null,
  });
  if (keepLocation && file.size <= SERVER_PHOTO_LIMIT && SERVER_TYPES.has(file.type)) return original();
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return original();
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const { width, height } = fitWithin(bitmap.width, bitmap.height, VISIT_PHOTO_MAX_SIDE);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return await original();
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', VISIT_PHOTO_QUALITY));
    if (!blob) return await original();
    const name = `${file.name.replace(/\.[^.]+$/, '') || 'photo'}.jpg`;
    return { name, type: 'image/jpeg', bytes: await blob.arrayBuffer(), width, height };
  } catch {
    // Not decodable here (e.g. HEIC on Chrome): sent as it is; the server decides.
    return original();
  }
}
