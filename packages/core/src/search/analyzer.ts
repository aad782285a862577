/**
 * Chinese-aware text analyzer for the knowledge-base search.
 *
 * Channels produced for a piece of text (see docs/search.md):
 *  - main:     jieba words (search mode: a long word also yields its dictionary
 *              sub-words at the same position), stop words removed, Latin/digit
 *              tokens lower-cased;
 *  - bigram:   overlapping character bigrams of each CJK run (runs are broken
 *              at stop words) — a lower-weight recall channel that survives
 *              segmentation differences between query and document;
 *  - pinyin:   full pinyin and initials of title/tag words ("wuyefei", "wyf");
 *  - phonetic: toneless syllable pairs per character ("wu|ye") of title/variant/tag text —
 *              used only for query bigrams that occur nowhere in the index,
 *              i.e. homophone typos made with a pinyin IME (门进卡 → 门禁卡);
 *  - unigram:  single Han characters of title/variant/tag text: one-character
 *              queries, and weak evidence for single characters typed as
 *              words (退, 扣, 丢 in colloquial text).
 *
 * Synonyms are applied at query time only, so extending them never requires a
 * re-index. Dictionary words change segmentation, so documents indexed before
 * `addWords` keep their old tokens until re-indexed (the bigram channel keeps
 * them findable meanwhile; `SearchIndex.rebuild()` re-analyses everything).
 */
import { Jieba } from '@node-rs/jieba';
import { dict as jiebaDict } from '@node-rs/jieba/dict.js';
import { pinyin } from 'pinyin-pro';
import { DEFAULT_STOP_WORDS, DEFAULT_SYNONYM_GROUPS, DEFAULT_SYNONYM_RULES, DEFAULT_WORDS } from './dictionary';
import { normalizeText } from './normalize';

/** A main-channel token. `pos` is the word position (sub-words share their parent's). */
export interface Token {
  term: string;
  pos: number;
  /** true for a dictionary sub-word of a longer word (search mode). */
  sub: boolean;
}

export interface FieldAnalysis {
  tokens: Token[];
  /** Number of word positions (field length for BM25). */
  length: number;
  /** CJK character bigrams, with repeats. */
  bigrams: string[];
  /** Toneless syllable bigrams of CJK runs (only when requested). */
  phonetic: string[];
  /** Full pinyin and initials of words (only when requested). */
  pinyin: string[];
  /** Single Han characters (only when requested). */
  unigrams: string[];
}

/** Receiver of streaming analysis output (see `Analyzer.analyzeInto`). */
export interface AnalysisSink {
  word(term: string, pos: number, sub: boolean): void;
  bigram(bigram: string): void;
  phonetic(key: string): void;
  pinyin(token: string): void;
  unigram(ch: string): void;
}

export interface FieldOptions {
  pinyin?: boolean;
  phonetic?: boolean;
  unigrams?: boolean;
}

export type QueryChannel = 'main' | 'bigram' | 'pinyin' | 'phonetic' | 'unigram';

/** One index term looked up for a query. */
export interface QueryTerm {
  /** Term in its channel (e.g. "漏水", "楼上", "wyf", "men|jin"). */
  term: string;
  channel: QueryChannel;
  /** Absolute query weight before IDF (1 = a word typed by the user). */
  weight: number;
  /** Surface string to highlight / report ("" for none). */
  display: string;
  /** Bigram terms: look up the phonetic key (`Analyzer.phoneticKey`) when the bigram occurs nowhere in the index. */
  phonetic?: boolean;
  /** Latin terms of ≥ 5 chars: eligible for edit-distance-1 matching. */
  fuzzy?: boolean;
  /** Bigram spelled like a main-channel word of the same unit: used only if that word is unknown to the index. */
  twin?: boolean;
}

/**
 * Everything a query says about one typed word (or one synonym phrase, or one
 * cross-word bigram). Scoring: the `core` terms are one concept — their
 * field frequencies are summed and share one IDF (like Lucene's
 * SynonymQuery); the `partial` terms are weaker alternative evidence (dictionary
 * sub-words, bigrams inside the word, pinyin, a single character's title
 * unigram) combined with the core by dis-max with a tie-breaker. So a word
 * never scores several times over through its own fragments.
 */
