/**
 * Regular expressions of inspection rules run on RE2JS (the JavaScript port of RE2): matching is linear in the
 * text whatever the pattern, so an administrator's pattern can never hang the inspector (no catastrophic
 * backtracking). RE2 syntax has no look-around and no back-references; a pattern using them is refused when saved.
 */
import { RE2JS } from 're2js';

const MAX_PATTERN = 500;
const cache = new Map<string, RE2JS>();

/** Why a pattern cannot be used (a sentence for the `pattern` field), or null when it compiles. */
export function patternError(pattern: string): string | null {
  if (pattern.length === 0) return 'empty pattern';
  if (pattern.length > MAX_PATTERN) return `pattern longer than ${MAX_PATTERN} characters`;
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : 'invalid pattern';
  }
}

export function compiled(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (cache.size > 500) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Every non-empty match as UTF-16 [start, end). */
export function findAll(pattern: string, text: string): [number, number][] {
  const m = compiled(pattern).matcher(text);
  const out: [number, number][] = [];
  while (m.find()) {
    const s = m.start();
    const e = m.end();
    if (e > s) out.push([s, e]);
  }
  return out;
}
