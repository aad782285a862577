/**
 * In-memory inverted index for knowledge-base articles / FAQs with BM25F
 * ranking, a phrase-proximity boost, filters on caller metadata, short-query
 * substring fallback and highlighted snippets. Pure logic, no I/O.
 *
 * Storage
 *  - one posting list per term: `Uint32Array` of `slot << 12 | tf bits`
 *    (3 bits of term frequency per field — title, variants, tags, body —
 *    capped at 7); removal swaps the last posting in;
 *  - per document one record in a shared `Int32Array` arena: its sorted term
 *    ids (exact removal, matched terms, candidate scoring), their tf bits, and
 *    its word sequence (term, position) for proximity;
 *  - per document and field a byte-quantised BM25F length norm, refreshed
 *    lazily when average field lengths drift by more than 1%.
 * Mutations are synchronous: an update is visible to the very next query.
 * The index is not re-entrant (shared scratch buffers); Node's single thread
 * makes that a non-issue unless `filter` itself calls back into the index.
 *
 * Query evaluation is unit-at-a-time (a unit is a typed word with its
 * synonyms, sub-words and bigrams — see `QueryUnit`) in decreasing order of
 * score upper bound, within a posting budget. It stops early, exactly, when
 * the bound of the units left cannot lift an unseen document into the top k;
 * units left over (or over budget — typically very common words in long
 * ticket text) are scored only for a pool of the best candidates so far.
 * Small and medium indexes are scored exhaustively; see docs/search.md for
 * the measured fidelity at 100,000 documents.
 */
import { Analyzer, type AnalysisSink, type QueryChannel, type QueryTerm, type QueryUnit } from './analyzer';
import { normalizeText } from './normalize';
import { buildSnippet } from './snippet';

export interface SearchFields {
  title: string;
  /** FAQ question variants ("how do I …" phrasings). */
  variants?: readonly string[];
  body?: string;
  tags?: readonly string[];
}

export interface SearchDocument<M = unknown> {
  id: string;
  fields: SearchFields;
  /** Opaque to the index; handed to `filter` (audience, status, category, …). */
  meta?: M;
}

export interface SearchOptions<M = unknown> {
  /** Maximum hits (default 10). */
  limit?: number;
  /** Keep only documents for which this returns true. */
  filter?: (meta: M, id: string) => boolean;
  /** Snippet window in characters (default 80). */
  snippetWidth?: number;
}

export interface SearchHit {
  id: string;
  score: number;
  /** HTML: escaped body excerpt with `<mark>` around matches. */
  snippet: string;
  /** Normalised query terms found in the document. */
  matchedTerms: string[];
  /**
   * Share (0–1) of the query's evidence the document matches: Σ importance (weight × IDF) of the query units it
   * matches over Σ importance of all units. A floor on it keeps suggestions from showing documents that share only a
   * common word with a long ticket text (业主, 反映).
   */
  coverage: number;
}

export interface RankingParams {
  k1: number;
  /** Field weights: title, variants, tags, body. */
  fieldWeights: [number, number, number, number];
  /** BM25 length normalisation per field. */
  fieldB: [number, number, number, number];
  /** Proximity boost scale (× min importance of the pair / distance). */
  proximity: number;
  /** Maximum word distance counted as "near". */
  proximityWindow: number;
  /** Most important typed words considered for proximity. */
  proximityTerms: number;
  /** Candidates re-ranked with proximity. */
  rerankDepth: number;
  /** Caps on query units (long ticket text), by weight × IDF: words / cross-word bigrams. */
  maxWordTerms: number;
  maxBigramTerms: number;
  /** Dis-max tie-breaker: share of a unit's non-best evidence that still counts. */
  tieBreaker: number;
  /** Weight multiplier for edit-distance-1 matches of Latin tokens. */
  typoWeight: number;
  /**
   * Posting visits allowed in the exhaustive phase before the remaining
   * (lower-bound) units are scored only for a candidate pool (long queries
   * over large indexes). `Infinity` = always exact.
   */
  postingBudget: number;
  /** Size of that candidate pool. */
  candidatePool: number;
}

export const DEFAULT_RANKING: RankingParams = {
  k1: 1.2,
  fieldWeights: [4, 2.5, 2, 1],
  fieldB: [0.5, 0.5, 0.3, 0.75],
  proximity: 0.5,
  proximityWindow: 3,
  proximityTerms: 10,
  rerankDepth: 40,
  maxWordTerms: 32,
  maxBigramTerms: 32,
  tieBreaker: 0.3,
  typoWeight: 0.7,
  postingBudget: 30_000,
  candidatePool: 300,
};

export interface SearchIndexOptions {
  analyzer?: Analyzer;
  ranking?: Partial<RankingParams>;
}

/** Per-unit explanation returned by `SearchIndex.explain`. */
export interface ExplainUnit {
  label: string;
  contribution: number;
  members: { term: string; channel: QueryChannel; role: 'core' | 'partial'; weight: number; idf: number; tf: number }[];
}

const NFIELDS = 4;
const F_TITLE = 0;
const F_VARIANTS = 1;
const F_TAGS = 2;
const F_BODY = 3;
const FIELD_GAP = 50;
const MAX_SLOTS = 1 << 20;
const SEP_FIELD = '\u001f';
const SEP_ITEM = '\u001e';
/** Log-scale quantisation of BM25F length norms: 256 steps over [0.005, 20] (±1.6%). */
const NORM_LOG_MIN = Math.log(0.005);
const NORM_LOG_STEP = (Math.log(20) - NORM_LOG_MIN) / 255;
/** Partial members (sub-words, bigrams) below this share of the word's own weight × IDF are dropped. */
const PARTIAL_MIN_SHARE = 0.15;
/** Relative costs (≈ ns) for planning how leftover units are scored (see `rank`). */
const COST_SCAN_POSTING = 7;
const COST_LOOKUP_RECORD = 1000;
const COST_LOOKUP_MEMBER = 100;
/** A query with more word units than this is "long" (ticket text): fewer cross-word bigrams. */
const LONG_QUERY_WORDS = 8;
const LONG_QUERY_GRAMS = 8;
/** In long queries, drop word units whose IDF is below this (df above ~37% of documents). */
const LONG_QUERY_MIN_IDF = 1.0;

const HAN_CHAR = /^\p{Script=Han}$/u;
const CH: Record<QueryChannel, number> = { main: 0, bigram: 1, pinyin: 2, phonetic: 3, unigram: 4 };

interface ResolvedMember {
  tid: number;
  weight: number;
  idf: number;
  display: string;
  channel: QueryChannel;
}

interface ResolvedUnit {
  label: string;
  pos: number;
  core: ResolvedMember[];
  /** max weight among core members; core members contribute weight/coreWeight of their frequency */
  coreWeight: number;
  coreIdf: number;
  partial: ResolvedMember[];
  /** max weight × IDF over members (caps and proximity) */
  importance: number;
  /** upper bound of the unit's score contribution to any document */
  ub: number;
  /** term id of the typed word for proximity (-1: none) */
  posTid: number;
  gram: boolean;
}