export interface QueryUnit {
  /** The typed word / phrase (for explain output). */
  label: string;
  /** Word position in the query for proximity (-1: none). */
  pos: number;
  core: QueryTerm[];
  partial: QueryTerm[];
  /** Synonym units triggered by a phrase: IDF capped at the rarest of these main terms. */
  capBy?: string[];
  /** Cross-word bigram unit (capped separately). */
  gram?: boolean;
}

export interface QueryAnalysis {
  normalized: string;
  units: QueryUnit[];
  /** The compact Han-only query when it is 1–2 characters long (substring mode), else "". */
  shortHan: string;
}

export interface AnalyzerOptions {
  /** Start from the built-in domain dictionary, stop words and synonyms (default true). */
  defaults?: boolean;
  words?: Iterable<string>;
  stopWords?: Iterable<string>;
  synonymGroups?: Iterable<readonly string[]>;
  synonymRules?: Iterable<readonly [string, readonly string[]]>;
  /** jieba HMM for unknown words (default true). */
  hmm?: boolean;
  /** Override query term weights (see `QUERY_WEIGHTS`). */
  weights?: Partial<QueryWeights>;
}

/** Weights of query terms by origin. Tuned on bench/kb-search (see docs/search.md). */
export const QUERY_WEIGHTS: Readonly<{
  word: number;
  singleChar: number;
  subWord: number;
  synonym: number;
  bigram: number;
  pinyin: number;
  phonetic: number;
  unigram: number;
  repeat: number;
  repeatCap: number;
}> = {
  word: 1,
  /** Multiplier for a single Han character typed as a word (ambiguous: 停, 车, 水). */
  singleChar: 0.5,
  subWord: 0.5,
  synonym: 0.7,
  /** Bigram inside a typed word, and a cross-word bigram unit. */
  bigram: 0.35,
  pinyin: 1,
  phonetic: 0.5,
  /** Title/variant/tag unigram of a single typed character (relative to the word). */
  unigram: 0.6,
  /** Extra weight for each further repetition of a word in the query (capped). */
  repeat: 0.25,
  repeatCap: 1.5,
};

export type QueryWeights = typeof QUERY_WEIGHTS;

const WORD_FREQ = 3000;
const RUN_RE = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)|(\s+)|([^\p{L}\p{N}\s]+)/gu;
const QUERY_RUN_RE = new RegExp(RUN_RE.source, 'gu');
const HAN_ONLY = /^\p{Script=Han}+$/u;

export class Analyzer {
  private readonly jieba: Jieba;
  private readonly hmm: boolean;
  private readonly stop = new Set<string>();
  /** key (normalised) → expansions (normalised) */
  private readonly synonyms = new Map<string, Set<string>>();
  /** first char → synonym keys starting with it, longest first */
  private synonymIndex = new Map<string, string[]>();
  private subWordCache = new Map<string, string[]>();
  private phraseCache = new Map<string, string[]>();
  private readonly pinyinCache = new Map<string, string[]>();
  private readonly charPinyinCache = new Map<string, string>();
  private readonly customWords = new Set<string>();
  /** Incremented whenever the dictionary changes (segmentation may differ). */
  dictionaryVersion = 0;
  /** Query term weights in use. */
  readonly weights: QueryWeights;

  constructor(options: AnalyzerOptions = {}) {
    this.hmm = options.hmm ?? true;
    this.weights = { ...QUERY_WEIGHTS, ...options.weights };
    this.jieba = Jieba.withDict(jiebaDict);
    const defaults = options.defaults ?? true;
    if (defaults) {
      this.addWords(DEFAULT_WORDS);
      this.addStopWords(DEFAULT_STOP_WORDS);
      for (const g of DEFAULT_SYNONYM_GROUPS) this.addSynonyms(g);
      for (const [from, to] of DEFAULT_SYNONYM_RULES) this.addSynonymRule(from, to);
    }
    if (options.words) this.addWords(options.words);
    if (options.stopWords) this.addStopWords(options.stopWords);
    for (const g of options.synonymGroups ?? []) this.addSynonyms(g);
    for (const [from, to] of options.synonymRules ?? []) this.addSynonymRule(from, to);
  }

  // ---------------------------------------------------------------- extension

  /** Add domain words to the segmentation dictionary (kept whole by jieba). */
  addWords(words: Iterable<string>): void {
    const lines: string[] = [];
    for (const w of words) {
      const n = normalizeText(w).trim();
      if (!n || /\s/.test(n) || this.customWords.has(n)) continue;
      this.customWords.add(n);
      lines.push(`${n} ${WORD_FREQ} n`);
    }
    if (lines.length === 0) return;
    this.jieba.loadDict(Buffer.from(lines.join('\n') + '\n'));
    this.subWordCache = new Map();
    this.phraseCache = new Map();
    this.dictionaryVersion++;
  }

