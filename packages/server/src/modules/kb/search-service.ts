import { Analyzer, SearchIndex, type SearchDocument, type SearchHit } from '@chidu/core/search/index';
import type { Database, Executor } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { htmlToText } from './sanitize';
import type { KbKind, KbStatus } from './kb.schema';
import { kbRepo, type IndexRow } from './kb.repo';

export const KB_CHANNEL = 'chidu_kb';
/** Statuses whose content search returns (needs_update is still the reviewed text, flagged for revision). */
export const SEARCHABLE: readonly KbStatus[] = ['published', 'needs_update'];

export interface KbMeta {
  status: KbStatus;
  audience: 'internal' | 'customer';
  categoryId: string;
  kind: KbKind;
  title: string;
}

type ItemRow = IndexRow;

export interface VocabRow {
  kind: string;
  term: string;
  expansions: string[];
}

export interface SearchFilter {
  /** Customers see only customer-facing items. */
  customer?: boolean;
  kinds?: readonly KbKind[];
  excludeKinds?: readonly KbKind[];
  categoryIds?: ReadonlySet<string>;
}

/**
 * The one in-process search index of a server process. Loaded from the database at start, updated right after each
 * committed edit (by the process that made it), and kept in sync across processes: every edit NOTIFYs KB_CHANNEL in
 * its transaction and the other processes re-read the item when the notification arrives (after commit).
 */
export class KbSearch {
  analyzer = new Analyzer();
  index = new SearchIndex<KbMeta>({ analyzer: this.analyzer });
  /** Identifies this process in notifications, so it does not re-read its own edits. */
  readonly origin = uuidv7();
  private docs = new Map<string, SearchDocument<KbMeta>>();
  private unlisten: (() => Promise<void>) | null = null;
  /** Category tree cache for hits (small; invalidated by category edits here and by notification elsewhere). */
  categories: Promise<Map<string, { id: string; parentId: string | null; name: string; position: number; createdAt: Date }>> | null = null;
  private loaded: Promise<void> | null = null;

  constructor(private readonly database: Database) {}

  get size() {
    return this.index.size;
  }

  async start(): Promise<void> {
    if (this.database.listen && !this.unlisten) {
      this.unlisten = await this.database.listen(KB_CHANNEL, (payload) => {
        void this.onNotification(payload);
      });
    }
    this.loaded ??= this.reloadAll();
    await this.loaded;
  }

  async stop(): Promise<void> {
    const u = this.unlisten;
    this.unlisten = null;
    await u?.().catch(() => undefined);
  }

  /** Wait for the initial load (requests that arrive during start-up). */
  ready(): Promise<void> {
    return this.loaded ?? this.start();
  }

  private async onNotification(payload: string) {
    let msg: { origin?: string; item?: string; vocabulary?: boolean; categories?: boolean };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    if (msg.origin === this.origin) return;
    this.categories = null;
    if (msg.categories) return;
    try {
      if (msg.vocabulary) await this.reloadAll();
      else if (msg.item) await this.refresh(msg.item);
    } catch {
      /* the next notification or restart re-syncs */
    }
  }

  /** Announce an edit to the other processes (delivered at commit). */
  async announce(tx: Executor, what: { item?: string; vocabulary?: boolean; categories?: boolean }): Promise<void> {
    await kbRepo.notify(tx, KB_CHANNEL, JSON.stringify({ origin: this.origin, ...what }));
  }

  private static doc(r: ItemRow): SearchDocument<KbMeta> {
    const text = r.kind === 'script' ? r.body : htmlToText(r.body);
    return {
      id: r.id,
      fields: { title: r.title, variants: r.variants, body: text, tags: r.scenario ? [...r.tags, r.scenario] : r.tags },
      meta: { status: r.status as KbStatus, audience: r.audience as KbMeta['audience'], categoryId: r.category_id, kind: r.kind as KbKind, title: r.title },
    };
  }

  private apply(r: ItemRow | undefined, id: string) {
    if (!r || !SEARCHABLE.includes(r.status as KbStatus)) {
      this.index.remove(id);
      this.docs.delete(id);
      return;
    }
    const d = KbSearch.doc(r);
    this.docs.set(id, d);
    this.index.update(d);
  }

  /** Re-read one item from the database and (re)index or remove it. Called after the edit's transaction committed. */
  async refresh(id: string, ex: Executor = this.database.db): Promise<void> {
    await this.loaded;
    this.apply(await kbRepo.indexRow(this.database, id, ex), id);
  }

  /** Full reload: vocabulary (fresh analyzer, so removed words and synonyms are gone) and every searchable item. */
  async reloadAll(): Promise<void> {
    const vocab: VocabRow[] = await kbRepo.vocabularyRows(this.database);
    const analyzer = new Analyzer();
    applyVocabulary(analyzer, vocab);
    const index = new SearchIndex<KbMeta>({ analyzer });
    const docs = new Map<string, SearchDocument<KbMeta>>();
    const rows = await kbRepo.searchableRows(this.database);
    for (const r of rows) {
      const d = KbSearch.doc(r);
      docs.set(r.id, d);
      index.add(d);
    }
    index.compact();
    this.analyzer = analyzer;
    this.index = index;
    this.docs = docs;
  }

  search(q: string, opts: { limit?: number; filter?: SearchFilter; snippetWidth?: number } = {}): (SearchHit & { meta: KbMeta })[] {
    const f = opts.filter ?? {};
    const hits = this.index.search(q, {
      limit: opts.limit ?? 10,
      snippetWidth: opts.snippetWidth ?? 80,
      filter: (m) =>
        SEARCHABLE.includes(m.status) &&
        (!f.customer || m.audience === 'customer') &&
        (!f.kinds || f.kinds.includes(m.kind)) &&
        (!f.excludeKinds || !f.excludeKinds.includes(m.kind)) &&
        (!f.categoryIds || f.categoryIds.has(m.categoryId)),
    });
    return hits.map((h) => ({ ...h, meta: this.docs.get(h.id)!.meta! }));
  }
}

export function applyVocabulary(analyzer: Analyzer, rows: readonly VocabRow[]): void {
  const words = rows.filter((r) => r.kind === 'word').map((r) => r.term);
  if (words.length) analyzer.addWords(words);
  for (const r of rows) {
    if (r.kind === 'synonyms') analyzer.addSynonyms(r.expansions);
    else if (r.kind === 'rule') analyzer.addSynonymRule(r.term, r.expansions);
  }
}

const instances = new WeakMap<Database, KbSearch>();
export function kbSearchOf(database: Database): KbSearch | undefined {
  return instances.get(database);
}
export function setKbSearch(database: Database, s: KbSearch): void {
  instances.set(database, s);
}
