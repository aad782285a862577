/**
 * Highlighted snippets: a window of about `width` characters of the body,
 * chosen to cover the most matched terms, with `<mark>…</mark>` around the
 * matches. Every character that comes from the document is HTML-escaped, so
 * article text can never inject markup.
 */
import { normalizeWithMap, originalOffset } from './normalize';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function clean(s: string): string {
  return escapeHtml(s.replace(/\s+/g, ' '));
}

export interface SnippetOptions {
  /** Window size in characters (default 80). */
  width?: number;
  /** Maximum occurrences considered per term (default 20). */
  maxOccurrences?: number;
  /** `text` is already normalised (skip normalisation; offsets are identical). */
  normalized?: boolean;
  /** The normalised form of `text`, if known; used directly when it has the same length. */
  normalizedText?: string;
}

interface Interval {
  start: number;
  end: number;
  term: number;
}

/**
 * Build an HTML snippet of `text` highlighting `terms` (normalised terms, as
 * produced by the analyzer; matching is done on the normalised text and
 * mapped back to the original characters).
 */
export function buildSnippet(text: string, terms: readonly string[], options: SnippetOptions = {}): string {
  const width = options.width ?? 80;
  const maxOcc = options.maxOccurrences ?? 20;
  if (!text) return '';
  const norm = options.normalized
    ? { text, map: null }
    : options.normalizedText !== undefined && options.normalizedText.length === text.length
      ? { text: options.normalizedText, map: null }
      : normalizeWithMap(text);
  const nt = norm.text;

  // Longest terms first so that overlapping shorter ones merge into them.
  const uniq = [...new Set(terms.filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  const found: Interval[] = [];
  uniq.forEach((term, ti) => {
    let from = 0;
    for (let n = 0; n < maxOcc; n++) {
      const at = nt.indexOf(term, from);
      if (at < 0) break;
      const start = originalOffset(norm, at);
      const end = at + term.length >= nt.length ? text.length : originalOffset(norm, at + term.length);
      found.push({ start, end, term: ti });
      from = at + term.length;
    }
  });
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  // merge overlaps
  const marks: Interval[] = [];
  for (const iv of found) {
    const last = marks[marks.length - 1];
    if (last && iv.start < last.end) {
      if (iv.end > last.end) last.end = iv.end;
      continue;
    }
    marks.push({ ...iv });
  }

  // Choose the window covering the most distinct terms (then most characters).
  let winStart = 0;
  if (marks.length > 0) {
    let best = -1;
    for (let i = 0; i < marks.length; i++) {
      const s = marks[i]!.start;
      const seen = new Set<number>();
      let chars = 0;
      for (let j = i; j < marks.length && marks[j]!.end <= s + width; j++) {
        seen.add(marks[j]!.term);
        chars += marks[j]!.end - marks[j]!.start;
      }
      const value = seen.size * 1000 + chars;
      if (value > best) {
        best = value;
        winStart = s;
      }
    }
    // a little leading context, preferring to start just after punctuation
    const lead = Math.min(20, Math.floor(width / 4));
    let ctx = Math.max(0, winStart - lead);
    const slice = text.slice(ctx, winStart);
    const p = Math.max(slice.lastIndexOf('。'), slice.lastIndexOf('，'), slice.lastIndexOf('；'), slice.lastIndexOf('\n'), slice.lastIndexOf('. '));
    if (p >= 0) ctx += p + 1;
    winStart = ctx;
  }
  let winEnd = Math.min(text.length, winStart + width);
  if (winEnd - winStart < width) winStart = Math.max(0, winEnd - width);
  // never cut a highlight or a surrogate pair
  for (const m of marks) {
    if (m.start < winStart && m.end > winStart) winStart = m.start;
    if (m.start < winEnd && m.end > winEnd) winEnd = m.end;
  }
  if (winStart > 0 && isLowSurrogate(text.charCodeAt(winStart))) winStart--;
  if (winEnd < text.length && isLowSurrogate(text.charCodeAt(winEnd))) winEnd++;

  let out = winStart > 0 ? '…' : '';
  let cursor = winStart;
  for (const m of marks) {
    if (m.end <= winStart || m.start >= winEnd) continue;
    out += clean(text.slice(cursor, m.start));
    out += '<mark>' + clean(text.slice(m.start, m.end)) + '</mark>';
    cursor = m.end;
  }
  out += clean(text.slice(cursor, winEnd));
  if (winEnd < text.length) out += '…';
  return out.trim();
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
