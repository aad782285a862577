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

/**
 * The top-level alternatives of a pattern (`a|b(c|d)|[|]` → `a`, `b(c|d)`, `[|]`), or the pattern itself. RE2JS runs a
 * small pattern with its fast matchers and a large alternation with the slower NFA, so a long list of alternatives
 * is searched one branch at a time (still linear: each branch is linear, their number is fixed).
 */
const branchCache = new Map<string, string[]>();
export function branches(pattern: string): string[] {
  let out = branchCache.get(pattern);
  if (out) return out;
  out = [];
  let depth = 0;
  let inClass = false;
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      cur += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      cur += c;
      // a ] right after [ or [^ is a literal
      if (pattern[i + 1] === '^') cur += pattern[++i];
      if (pattern[i + 1] === ']') cur += pattern[++i];
      continue;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  // flags ((?i) …) reach the alternatives after them, and a branch that does not compile on its own (never for a
  // valid pattern, but be safe) → the whole pattern, searched at once
  if (out.length < 4 || /\(\?[^:]/u.test(pattern) || out.some((b) => b.length === 0 || patternError(b) !== null)) out = [pattern];
  if (branchCache.size > 500) branchCache.clear();
  branchCache.set(pattern, out);
  return out;
}

function matches(pattern: string, text: string, out: [number, number][]): void {
  const m = compiled(pattern).matcher(text);
  while (m.find()) {
    const s = m.start();
    const e = m.end();
    if (e > s) out.push([s, e]);
  }
}

/**
 * Every non-empty match as UTF-16 [start, end), by position; where alternatives overlap, the leftmost (then the
 * longest) is kept, as one search of the whole pattern would.
 */
export function findAll(pattern: string, text: string): [number, number][] {
  const parts = branches(pattern);
  const all: [number, number][] = [];
  for (const b of parts) matches(b, text, all);
  if (parts.length === 1) return all;
  all.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const r of all) if (out.length === 0 || r[0] >= out[out.length - 1]![1]) out.push(r);
  return out;
}
