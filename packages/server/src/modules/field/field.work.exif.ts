/**
 * The GPS part of a photo's EXIF (TIFF IFD0 → tag 0x8825 → GPS IFD), read without a library so a photo kept "with
 * location" carries its GPS tags and nothing else (make, model, serial, times are dropped with the rest).
 */

const GPS_TAGS: Record<number, string> = {
  0x0000: 'GPSVersionID',
  0x0001: 'GPSLatitudeRef',
  0x0002: 'GPSLatitude',
  0x0003: 'GPSLongitudeRef',
  0x0004: 'GPSLongitude',
  0x0005: 'GPSAltitudeRef',
  0x0006: 'GPSAltitude',
  0x0007: 'GPSTimeStamp',
  0x0012: 'GPSMapDatum',
  0x001d: 'GPSDateStamp',
};
const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** Where the TIFF header starts in a raw EXIF block ("Exif\0\0" prefix or not). */
function tiffStart(exif: Buffer): number {
  return exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0;
}

/**
 * GPS tags of a raw EXIF block as the strings sharp's `withExif({ IFD3 })` writes back (rationals as "n/d n/d n/d",
 * refs as letters, bytes as numbers). Empty when the block has no GPS IFD or is malformed.
 */
export function gpsTags(exif: Buffer | undefined): Record<string, string> {
  if (!exif || exif.length < 14) return {};
  const base = tiffStart(exif);
  const order = exif.subarray(base, base + 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return {};
  const le = order === 'II';
  const u16 = (o: number) => (le ? exif.readUInt16LE(o) : exif.readUInt16BE(o));
  const u32 = (o: number) => (le ? exif.readUInt32LE(o) : exif.readUInt32BE(o));
  const inside = (o: number, n: number) => o >= 0 && o + n <= exif.length;
  try {
    const ifd0 = base + u32(base + 4);
    if (!inside(ifd0, 2)) return {};
    const count = u16(ifd0);
    let gpsAt = -1;
    for (let i = 0; i < count; i++) {
      const e = ifd0 + 2 + i * 12;
      if (!inside(e, 12)) return {};
      if (u16(e) === 0x8825) gpsAt = base + u32(e + 8);
    }
    if (gpsAt < 0 || !inside(gpsAt, 2)) return {};
    const out: Record<string, string> = {};
    const n = u16(gpsAt);
    for (let i = 0; i < n && i < 64; i++) {
      const e = gpsAt + 2 + i * 12;
      if (!inside(e, 12)) break;
      const name = GPS_TAGS[u16(e)];
      const type = u16(e + 2);
      const num = u32(e + 4);
      const size = (SIZES[type] ?? 0) * num;
      if (!name || size === 0 || size > 256) continue;
      const at = size <= 4 ? e + 8 : base + u32(e + 8);
      if (!inside(at, size)) continue;
      if (type === 2)
        out[name] = exif
          .subarray(at, at + size)
          .toString('latin1')
          .replace(/\0+$/, '');
      else if (type === 5) out[name] = Array.from({ length: num }, (_, k) => `${u32(at + k * 8)}/${u32(at + k * 8 + 4)}`).join(' ');
      else if (type === 1 || type === 7) out[name] = Array.from(exif.subarray(at, at + num)).join(' ');
    }
    return out;
  } catch {
    return {};
  }
}
