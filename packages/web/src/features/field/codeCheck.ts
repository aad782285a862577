/**
 * The offline check of a scanned or typed check-in code: the day view carries the SHA-256 (hex) of every code that
 * checks in at the visit's site (its own and its assets'), so another site's code is refused on the spot without the
 * network. `null` when the phone cannot tell (no hashes sent, or no WebCrypto outside a secure context): the action is
 * queued and the server decides.
 */
export async function sha256Hex(text: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function codeMatches(code: string, hashes: readonly string[] | undefined): Promise<boolean | null> {
  if (!hashes || hashes.length === 0) return null;
  const h = await sha256Hex(code.trim());
  if (h === null) return null;
  return hashes.includes(h);
}