  addStopWords(words: Iterable<string>): void {
    for (const w of words) {
      const n = normalizeText(w).trim();
      if (n) this.stop.add(n);
    }
    this.subWordCache = new Map();
    this.phraseCache = new Map();
  }

  /** Equivalence group: each member expands to all others. */
  addSynonyms(group: readonly string[]): void {
    const members = [...new Set(group.map((g) => normalizeText(g).trim()).filter(Boolean))];
    for (const m of members) for (const o of members) if (o !== m) this.addExpansion(m, o);
    this.rebuildSynonymIndex();
  }

  /** One-way rule: a query containing `from` also searches `to`. */
  addSynonymRule(from: string, to: readonly string[]): void {
    const key = normalizeText(from).trim();
    if (!key) return;
    for (const t of to) {
      const n = normalizeText(t).trim();
      if (n && n !== key) this.addExpansion(key, n);
    }
    this.rebuildSynonymIndex();
  }

  isStopWord(term: string): boolean {
    return this.stop.has(term);
  }

  private addExpansion(key: string, to: string): void {
    let set = this.synonyms.get(key);
    if (!set) this.synonyms.set(key, (set = new Set()));
    set.add(to);
  }

  private rebuildSynonymIndex(): void {
    const idx = new Map<string, string[]>();
    for (const key of this.synonyms.keys()) {
      const first = key[0]!;
      let list = idx.get(first);
      if (!list) idx.set(first, (list = []));
      list.push(key);
    }
    for (const list of idx.values()) list.sort((a, b) => b.length - a.length);
    this.synonymIndex = idx;
  }

  // ---------------------------------------------------------------- analysis

  normalize(text: string): string {
    return normalizeText(text);
  }

  /** Main-channel terms of `text` (normalised, segmented, stop words removed). */
  tokenize(text: string): string[] {
    return this.analyzeNormalized(normalizeText(text), {}).tokens.map((t) => t.term);
  }

  /** Analyse a document field (text need not be normalised). */
  analyzeField(text: string, options: FieldOptions = {}): FieldAnalysis {
    return this.analyzeNormalized(normalizeText(text), options);
  }

  /** Analyse already-normalised text. */
  analyzeNormalized(text: string, options: FieldOptions, startPos = 0): FieldAnalysis {
    const out: FieldAnalysis = { tokens: [], length: 0, bigrams: [], phonetic: [], pinyin: [], unigrams: [] };
    out.length = this.analyzeInto(text, options, startPos, {
      word: (term, pos, sub) => out.tokens.push({ term, pos, sub }),
      bigram: (b) => out.bigrams.push(b),
      phonetic: (p) => out.phonetic.push(p),
      pinyin: (p) => out.pinyin.push(p),
      unigram: (u) => out.unigrams.push(u),
    }).length;
    return out;
  }

