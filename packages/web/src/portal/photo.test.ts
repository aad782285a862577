import { describe, expect, it } from 'vitest';
import { fitWithin, MAX_SIDE, shrinkPhoto, SHRINK_ABOVE_BYTES } from './photo';

describe('photo shrinking', () => {
  it('fits the longest side within the limit, keeping the aspect ratio', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: MAX_SIDE, height: 1920 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1920, height: MAX_SIDE });
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
  });

  it('leaves small photos and undecodable types alone', async () => {
    const small = new File([new Uint8Array(1000)], 'a.jpg', { type: 'image/jpeg' });
    expect(await shrinkPhoto(small)).toBe(small);
    const heic = new File([new Uint8Array(SHRINK_ABOVE_BYTES + 1)], 'a.heic', { type: 'image/heic' });
    expect(await shrinkPhoto(heic)).toBe(heic);
  });
});