/** Min-heap of (score, slot) used for top-k selection. */
class TopK {
  readonly scores: Float64Array;
  readonly slots: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.slots = new Int32Array(k);
  }
  get full(): boolean {
    return this.size >= this.k;
  }
  get min(): number {
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }
  push(score: number, slot: number): void {
    const s = this.scores;
    const d = this.slots;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (s[p]! <= score) break;
        s[i] = s[p]!;
        d[i] = d[p]!;
        i = p;
      }
      s[i] = score;
      d[i] = slot;
      return;
    }
    if (score <= s[0]!) return;
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && s[r]! < s[l]! ? r : l;
      if (s[c]! >= score) break;
      s[i] = s[c]!;
      d[i] = d[c]!;
      i = c;
    }
    s[i] = score;
    d[i] = slot;
  }
}

function grow<T extends Int32Array | Uint8Array | Float32Array | Uint16Array | Float64Array>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  let n = arr.length || 16;
  while (n < need) n *= 2;
  const next = new (arr.constructor as new (n: number) => T)(n);
  next.set(arr);
  return next;
}

export class SearchIndex<M = unknown> {
  readonly analyzer: Analyzer;
  readonly ranking: RankingParams;

  // ---- terms
  private readonly dicts: Map<string, number>[] = [
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
    new Map<string, number>(),
  ];
  private termText: string[] = [];
  private termChannel = new Uint8Array(1024);
  private postings: Uint32Array[] = [];
  private postLen = new Int32Array(1024);
  /** deletion neighbourhood of Latin terms (len ≥ 4) for typo tolerance */
  private readonly deletions = new Map<string, number[]>();

  // ---- documents
  private readonly idToSlot = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  private metas: (M | undefined)[] = [];
  /** normalised title / variants / tags / body, joined with separators (substring scan, rebuild, snippets) */
  private texts: string[] = [];
  private origBodies: (string | null)[] = [];
  /**
   * Per-document records in one arena (no per-document objects, one cache
   * miss less per access): at `docOff[slot]`:
   * [nTerms, nSeq, tids… (sorted), tf bits (2 per int)…, seq (fwdIndex << 16 | pos)…].
   * Removed records are garbage until the arena is compacted.
   */
  private arena = new Int32Array(1 << 16);
  private arenaUsed = 0;
  private arenaGarbage = 0;
  private docOff = new Int32Array(1024).fill(-1);
  private fieldLen = new Uint16Array(1024 * NFIELDS);
  /**
   * BM25F field factor per document and field, log-quantised to a byte
   * (≈1% resolution) so the per-posting working set stays cache-resident;
   * `normLut[f * 256 + q]` = w_f / (1 − b_f + b_f · len/avg).
   */
  private normQ = new Uint8Array(1024 * NFIELDS);
  private readonly normLut = new Float32Array(NFIELDS * 256);
  private readonly fieldLenSum = new Float64Array(NFIELDS);
  private readonly avgUsed = new Float64Array(NFIELDS);
  private freeSlots: number[] = [];
  private slotCount = 0;
  private live = 0;

  // ---- scratch (indexing and queries are synchronous, so one set suffices)
  private tfScratch = new Int32Array(1024);
  private termMark = new Int32Array(1024);
  private scores = new Float32Array(1024);
  private touched = new Int32Array(1024);
  /** per document: [core pseudo-frequency, best partial, partial sum, seen] (one cache line) */
  private unitScratch = new Float32Array(4096);
  private unitTouched = new Int32Array(1024);
  private filterState = new Uint8Array(1024);
  private aliveMark = new Uint8Array(1024);
  private readonly fwdMark = new Uint8Array(65536);
  /** Importance of the last resolved query's typed words that occur in no document (for `coverage`). */
  private unmatchedImportance = 0;

  constructor(options: SearchIndexOptions = {}) {
    this.analyzer = options.analyzer ?? new Analyzer();
    this.ranking = { ...DEFAULT_RANKING, ...options.ranking };
    const fw = this.ranking.fieldWeights;
    for (let f = 0; f < NFIELDS; f++) {
      for (let q = 0; q < 256; q++) this.normLut[f * 256 + q] = fw[f]! * Math.exp(NORM_LOG_MIN + q * NORM_LOG_STEP);
    }
  }

  /** Number of documents. */
  get size(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.idToSlot.has(id);
  }

  /** Insert or replace a document. */
  add(doc: SearchDocument<M>): void {
    if (this.idToSlot.has(doc.id)) this.remove(doc.id);
    const f = doc.fields;
    const title = normalizeText(f.title ?? '');
    const variants = (f.variants ?? []).map(normalizeText);
    const tags = (f.tags ?? []).map(normalizeText);
    const bodyOrig = f.body ?? '';
    const body = normalizeText(bodyOrig);
    const slot = this.allocSlot();
    this.ids[slot] = doc.id;
    this.metas[slot] = doc.meta;
    this.texts[slot] = [title, variants.join(SEP_ITEM), tags.join(SEP_ITEM), body].join(SEP_FIELD);
    this.origBodies[slot] = body === bodyOrig ? null : bodyOrig;
    this.idToSlot.set(doc.id, slot);
    this.indexSlot(slot, title, variants, tags, body);
    this.live++;
  }

  /** Alias of `add` (insert or replace). */
  update(doc: SearchDocument<M>): void {
    this.add(doc);
  }

  /** Remove a document; returns false if it was not indexed. */
  remove(id: string): boolean {
    const slot = this.idToSlot.get(id);
    if (slot === undefined) return false;
    this.unindexSlot(slot);
    this.idToSlot.delete(id);
    this.ids[slot] = undefined;
    this.metas[slot] = undefined;
    this.texts[slot] = '';
    this.origBodies[slot] = null;
    this.freeSlots.push(slot);
    this.live--;
    return true;
  }

  /** Remove everything. */
  clear(): void {
    for (const id of [...this.idToSlot.keys()]) this.remove(id);
  }

