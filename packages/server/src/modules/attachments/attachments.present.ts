/** An upload's answer (schema `Upload`). */
export const presentUpload = (a: { id: string; filename: string; mime: string; size: number; thumbnail: Buffer | null }) => ({
  id: a.id,
  filename: a.filename,
  mime: a.mime,
  size: a.size,
  hasThumbnail: a.thumbnail !== null,
});

/** Content-Disposition of a download: an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