  /**
   * Streaming analysis of already-normalised text into `sink` (no per-token
   * allocation). Returns the field length (word positions) and the next free
   * position.
   */
  analyzeInto(text: string, options: FieldOptions, startPos: number, sink: AnalysisSink): { length: number; pos: number } {
    let pos = startPos;
    let length = 0;
    const re = RUN_RE;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[1] !== undefined) {
        const r = this.analyzeHanRun(m[1], pos, options, sink);
        length += r - pos;
        pos = r;
      } else if (m[2] !== undefined) {
        const tok = m[2];
        if (tok.length < 2 || this.stop.has(tok)) continue;
        sink.word(tok, pos, false);
        pos++;
        length++;
      } else if (m[4] !== undefined) {
        pos++; // punctuation breaks adjacency
      }
    }
    return { length, pos };
  }

  private analyzeHanRun(run: string, pos: number, options: FieldOptions, sink: AnalysisSink): number {
    const words = this.jieba.cut(run, this.hmm);
    // the current stop-word-free stretch, for bigrams
    let stretch = '';
    const flush = () => {
      for (let i = 0; i + 1 < stretch.length; i++) {
        sink.bigram(stretch.slice(i, i + 2));
        if (options.phonetic) sink.phonetic(this.phoneticKey(stretch[i]!, stretch[i + 1]!));
      }
      stretch = '';
    };
    for (const w of words) {
      if (this.stop.has(w)) {
        flush();
        continue;
      }
      sink.word(w, pos, false);
      if (w.length > 2) for (const sw of this.subWords(w)) sink.word(sw, pos, true);
      stretch += w;
      if (options.pinyin && w.length >= 2) {
        const syl = this.syllables(w);
        if (syl.length === w.length) {
          sink.pinyin(syl.join(''));
          sink.pinyin(syl.map((x) => x[0]).join(''));
        }
      }
      if (options.unigrams) for (const ch of w) sink.unigram(ch);
      pos++;
    }
    flush();
    return pos;
  }

  /** Phonetic key of a character pair: toneless syllables of each character ("men|jin"). */
  phoneticKey(a: string, b: string): string {
    return `${this.charSyllable(a)}|${this.charSyllable(b)}`;
  }

  private charSyllable(ch: string): string {
    let syl = this.charPinyinCache.get(ch);
    if (syl === undefined) {
      syl = HAN_ONLY.test(ch) ? pinyin(ch, { toneType: 'none', v: true }).toLowerCase() || ch : ch;
      this.charPinyinCache.set(ch, syl);
    }
    return syl;
  }

  /** Main-channel words (no sub-words) of a normalised phrase, cached (synonym keys and expansions). */
  private baseWords(phrase: string): string[] {
    let words = this.phraseCache.get(phrase);
    if (!words) {
      words = this.analyzeNormalized(phrase, {})
        .tokens.filter((t) => !t.sub)
        .map((t) => t.term);
      if (this.phraseCache.size > 10_000) this.phraseCache.clear();
      this.phraseCache.set(phrase, words);
    }
    return words;
  }

  /** Dictionary sub-words of a long word (jieba search mode), cached. */
  private subWords(word: string): string[] {
    let subs = this.subWordCache.get(word);
    if (!subs) {
      subs = this.jieba.cutForSearch(word, false).filter((s) => s !== word && s.length >= 2 && !this.stop.has(s));
      if (this.subWordCache.size > 200_000) this.subWordCache.clear();
      this.subWordCache.set(word, subs);
    }
    return subs;
  }

  /** Toneless syllables of a Han word, cached. */
  syllables(word: string): string[] {
    let syl = this.pinyinCache.get(word);
    if (!syl) {
      syl = pinyin(word, { toneType: 'none', type: 'array', v: true }).map((s) => s.toLowerCase());
      if (this.pinyinCache.size > 200_000) this.pinyinCache.clear();
      this.pinyinCache.set(word, syl);
    }
    return syl;
  }

  /** Analyse a search query into scoring units (see `QueryUnit`). */
  analyzeQuery(query: string): QueryAnalysis {
    const normalized = normalizeText(query).trim();
    const W = this.weights;
    const compact = normalized.replace(/[^\p{L}\p{N}]/gu, '');
    const shortHan = compact.length >= 1 && compact.length <= 2 && HAN_ONLY.test(compact) ? compact : '';

    const units = new Map<string, QueryUnit>();
    const typed = new Map<string, number>();
    const addTerm = (list: QueryTerm[], t: QueryTerm) => {
      const prev = list.find((x) => x.term === t.term && x.channel === t.channel);
      if (!prev) list.push(t);
      else if (t.weight > prev.weight) prev.weight = t.weight;
    };
    let pos = 0;

    const wordUnit = (w: string): QueryUnit => {
      let u = units.get(w);
      if (u) {
        typed.set(w, (typed.get(w) ?? 1) + 1);
        return u;
      }
      typed.set(w, 1);
      const single = w.length === 1 && HAN_ONLY.test(w);
      const base = single && shortHan !== w ? W.word * W.singleChar : W.word;
      u = { label: w, pos, core: [{ term: w, channel: 'main', weight: base, display: w }], partial: [] };
      if (w.length > 2 && HAN_ONLY.test(w)) {
        for (const sw of this.subWords(w)) addTerm(u.partial, { term: sw, channel: 'main', weight: base * W.subWord, display: sw });
      }
      if (single) u.partial.push({ term: w, channel: 'unigram', weight: base * W.unigram, display: w });
      units.set(w, u);
      return u;
    };

    const re = QUERY_RUN_RE;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(normalized)) !== null) {
      if (m[1] !== undefined) {
        // Han run: words, then bigrams over stop-word-free stretches
        let stretch: string[] = [];
        const flush = () => {
          let chars = '';
          const owner: number[] = [];
          stretch.forEach((w, i) => {
            chars += w;
            for (let k = 0; k < w.length; k++) owner.push(i);
          });
          for (let i = 0; i + 1 < chars.length; i++) {
            const bg = chars.slice(i, i + 2);
            const term: QueryTerm = { term: bg, channel: 'bigram', weight: W.bigram, display: bg, phonetic: true };
            if (owner[i] === owner[i + 1]) {
              const u = units.get(stretch[owner[i]!]!)!;
              // a bigram equal to the word or one of its sub-words only matters if that word is unknown
              if (u.label === bg || u.partial.some((t) => t.channel === 'main' && t.term === bg)) term.twin = true;
              addTerm(u.partial, term);
            } else {
              const key = `\u0001${bg}`;
              if (!units.has(key)) units.set(key, { label: bg, pos: -1, core: [term], partial: [], gram: true });
            }
          }
          stretch = [];
        };
        for (const w of this.jieba.cut(m[1], this.hmm)) {
          if (this.stop.has(w)) {
            flush();
            continue;
          }
          wordUnit(w);
          stretch.push(w);
          pos++;
        }
        flush();
      } else if (m[2] !== undefined) {
        const tok = m[2];
        if (tok.length < 2 || this.stop.has(tok)) continue;
        const u = wordUnit(tok);
        if (u.core[0]!.fuzzy === undefined && tok.length >= 5) u.core[0]!.fuzzy = true;
        if (/^[a-z]+$/.test(tok)) addTerm(u.partial, { term: tok, channel: 'pinyin', weight: W.pinyin, display: tok, fuzzy: tok.length >= 5 || undefined });
        pos++;
      } else if (m[4] !== undefined) {
        pos++;
      }
    }
    // adjacent short Latin tokens typed as separate syllables ("wu ye fei")
    for (const run of normalized.match(/[a-z]+(?:\s+[a-z]+)+/g) ?? []) {
      const joined = run.replace(/\s+/g, '');
      const key = `\u0002${joined}`;
      if (joined.length >= 3 && !units.has(key)) {
        units.set(key, {
          label: joined,
          pos: -1,
          core: [{ term: joined, channel: 'pinyin', weight: W.pinyin, display: joined, fuzzy: joined.length >= 5 || undefined }],
          partial: [],
        });
      }
    }
    // synonyms (substring matches of the normalised query)
    for (const [expansion, key] of this.synonymMatches(normalized)) {
      if (expansion.includes(key) || key.includes(expansion)) continue; // sub-words cover containment
      const exTerms = this.baseWords(expansion).filter((t) => !typed.has(t));
      if (exTerms.length === 0) continue;
      const target = units.get(key);
      if (target && !target.gram) {
        for (const t of exTerms) addTerm(target.core, { term: t, channel: 'main', weight: target.core[0]!.weight * W.synonym, display: t });
      } else {
        const ukey = `\u0003${key}`;
        let u = units.get(ukey);
        if (!u) {
          const capBy = this.baseWords(key);
          units.set(ukey, (u = { label: key, pos: -1, core: [], partial: [], capBy }));
        }
        for (const t of exTerms) addTerm(u.core, { term: t, channel: 'main', weight: W.synonym, display: t });
      }
    }
    // repetitions of a typed word in long text raise its weight a little
    for (const [w, n] of typed) {
      if (n < 2) continue;
      const f = Math.min(W.repeatCap, 1 + W.repeat * (n - 1));
      const u = units.get(w)!;
      for (const t of [...u.core, ...u.partial]) t.weight *= f;
    }
    return { normalized, units: [...units.values()].filter((u) => u.core.length + u.partial.length > 0), shortHan };
  }

  /** Synonym expansions triggered by `normalized` (expansion → key). */
  synonymMatches(normalized: string): Map<string, string> {
    const found = new Map<string, string>();
    for (let i = 0; i < normalized.length; i++) {
      const keys = this.synonymIndex.get(normalized[i]!);
      if (!keys) continue;
      for (const key of keys) {
        if (!normalized.startsWith(key, i)) continue;
        for (const e of this.synonyms.get(key) ?? []) if (!found.has(e)) found.set(e, key);
      }
    }
    return found;
  }
}