  /**
   * Re-analyse every document (e.g. after `analyzer.addWords`, which changes
   * segmentation). Synonym and stop-word changes do not need this.
   */
  rebuild(): void {
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.ids[slot] === undefined) continue;
      this.unindexSlot(slot);
      const [title = '', variants = '', tags = '', body = ''] = this.texts[slot]!.split(SEP_FIELD);
      this.indexSlot(slot, title, variants ? variants.split(SEP_ITEM) : [], tags ? tags.split(SEP_ITEM) : [], body);
    }
  }

  /** Number of documents containing `term` as a word (the term is normalised first). */
  documentFrequency(term: string): number {
    const tid = this.dicts[CH.main]!.get(normalizeText(term).trim());
    return tid === undefined ? 0 : this.postLen[tid]!;
  }

  /** Release spare capacity of posting lists and the document arena (call after a bulk load). */
  compact(): void {
    this.compactArena();
    for (let tid = 0; tid < this.postings.length; tid++) {
      const n = this.postLen[tid]!;
      const list = this.postings[tid]!;
      if (list.length > n + 1) this.postings[tid] = list.slice(0, Math.max(1, n));
    }
  }

  // ------------------------------------------------------------------ indexing

  private allocSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.slotCount++;
    if (slot >= MAX_SLOTS) throw new Error(`SearchIndex holds at most ${MAX_SLOTS} documents`);
    const need = slot + 1;
    this.fieldLen = grow(this.fieldLen, need * NFIELDS);
    this.normQ = grow(this.normQ, need * NFIELDS);
    if (need > this.docOff.length) {
      const prev = this.docOff.length;
      this.docOff = grow(this.docOff, need);
      this.docOff.fill(-1, prev);
    }
    this.scores = grow(this.scores, need);
    this.touched = grow(this.touched, need);
    this.unitScratch = grow(this.unitScratch, need * 4);
    this.unitTouched = grow(this.unitTouched, need);
    this.filterState = grow(this.filterState, need);
    this.aliveMark = grow(this.aliveMark, need);
    return slot;
  }

  private termId(channel: number, text: string): number {
    const dict = this.dicts[channel]!;
    let tid = dict.get(text);
    if (tid !== undefined) return tid;
    tid = this.termText.length;
    dict.set(text, tid);
    this.termText.push(text);
    this.postings.push(new Uint32Array(2));
    const need = tid + 1;
    this.termChannel = grow(this.termChannel, need);
    this.termChannel[tid] = channel;
    this.postLen = grow(this.postLen, need);
    this.tfScratch = grow(this.tfScratch, need);
    this.termMark = grow(this.termMark, need);
    if ((channel === CH.main || channel === CH.pinyin) && text.length >= 4 && /^[a-z0-9]+$/.test(text)) {
      for (const d of [text, ...deletionVariants(text)]) {
        let list = this.deletions.get(d);
        if (!list) this.deletions.set(d, (list = []));
        list.push(tid);
      }
    }
    return tid;
  }

  private indexSlot(slot: number, title: string, variants: string[], tags: string[], body: string): void {
    const terms: number[] = [];
    const seqT: number[] = [];
    const seqP: number[] = [];
    let field = 0;
    const bump = (tid: number) => {
      const v = this.tfScratch[tid]!;
      if (v === 0) terms.push(tid);
      const cur = (v >>> (3 * field)) & 7;
      if (cur < 7) this.tfScratch[tid] = v + (1 << (3 * field));
    };
    const sink: AnalysisSink = {
      word: (t, pos) => {
        const tid = this.termId(CH.main, t);
        bump(tid);
        seqT.push(tid);
        seqP.push(pos > 65535 ? 65535 : pos);
      },
      bigram: (b) => bump(this.termId(CH.bigram, b)),
      pinyin: (p) => bump(this.termId(CH.pinyin, p)),
      phonetic: (p) => bump(this.termId(CH.phonetic, p)),
      unigram: (u) => bump(this.termId(CH.unigram, u)),
    };
    const a = this.analyzer;
    const lens = new Float64Array(NFIELDS);
    let pos = 0;
    const take = (text: string, f: number, opts: { pinyin?: boolean; phonetic?: boolean; unigrams?: boolean }) => {
      field = f;
      const r = a.analyzeInto(text, opts, pos, sink);
      lens[f] = lens[f]! + r.length;
      pos = r.pos + FIELD_GAP;
    };
    const titleOpts = { pinyin: true, phonetic: true, unigrams: true };
    take(title, F_TITLE, titleOpts);
    for (const v of variants) take(v, F_VARIANTS, { phonetic: true, unigrams: true });
    for (const t of tags) take(t, F_TAGS, titleOpts);
    take(body, F_BODY, {});

    terms.sort((x, y) => x - y);
    const n = terms.length;
    const tfBase = 2 + n;
    const seqBase = tfBase + ((n + 1) >> 1);
    const withSeq = n < 65536;
    const len = seqBase + (withSeq ? seqT.length : 0);
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Int32Array(Math.max(this.arenaUsed + len, Math.ceil(this.arena.length * 1.5)));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    const o = this.arenaUsed;
    this.arenaUsed += len;
    this.docOff[slot] = o;
    const data = this.arena.subarray(o, o + len);
    data.fill(0);
    data[0] = n;
    data[1] = withSeq ? seqT.length : 0;
    const tfs = this.tfScratch;
    const mark = this.termMark;
    for (let i = 0; i < n; i++) {
      const tid = terms[i]!;
      const bits = tfs[tid]!;
      tfs[tid] = 0;
      data[2 + i] = tid;
      data[tfBase + (i >> 1)] = data[tfBase + (i >> 1)]! | (bits << ((i & 1) * 16));
      mark[tid] = i;
      this.appendPosting(tid, slot * 4096 + bits);
    }
    if (withSeq) for (let k = 0; k < seqT.length; k++) data[seqBase + k] = (mark[seqT[k]!]! << 16) | seqP[k]!;
    for (let i = 0; i < n; i++) mark[terms[i]!] = 0;
    for (let f = 0; f < NFIELDS; f++) {
      const l = Math.min(lens[f]!, 65535);
      this.fieldLen[slot * NFIELDS + f] = l;
      this.fieldLenSum[f] = this.fieldLenSum[f]! + l;
    }
    this.computeNorms(slot);
  }

  private appendPosting(tid: number, value: number): void {
    let list = this.postings[tid]!;
    const n = this.postLen[tid]!;
    if (n === list.length) {
      const next = new Uint32Array(Math.max(4, Math.ceil(list.length * 1.5)));
      next.set(list);
      this.postings[tid] = list = next;
    }
    list[n] = value;
    this.postLen[tid] = n + 1;
  }

  private unindexSlot(slot: number): void {
    const o = this.docOff[slot]!;
    if (o >= 0) {
      const A = this.arena;
      const n = A[o]!;
      this.arenaGarbage += SearchIndex.recordLength(A, o);
      for (let i = 0; i < n; i++) {
        const tid = A[o + 2 + i]!;
        const list = this.postings[tid]!;
        const len = this.postLen[tid]!;
        for (let j = 0; j < len; j++) {
          if (list[j]! >>> 12 === slot) {
            list[j] = list[len - 1]!;
            this.postLen[tid] = len - 1;
            break;
          }
        }
        if (len - 1 < list.length >> 2 && list.length > 16) this.postings[tid] = list.slice(0, Math.max(4, len * 2));
      }
    }
    for (let f = 0; f < NFIELDS; f++) {
      this.fieldLenSum[f] = this.fieldLenSum[f]! - this.fieldLen[slot * NFIELDS + f]!;
      this.fieldLen[slot * NFIELDS + f] = 0;
    }
    this.docOff[slot] = -1;
    if (this.arenaGarbage > 1 << 16 && this.arenaGarbage * 3 > this.arenaUsed) this.compactArena();
  }

  private static recordLength(A: Int32Array, o: number): number {
    const n = A[o]!;
    return 2 + n + ((n + 1) >> 1) + A[o + 1]!;
  }

  /** Copy live records into a fresh arena (drops removed records). */
  private compactArena(): void {
    const live = this.arenaUsed - this.arenaGarbage;
    const next = new Int32Array(Math.max(1 << 16, Math.ceil(live * 1.25)));
    let w = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const o = this.docOff[slot]!;
      if (o < 0) continue;
      const len = SearchIndex.recordLength(this.arena, o);
      next.set(this.arena.subarray(o, o + len), w);
      this.docOff[slot] = w;
      w += len;
    }
    this.arena = next;
    this.arenaUsed = w;
    this.arenaGarbage = 0;
  }

  /** BM25F per-field factor 1 / (1 − b_f + b_f · len_f / avg_f) for one document, quantised (see `normQ`). */
  private computeNorms(slot: number): void {
    const FB = this.ranking.fieldB;
    for (let f = 0; f < NFIELDS; f++) {
      let avg = this.avgUsed[f]!;
      if (avg === 0) avg = this.avgUsed[f] = Math.max(1, this.fieldLenSum[f]! / Math.max(1, this.live + 1));
      const b = FB[f]!;
      const norm = 1 / (1 - b + (b * this.fieldLen[slot * NFIELDS + f]!) / avg);
      const q = Math.round((Math.log(norm) - NORM_LOG_MIN) / NORM_LOG_STEP);
      this.normQ[slot * NFIELDS + f] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
  }

  /** Recompute all norms if average field lengths drifted by more than 1%. */
  private refreshNorms(): void {
    const N = Math.max(1, this.live);
    let drift = false;
    for (let f = 0; f < NFIELDS; f++) {
      const avg = Math.max(1, this.fieldLenSum[f]! / N);
      if (Math.abs(avg - this.avgUsed[f]!) > 0.01 * avg) drift = true;
    }
    if (!drift) return;
    for (let f = 0; f < NFIELDS; f++) this.avgUsed[f] = Math.max(1, this.fieldLenSum[f]! / N);
    for (let slot = 0; slot < this.slotCount; slot++) if (this.docOff[slot]! >= 0) this.computeNorms(slot);
  }

  // ------------------------------------------------------------------ search

  search(query: string, options: SearchOptions<M> = {}): SearchHit[] {
    const limit = Math.max(1, options.limit ?? 10);
    const filter = options.filter;
    const qa = this.analyzer.analyzeQuery(query);
    if (!qa.normalized || this.live === 0) return [];
    const units = this.resolve(qa.units);

    let ranked: { slot: number; score: number }[] = [];
    if (units.length > 0) ranked = this.rank(units, limit, this.evidenceFilter(units, filter));

    // Substring fallback: 1–2 Han characters, or nothing matched at all.
    if ((qa.shortHan && ranked.length < limit) || ranked.length === 0) {
      const needle = qa.shortHan || qa.normalized;
      const seen = new Set(ranked.map((r) => r.slot));
      const extra = this.substringScan(needle, limit - ranked.length, seen, filter);
      if (extra.length === 0 && !qa.shortHan && ranked.length === 0) {
        // try the longest pieces of a multi-part query
        const pieces = qa.normalized.split(/[^\p{L}\p{N}]+/u).filter((p) => p.length >= 2);
        pieces.sort((a, b) => b.length - a.length);
        for (const p of pieces.slice(0, 4)) {
          if (p === needle) continue;
          extra.push(...this.substringScan(p, limit - extra.length, seen, filter));
          if (extra.length >= limit) break;
        }
      }
      ranked = ranked.concat(extra.map((e) => ({ slot: e.slot, score: e.score })));
      const scanned = new Set(extra.map((e) => e.slot));
      return ranked.slice(0, limit).map((r) => this.hit(r.slot, r.score, units, options, scanned.has(r.slot) ? [needle] : undefined));
    }
    return ranked.slice(0, limit).map((r) => this.hit(r.slot, r.score, units, options));
  }

  /**
   * A single Han character typed as a word (后, 按, 已) found somewhere in a body is weak evidence: when the query also
   * has a longer word, a synonym or a bigram, a document must match one of those, or have the character in its title,
   * FAQ variants or tags (赔 in 补偿与赔偿审批权限, 停 and 车 in 临时停车收费规则) — it never qualifies on body characters
   * alone (ticket text 阳台地漏反水…排水后… must not find every article whose body says 后). Queries made only of single
   * characters (停 车) keep matching on them.
   */
  private evidenceFilter(units: ResolvedUnit[], filter: SearchOptions<M>['filter']): SearchOptions<M>['filter'] {
    const weak = (u: ResolvedUnit) => !u.gram && u.label.length === 1 && HAN_CHAR.test(u.label);
    if (!units.some(weak) || units.every(weak)) return filter;
    const strong = units.flatMap((u) => [...u.core, ...u.partial].filter((m) => !weak(u) || m.channel === 'unigram').map((m) => m.tid));
    return (meta, id) => {
      if (filter && !filter(meta, id)) return false;
      const slot = this.idToSlot.get(id);
      const o = slot === undefined ? -1 : this.docOff[slot]!;
      if (o < 0) return false;
      for (const tid of strong) if (SearchIndex.findTerm(this.arena, o, tid) >= 0) return true;
      return false;
    };
  }

  /**
   * Why does `id` score what it scores for `query`? Per-unit BM25F
   * contributions (before the proximity boost), for debugging and tuning.
   */
  explain(query: string, id: string): ExplainUnit[] {
    const slot = this.idToSlot.get(id);
    if (slot === undefined) return [];
    this.refreshNorms();
    const units = this.resolve(this.analyzer.analyzeQuery(query).units);
    const out: ExplainUnit[] = [];
    for (const u of units) {
      const members: ExplainUnit['members'] = [];
      const contribution = this.unitScore(u, slot, (m, role, x) =>
        members.push({
          term: this.termText[m.tid]!,
          channel: m.channel,
          role,
          weight: m.weight,
          idf: round3(role === 'core' ? u.coreIdf : m.idf),
          tf: round3(x),
        }),
      );
      if (members.length > 0) out.push({ label: u.label, contribution: round3(contribution), members });
    }
    return out.sort((a, b) => b.contribution - a.contribution);
  }

  /** Map query units to index terms with IDF; unknown-bigram phonetics, typo matching, caps. */
  private resolve(qunits: QueryUnit[]): ResolvedUnit[] {
    const N = Math.max(1, this.live);
    const { k1, tieBreaker: tie } = this.ranking;
    const idf = (df: number) => Math.log(1 + (N - df + 0.5) / (df + 0.5));
    const lookup = (channel: number, text: string) => {
      const tid = this.dicts[channel]!.get(text);
      return tid === undefined ? { tid: -1, df: 0 } : { tid, df: this.postLen[tid]! };
    };
    const out: ResolvedUnit[] = [];
    this.unmatchedImportance = 0;
    for (const u of qunits) {
      const core: ResolvedMember[] = [];
      const partial: ResolvedMember[] = [];
      const seen = new Set<number>();
      let dfSum = 0;
      const push = (list: ResolvedMember[], tid: number, df: number, weight: number, display: string, channel: QueryChannel) => {
        if (seen.has(tid)) return;
        seen.add(tid);
        list.push({ tid, weight, idf: idf(df), display, channel });
      };
      const resolveTerm = (q: QueryTerm, role: 'core' | 'partial') => {
        if (q.twin && lookup(CH.main, q.term).df > 0) return;
        const { tid, df } = lookup(CH[q.channel], q.term);
        if (df > 0) {
          if (role === 'core') dfSum += df;
          push(role === 'core' ? core : partial, tid, df, q.weight, q.display, q.channel);
          return;
        }
        if (q.channel === 'bigram' && q.phonetic && q.term.length === 2) {
          const ph = lookup(CH.phonetic, this.analyzer.phoneticKey(q.term[0]!, q.term[1]!));
          if (ph.df > 0) push(partial, ph.tid, ph.df, this.analyzer.weights.phonetic, '', 'phonetic');
          return;
        }
        if (q.fuzzy && (q.channel === 'main' || q.channel === 'pinyin')) {
          for (const ctid of this.typoCandidates(q.term, CH[q.channel])) {
            push(partial, ctid, this.postLen[ctid]!, q.weight * this.ranking.typoWeight, this.termText[ctid]!, q.channel);
          }
        }
      };
      for (const q of u.core) resolveTerm(q, 'core');
      for (const q of u.partial) resolveTerm(q, 'partial');
      if (core.length === 0 && partial.length === 0) {
        // a typed word no document contains still counts against coverage, at the IDF of an unseen term
        if (!u.gram && u.pos >= 0) this.unmatchedImportance += (u.core[0]?.weight ?? 0) * idf(0);
        continue;
      }
      let coreIdf = core.length > 0 ? idf(Math.min(N, dfSum)) : 0;
      if (u.capBy && u.capBy.length > 0) {
        let cap = -1;
        for (const c of u.capBy) {
          const { df } = lookup(CH.main, c);
          if (df > 0) cap = Math.max(cap, idf(df));
        }
        if (cap >= 0) coreIdf = Math.min(coreIdf, cap);
      }
      const coreWeight = core.reduce((mx, m) => Math.max(mx, m.weight), 0);
      let importance = coreWeight * coreIdf;
      let ubMax = coreWeight * coreIdf * (k1 + 1);
      let ubSum = ubMax;
      if (core.length > 0) {
        // partial evidence far weaker than the word itself is noise (and often a huge posting list: 物业 in 物业费)
        const min = PARTIAL_MIN_SHARE * coreWeight * coreIdf;
        for (let i = partial.length - 1; i >= 0; i--) if (partial[i]!.weight * partial[i]!.idf < min) partial.splice(i, 1);
      }
      for (const m of partial) {
        importance = Math.max(importance, m.weight * m.idf);
        const ub = m.weight * m.idf * (k1 + 1);
        ubMax = Math.max(ubMax, ub);
        ubSum += ub;
      }
      const first = core[0];
      const posTid = u.pos >= 0 && first && first.display === u.label ? first.tid : -1;
      out.push({ label: u.label, pos: u.pos, core, coreWeight, coreIdf, partial, importance, ub: ubMax + tie * (ubSum - ubMax), posTid, gram: !!u.gram });
    }
    const words = out.filter((u) => !u.gram);
    const grams = out.filter((u) => u.gram);
    const cap = (list: ResolvedUnit[], n: number) => (list.length <= n ? list : list.sort((a, b) => b.importance - a.importance).slice(0, n));
    const long = words.length > LONG_QUERY_WORDS;
    if (long) {
      // In long ticket text, words found in a large share of all documents
      // (物业, 业主 in a property KB) are statistically stop words: their
      // BM25 weight is tiny but their posting lists are the longest.
      const keep = words.filter((u) => u.importance >= LONG_QUERY_MIN_IDF * (u.coreWeight || 1) || u.core.length === 0);
      if (keep.length >= 3) words.splice(0, words.length, ...keep);
    }
    return [
      ...cap(words, this.ranking.maxWordTerms),
      ...cap(grams, long ? Math.min(LONG_QUERY_GRAMS, this.ranking.maxBigramTerms) : this.ranking.maxBigramTerms),
    ];
  }

  private typoCandidates(term: string, channel: number): number[] {
    const out = new Set<number>();
    for (const key of [term, ...deletionVariants(term)]) {
      for (const tid of this.deletions.get(key) ?? []) {
        if (this.termChannel[tid] !== channel || this.postLen[tid]! === 0) continue;
        if (osaWithin1(term, this.termText[tid]!)) out.add(tid);
      }
    }
    return [...out].slice(0, 8);
  }

  /** Index of `tid` in the sorted term list of the record at `o`, or -1. */
  private static findTerm(A: Int32Array, o: number, tid: number): number {
    let lo = o + 2;
    let hi = o + 2 + A[o]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = A[mid]!;
      if (v === tid) return mid - o - 2;
      if (v < tid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** BM25F pseudo-frequency of tf bits `v` in document `slot`. */
  private pseudoTf(v: number, slot: number): number {
    const nq = this.normQ;
    const L = this.normLut;
    const b = slot * 4;
    return (v & 7) * L[nq[b]!]! + ((v >>> 3) & 7) * L[256 + nq[b + 1]!]! + ((v >>> 6) & 7) * L[512 + nq[b + 2]!]! + ((v >>> 9) & 7) * L[768 + nq[b + 3]!]!;
  }

  /** Score of one unit for one document via its term list (candidate scoring and explain). */
  private unitScore(u: ResolvedUnit, slot: number, report?: (m: ResolvedMember, role: 'core' | 'partial', x: number) => void): number {
    const A = this.arena;
    const o = this.docOff[slot]!;
    const n = A[o]!;
    const k1 = this.ranking.k1;
    const tfOf = (tid: number) => {
      const i = SearchIndex.findTerm(A, o, tid);
      if (i < 0) return 0;
      return this.pseudoTf((A[o + 2 + n + (i >> 1)]! >>> ((i & 1) * 16)) & 0xffff, slot);
    };
    let X = 0;
    for (const m of u.core) {
      const x = tfOf(m.tid);
      if (x > 0) {
        X += (m.weight / u.coreWeight) * x;
        report?.(m, 'core', x);
      }
    }
    const cc = X > 0 ? (u.coreWeight * u.coreIdf * (k1 + 1) * X) / (k1 + X) : 0;
    let mx = cc;
    let sum = cc;
    for (const m of u.partial) {
      const x = tfOf(m.tid);
      if (x <= 0) continue;
      const c = (m.weight * m.idf * (k1 + 1) * x) / (k1 + x);
      if (c > mx) mx = c;
      sum += c;
      report?.(m, 'partial', x);
    }
    return mx + this.ranking.tieBreaker * (sum - mx);
  }

  /**
   * Process one unit over its full posting lists into the score accumulators.
   * With `alive`, only documents marked there are updated (candidate mode).
   */
  private accumulate(u: ResolvedUnit, nTouched: number, alive?: Uint8Array): { nTouched: number; max: number } {
    const k1 = this.ranking.k1;
    const tie = this.ranking.tieBreaker;
    const nq = this.normQ;
    const L = this.normLut;
    const scores = this.scores;
    const touched = this.touched;
    let max = 0;
    if (u.core.length + u.partial.length === 1) {
      // fast path: one term, plain BM25F
      const m = u.core[0] ?? u.partial[0]!;
      const qw = (u.core.length ? u.coreIdf * u.coreWeight : m.idf * m.weight) * (k1 + 1);
      const list = this.postings[m.tid]!;
      const n = this.postLen[m.tid]!;
      for (let i = 0; i < n; i++) {
        const v = list[i]!;
        const slot = v >>> 12;
        if (alive !== undefined && alive[slot] === 0) continue;
        const b = slot * 4;
        const x =
          (v & 7) * L[nq[b]!]! + ((v >>> 3) & 7) * L[256 + nq[b + 1]!]! + ((v >>> 6) & 7) * L[512 + nq[b + 2]!]! + ((v >>> 9) & 7) * L[768 + nq[b + 3]!]!;
        const prev = scores[slot]!;
        if (prev === 0) touched[nTouched++] = slot;
        const s = prev + (qw * x) / (k1 + x);
        scores[slot] = s;
        if (s > max) max = s;
      }
      return { nTouched, max };
    }
    // dis-max unit: scratch per document = [X, best partial, partial sum, seen]
    const us = this.unitScratch;
    const uTouched = this.unitTouched;
    let nu = 0;
    for (const m of u.core) {
      const rel = m.weight / u.coreWeight;
      const list = this.postings[m.tid]!;
      const n = this.postLen[m.tid]!;
      for (let i = 0; i < n; i++) {
        const v = list[i]!;
        const slot = v >>> 12;
        if (alive !== undefined && alive[slot] === 0) continue;
        const b = slot * 4;
        const x =
          (v & 7) * L[nq[b]!]! + ((v >>> 3) & 7) * L[256 + nq[b + 1]!]! + ((v >>> 6) & 7) * L[512 + nq[b + 2]!]! + ((v >>> 9) & 7) * L[768 + nq[b + 3]!]!;
        if (us[b + 3] === 0) {
          us[b + 3] = 1;
          uTouched[nu++] = slot;
          us[b] = rel * x;
          us[b + 1] = 0;
          us[b + 2] = 0;
        } else us[b] = us[b]! + rel * x;
      }
    }
    for (const m of u.partial) {
      const qw = m.weight * m.idf * (k1 + 1);
      const list = this.postings[m.tid]!;
      const n = this.postLen[m.tid]!;
      for (let i = 0; i < n; i++) {
        const v = list[i]!;
        const slot = v >>> 12;
        if (alive !== undefined && alive[slot] === 0) continue;
        const b = slot * 4;
        const x =
          (v & 7) * L[nq[b]!]! + ((v >>> 3) & 7) * L[256 + nq[b + 1]!]! + ((v >>> 6) & 7) * L[512 + nq[b + 2]!]! + ((v >>> 9) & 7) * L[768 + nq[b + 3]!]!;
        const c = (qw * x) / (k1 + x);
        if (us[b + 3] === 0) {
          us[b + 3] = 1;
          uTouched[nu++] = slot;
          us[b] = 0;
          us[b + 1] = c;
          us[b + 2] = c;
        } else {
          if (c > us[b + 1]!) us[b + 1] = c;
          us[b + 2] = us[b + 2]! + c;
        }
      }
    }
    const cw = u.coreWeight * u.coreIdf * (k1 + 1);
    for (let i = 0; i < nu; i++) {
      const slot = uTouched[i]!;
      const b = slot * 4;
      us[b + 3] = 0;
      const X = us[b]!;
      const cc = X > 0 ? (cw * X) / (k1 + X) : 0;
      const best = us[b + 1]!;
      const mx = cc > best ? cc : best;
      const prev = scores[slot]!;
      if (prev === 0) touched[nTouched++] = slot;
      const s = prev + mx + tie * (cc + us[b + 2]! - mx);
      scores[slot] = s;
      if (s > max) max = s;
    }
    return { nTouched, max };
  }

  /**
   * Unit-at-a-time BM25F, filtered top-k, proximity re-rank.
   *
   * Units are processed over their posting lists in decreasing order of
   * score upper bound, within a posting budget (units that would exceed it
   * are deferred). The exhaustive phase ends early when the bound of the
   * units left cannot lift an unseen document into the top k. Deferred and
   * remaining units are then scored only for the best `candidatePool`
   * documents so far — by a posting scan restricted to them or by lookups in
   * their term lists, whichever is cheaper. With an infinite budget and pool
   * the result is exact BM25F.
   */
  private rank(units: ResolvedUnit[], limit: number, filter: SearchOptions<M>['filter']) {
    this.refreshNorms();
    const { postingBudget, candidatePool } = this.ranking;
    const depth = Math.max(this.ranking.rerankDepth, limit * 3);
    const order = [...units].sort((a, b) => b.ub - a.ub);
    const rest = new Float64Array(order.length + 1);
    for (let i = order.length - 1; i >= 0; i--) rest[i] = rest[i + 1]! + order[i]!.ub;

    const scores = this.scores;
    const touched = this.touched;
    const fstate = this.filterState;
    const metas = this.metas;
    const ids = this.ids;
    const passes = (slot: number): boolean => {
      if (!filter) return true;
      let st = fstate[slot]!;
      if (st === 0) {
        st = filter(metas[slot] as M, ids[slot]!) ? 1 : 2;
        fstate[slot] = st;
      }
      return st === 1;
    };
    /** best k of the first n touched documents (passing the filter, score ≥ min) */
    const topTouched = (n: number, k: number, min = -Infinity): TopK => {
      const heap = new TopK(Math.max(1, Math.min(k, n)));
      for (let i = 0; i < n; i++) {
        const slot = touched[i]!;
        const s = scores[slot]!;
        if (s < min || s <= heap.min || !passes(slot)) continue;
        heap.push(s, slot);
      }
      return heap;
    };

    const poolSize = Math.max(candidatePool, depth);
    /** the depth-th best score held in a (larger) heap */
    const kthOf = (heap: TopK): number => {
      if (heap.size < depth) return -Infinity;
      const sorted = Float64Array.from(heap.scores.subarray(0, heap.size)).sort();
      return sorted[heap.size - depth]!;
    };

    let nTouched = 0;
    let maxScore = 0;
    let spent = 0;
    let deferredUb = 0;
    const deferred: ResolvedUnit[] = [];
    let pool: TopK | undefined; // candidate heap from a successful bound check
    let floor = -Infinity; // candidates below this cannot reach the top k any more
    let recheckBelow = Infinity;
    let next = 0;
    for (; next < order.length; next++) {
      const u = order[next]!;
      const cost = this.unitPostings(u);
      if (nTouched > 0 && spent + cost > postingBudget) {
        deferred.push(u);
        deferredUb += u.ub;
        continue;
      }
      const r = this.accumulate(u, nTouched);
      nTouched = r.nTouched;
      spent += cost;
      if (r.max > maxScore) maxScore = r.max;
      // can a document not seen yet still reach the top k?
      const remaining = rest[next + 1]! + deferredUb;
      if (next + 1 < order.length && remaining < maxScore && remaining < recheckBelow) {
        const heap = topTouched(nTouched, poolSize);
        const theta = kthOf(heap);
        if (remaining < theta) {
          pool = heap;
          floor = theta - remaining;
          next++;
          break;
        }
        if (theta > -Infinity) recheckBelow = theta;
      }
    }
    const later = deferred.concat(order.slice(next));

    let final: TopK;
    if (later.length === 0) {
      final = topTouched(nTouched, depth);
    } else {
      pool ??= topTouched(nTouched, poolSize);
      const alive: number[] = [];
      for (let i = 0; i < pool.size; i++) if (pool.scores[i]! >= floor) alive.push(pool.slots[i]!);
      // Each remaining unit is scored either by a sequential scan of its
      // postings that only updates candidates, or by lookups in the
      // candidates' term lists (one cold record access per candidate, shared
      // by all looked-up units). Pick the cheaper plan.
      const na = alive.length;
      const scanCost = (u: ResolvedUnit) => COST_SCAN_POSTING * this.unitPostings(u);
      const lookupCost = (u: ResolvedUnit) => COST_LOOKUP_MEMBER * na * (u.core.length + u.partial.length);
      let scanAll = 0;
      let mixed = COST_LOOKUP_RECORD * na;
      for (const u of later) {
        scanAll += scanCost(u);
        mixed += Math.min(scanCost(u), lookupCost(u));
      }
      const lookups = scanAll <= mixed ? [] : later.filter((u) => lookupCost(u) < scanCost(u));
      const scans = scanAll <= mixed ? later : later.filter((u) => lookupCost(u) >= scanCost(u));
      if (scans.length > 0) {
        const mark = this.aliveMark;
        for (const slot of alive) mark[slot] = 1;
        for (const u of scans) this.accumulate(u, nTouched, mark);
        for (const slot of alive) mark[slot] = 0;
      }
      alive.sort((a, b) => scores[b]! - scores[a]!);
      let laterUb = 0;
      for (const u of lookups) laterUb += u.ub;
      final = this.scoreCandidates(lookups, alive, depth, laterUb);
    }
    const cands: { slot: number; score: number }[] = [];
    for (let i = 0; i < final.size; i++) cands.push({ slot: final.slots[i]!, score: final.scores[i]! });
    for (let i = 0; i < nTouched; i++) {
      const slot = touched[i]!;
      scores[slot] = 0;
      fstate[slot] = 0;
    }
    this.proximityBoost(units, cands);
    cands.sort((a, b) => b.score - a.score || a.slot - b.slot);
    return cands;
  }

  private unitPostings(u: ResolvedUnit): number {
    let n = 0;
    for (const m of u.core) n += this.postLen[m.tid]!;
    for (const m of u.partial) n += this.postLen[m.tid]!;
    return n;
  }

  /**
   * Add the contributions of `units` to the candidates' scores via their term
   * lists (batched per document) and return the best `depth`. `alive` must be
   * sorted by current score, best first: once a candidate's score plus
   * `laterUb` (the units' bound) cannot beat the k-th best, the rest are skipped.
   */
  private scoreCandidates(units: ResolvedUnit[], alive: number[], depth: number, laterUb: number): TopK {
    const final = new TopK(Math.max(1, Math.min(depth, alive.length)));
    const k1 = this.ranking.k1;
    const tie = this.ranking.tieBreaker;
    // flatten members, sorted by term id so each document's list is walked once
    const mem: { tid: number; unit: number; core: boolean; coef: number }[] = [];
    units.forEach((u, ui) => {
      for (const m of u.core) mem.push({ tid: m.tid, unit: ui, core: true, coef: m.weight / u.coreWeight });
      for (const m of u.partial) mem.push({ tid: m.tid, unit: ui, core: false, coef: m.weight * m.idf * (k1 + 1) });
    });
    mem.sort((a, b) => a.tid - b.tid);
    const nm = mem.length;
    const tids = Int32Array.from(mem, (m) => m.tid);
    const unitOf = Int32Array.from(mem, (m) => m.unit);
    const isCore = Uint8Array.from(mem, (m) => (m.core ? 1 : 0));
    const coef = Float64Array.from(mem, (m) => m.coef);
    const cw = Float64Array.from(units, (u) => u.coreWeight * u.coreIdf * (k1 + 1));
    const nu = units.length;
    const X = new Float64Array(nu);
    const MX = new Float64Array(nu);
    const SUM = new Float64Array(nu);
    const nq = this.normQ;
    const L = this.normLut;
    const scores = this.scores;
    const A = this.arena;
    for (const slot of alive) {
      if (final.full && scores[slot]! + laterUb <= final.min) break;
      const o = this.docOff[slot]!;
      const n = A[o]!;
      const tfBase = o + 2 + n;
      const b = slot * 4;
      X.fill(0);
      MX.fill(0);
      SUM.fill(0);
      let lo = o + 2;
      const end = o + 2 + n - 1;
      for (let j = 0; j < nm; j++) {
        const tid = tids[j]!;
        // binary search in A[lo..end] (members ascend, so lo only moves forward)
        let l = lo;
        let h = end;
        let found = -1;
        while (l <= h) {
          const mid = (l + h) >> 1;
          const v = A[mid]!;
          if (v === tid) {
            found = mid;
            break;
          }
          if (v < tid) l = mid + 1;
          else h = mid - 1;
        }
        if (found < 0) {
          lo = l;
          continue;
        }
        lo = found;
        const i = found - o - 2;
        const v = (A[tfBase + (i >> 1)]! >>> ((i & 1) * 16)) & 0xffff;
        const x =
          (v & 7) * L[nq[b]!]! + ((v >>> 3) & 7) * L[256 + nq[b + 1]!]! + ((v >>> 6) & 7) * L[512 + nq[b + 2]!]! + ((v >>> 9) & 7) * L[768 + nq[b + 3]!]!;
        const u = unitOf[j]!;
        if (isCore[j]) X[u] = X[u]! + coef[j]! * x;
        else {
          const c = (coef[j]! * x) / (k1 + x);
          if (c > MX[u]!) MX[u] = c;
          SUM[u] = SUM[u]! + c;
        }
      }
      let total = 0;
      for (let u = 0; u < nu; u++) {
        const xx = X[u]!;
        const cc = xx > 0 ? (cw[u]! * xx) / (k1 + xx) : 0;
        const mx = cc > MX[u]! ? cc : MX[u]!;
        total += mx + tie * (cc + SUM[u]! - mx);
      }
      const sc = scores[slot]! + total;
      scores[slot] = sc;
      final.push(sc, slot);
    }
    return final;
  }

  private proximityBoost(units: ResolvedUnit[], cands: { slot: number; score: number }[]): void {
    const lambda = this.ranking.proximity;
    const win = this.ranking.proximityWindow;
    if (lambda <= 0) return;
    const q = units
      .filter((u) => u.posTid >= 0)
      .sort((a, b) => b.importance - a.importance)
      .slice(0, Math.min(16, this.ranking.proximityTerms));
    if (q.length < 2) return;
    const nq = q.length;
    const qTids = q.map((u) => u.posTid);
    const best = new Float64Array(nq * nq);
    const last = new Int32Array(nq);
    const fwdMark = this.fwdMark; // term index within the record → query unit + 1
    const A = this.arena;
    for (const c of cands) {
      const o = this.docOff[c.slot]!;
      if (o < 0) continue;
      const n = A[o]!;
      const nSeq = A[o + 1]!;
      const seqBase = o + 2 + n + ((n + 1) >> 1);
      let present = 0;
      for (let k = 0; k < nq; k++) {
        const i = SearchIndex.findTerm(A, o, qTids[k]!);
        if (i >= 0 && i < 65536) {
          fwdMark[i] = k + 1;
          present++;
        }
      }
      if (present >= 2) {
        best.fill(Infinity);
        last.fill(-1_000_000);
        for (let i = 0; i < nSeq; i++) {
          const e = A[seqBase + i]!;
          const k = fwdMark[e >>> 16]! - 1;
          if (k < 0) continue;
          const p = e & 0xffff;
          for (let j = 0; j < nq; j++) {
            if (j === k) continue;
            const d = p - last[j]!;
            if (d > 0 && d <= win) {
              const idx = k < j ? k * nq + j : j * nq + k;
              if (d < best[idx]!) best[idx] = d;
            }
          }
          last[k] = p;
        }
        let boost = 0;
        for (let a = 0; a < nq; a++) {
          for (let b = a + 1; b < nq; b++) {
            const d = best[a * nq + b]!;
            if (d === Infinity) continue;
            const ua = q[a]!;
            const ub = q[b]!;
            if (Math.abs(ua.pos - ub.pos) > win) continue;
            boost += Math.min(ua.importance, ub.importance) / d;
          }
        }
        c.score += lambda * boost;
      }
      for (let k = 0; k < nq; k++) {
        const i = SearchIndex.findTerm(A, o, qTids[k]!);
        if (i >= 0 && i < 65536) fwdMark[i] = 0;
      }
    }
  }

  private substringScan(needle: string, want: number, seen: Set<number>, filter: SearchOptions<M>['filter']) {
    const out: { slot: number; score: number; rank: number }[] = [];
    if (!needle || want <= 0) return out;
    for (let slot = 0; slot < this.slotCount; slot++) {
      const id = this.ids[slot];
      if (id === undefined || seen.has(slot)) continue;
      const text = this.texts[slot]!;
      const at = text.indexOf(needle);
      if (at < 0) continue;
      if (filter && !filter(this.metas[slot] as M, id)) continue;
      // field of the first hit: count separators before it
      let field = 0;
      for (let p = text.indexOf(SEP_FIELD); p >= 0 && p < at; p = text.indexOf(SEP_FIELD, p + 1)) field++;
      out.push({ slot, score: 0, rank: field * 1e6 + Math.min(at, 999_999) });
    }
    out.sort((a, b) => a.rank - b.rank || a.slot - b.slot);
    const picked = out.slice(0, want);
    picked.forEach((p, i) => (p.score = 0.01 / (i + 1)));
    for (const p of picked) seen.add(p.slot);
    return picked;
  }

  private hit(slot: number, score: number, units: ResolvedUnit[], options: SearchOptions<M>, forced?: string[]): SearchHit {
    const A = this.arena;
    const o = this.docOff[slot]!;
    const words: string[] = [];
    const grams: string[] = [];
    let total = this.unmatchedImportance;
    let matched = 0;
    for (const u of units) {
      total += u.importance;
      let hitUnit = false;
      for (const list of [u.core, u.partial]) {
        for (const m of list) {
          if (SearchIndex.findTerm(A, o, m.tid) < 0) continue;
          hitUnit = true;
          if (m.display) (m.channel === 'bigram' ? grams : words).push(m.display);
        }
      }
      if (hitUnit) matched += u.importance;
    }
    if (forced) words.push(...forced);
    const uniq = [...new Set([...words, ...grams])];
    const text = this.texts[slot]!;
    const orig = this.origBodies[slot];
    const normBody = text.slice(text.lastIndexOf(SEP_FIELD) + 1);
    const body = orig ?? normBody;
    // highlight at most the 12 longest terms (long ticket text matches many)
    const marks = uniq.length <= 12 ? uniq : [...uniq].sort((a, b) => b.length - a.length).slice(0, 12);
    const snippet = buildSnippet(body, marks, { width: options.snippetWidth ?? 80, normalized: orig === null, normalizedText: normBody });
    // report words rather than their bigram fragments when both matched
    const reported = words.length > 0 ? [...new Set(words)] : uniq;
    const matchedTerms = reported.filter((t) => !reported.some((o) => o !== t && o.length > t.length && o.includes(t)));
    const coverage = forced ? 1 : total > 0 ? Math.round((matched / total) * 1e4) / 1e4 : 0;
    return { id: this.ids[slot]!, score: Math.round(score * 1e4) / 1e4, snippet, matchedTerms, coverage };
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function deletionVariants(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}

/** Optimal-string-alignment distance ≤ 1 (one insertion, deletion, substitution or transposition). */
export function osaWithin1(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
