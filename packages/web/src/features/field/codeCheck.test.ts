import { describe, expect, it, vi } from 'vitest';
import { codeMatches, sha256Hex } from './codeCheck';

/** SHA-256 (hex) of the codes below, computed elsewhere (Python hashlib). */
const SHA: Record<string, string> = {
  's.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB': 'ff64a2add0d72e7c87e3cc093047738fdd1b5beb95eb1b74fa6b21e22dc07916',
  'a.CCCCCCCCCCCCCCCCCCCCCC.DDDDDDDDDDDDDDDDDDDDDD': '3e66f1c14fab0ce6be528d96ba8ef7f33dc110dcefa32b6fdc6d76c3f893ea6c',
  's.EEEEEEEEEEEEEEEEEEEEEE.FFFFFFFFFFFFFFFFFFFFFF': '132523ecbc553195238a7259e4531a702ea62ab2828db3dfc53e39be1523e07f',
};
const sha = (s: string) => SHA[s]!;

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
