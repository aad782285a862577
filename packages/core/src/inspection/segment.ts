/**
 * Word boundaries of a text for whole-word phrase matching: jieba (the KB search's segmenter and its domain words,
 * `../search/dictionary`) cut in precise mode, mapped back to UTF-16 offsets of the original text.
 */
import { Jieba } from '@node-rs/jieba';
import { dict as jiebaDict } from '@node-rs/jieba/dict.js';
import { DEFAULT_WORDS } from '../search/dictionary';

let jieba: Jieba | null = null;

function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(jiebaDict);
    jieba.loadDict(Buffer.from(DEFAULT_WORDS.map((w) => `${w} 2000 n`).join('\n') + '\n'));
  }
  return jieba;
}

/** The set of offsets where a word starts or ends (0 and text.length included). */
export function wordBoundaries(text: string): Set<number> {
  const cuts = new Set<number>([0, text.length]);
  let at = 0;
  for (const w of segmenter().cut(text, false)) {
    // jieba returns the text's own characters in order; find each piece from the current offset (robust to any
    // whitespace or normalisation it may drop).
    const i = text.indexOf(w, at);
    if (i < 0) continue;
    cuts.add(i);
    at = i + w.length;
    cuts.add(at);
  }
  return cuts;
}
