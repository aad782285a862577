/**
 * Text normalisation for search: NFKC (full-width → half-width, compatibility
 * forms), lower-case, traditional → simplified Chinese (OpenCC, Taiwan
 * standard → mainland). Also yields an offset map back into the original text
 * so that snippets can highlight the caller's own characters.
 */
import * as OpenCC from 'opencc-js';

let t2s: ((s: string) => string) | undefined;

function toSimplified(s: string): string {
  if (!t2s) t2s = OpenCC.Converter({ from: 'tw', to: 'cn' });
  return t2s(s);
}

/** Characters that NFKC/lower-case/OpenCC never change (ASCII lower-case, digits, common punctuation). */
const PLAIN_ASCII = /^[\x00-\x40\x5b-\x7f]*$/;

/**
 * Characters folded with NFKC: everything except ASCII, CJK ideographs and
 * full-width / CJK punctuation. Punctuation is a token separator either way,
 * so keeping "，。：（）" as typed means most Chinese text normalises to itself
 * (no second copy stored, identity offsets for snippets).
 */
const NEEDS_NFKC = /[^\x00-\x7f\u3001-\u3003\u3008-\u3011\u4e00-\u9fff\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+/g;

function nfkc(s: string): string {
  return s.replace(NEEDS_NFKC, (run) => run.normalize('NFKC'));
}

export interface Normalized {
  /** Normalised text. */
  text: string;
  /**
   * `map[i]` is the index in the original text of the character that produced
   * `text[i]`; `map[text.length]` is the original length. `null` when the
   * mapping is the identity (same length, char-for-char).
   */
  map: Int32Array | null;
}

function foldCodePoint(ch: string): string {
  return nfkc(ch).toLowerCase();
}

/** Normalise `input` (see module comment). Pure; cheap on already-normalised text. */
export function normalizeText(input: string): string {
  if (PLAIN_ASCII.test(input)) return input;
  return toSimplified(nfkc(input).toLowerCase());
}

/** Normalise and keep a map from normalised offsets to original offsets. */
export function normalizeWithMap(input: string): Normalized {
  if (PLAIN_ASCII.test(input)) return { text: input, map: null };
  const whole = nfkc(input).toLowerCase();
  let folded: string;
  let map: Int32Array | null = null;
  if (whole.length === input.length) {
    folded = whole;
  } else {
    // Length changed somewhere: fold code point by code point to keep offsets.
    const parts: string[] = [];
    const offsets: number[] = [];
    let i = 0;
    for (const ch of input) {
      const f = foldCodePoint(ch);
      parts.push(f);
      for (let k = 0; k < f.length; k++) offsets.push(i);
      i += ch.length;
    }
    folded = parts.join('');
    offsets.push(input.length);
    map = Int32Array.from(offsets);
  }
  let simplified = toSimplified(folded);
  if (simplified.length !== folded.length) {
    // Phrase-level conversion changed the length: convert char by char instead.
    let out = '';
    for (const ch of folded) out += toSimplified(ch).length === ch.length ? toSimplified(ch) : ch;
    simplified = out;
  }
  return { text: simplified, map };
}

/** Map a normalised offset back to an original offset. */
export function originalOffset(n: Normalized, offset: number): number {
  if (!n.map) return offset;
  const i = Math.max(0, Math.min(offset, n.map.length - 1));
  return n.map[i] ?? offset;
}

const HAN = /\p{Script=Han}/u;
export function isHan(ch: string): boolean {
  return HAN.test(ch);
}
