import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { codeMatches, sha256Hex } from './codeCheck';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('offline check-in code check', () => {
  it("accepts the site's or an asset's code, refuses another site's, and cannot tell without hashes", async () => {
    const site = 's.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB';
    const asset = 'a.CCCCCCCCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDDDDDDDD';
    const other = 's.EEEEEEEEEEEEEEEEEEEEEE.FFFFFFFFFFFFFFFFFFFFFF';
    const hashes = [sha(site), sha(asset)];
    expect(await sha256Hex(site)).toBe(sha(site));
    expect(await codeMatches(site, hashes)).toBe(true);
    expect(await codeMatches(`  ${asset}\n`, hashes)).toBe(true);
    expect(await codeMatches(other, hashes)).toBe(false);
    expect(await codeMatches(site.slice(0, -1) + 'C', hashes)).toBe(false);
    expect(await codeMatches(other, [])).toBeNull();
    expect(await codeMatches(other, undefined)).toBeNull();
  });

  it('without WebCrypto (not a secure context) the phone cannot tell: the server decides', async () => {
    vi.stubGlobal('crypto', {});
    try {
      expect(await codeMatches('s.x.y', ['00'])).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
