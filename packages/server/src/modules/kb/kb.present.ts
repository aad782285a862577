/** Knowledge rows → API shapes. */
import { render, type Locale, type Message } from '../../i18n/index';
import type { KbKind, KbStatus } from './kb.schema';
import type { ItemAbilities } from './kb.policy';
import type { CategoryRow, ItemRow, VocabularyRow } from './kb.repo';
import { pathOf, type CategoryMap } from './kb.tree';
import { htmlToText } from './sanitize';
import type { KbSearch } from './search-service';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
export type NameOf = (id: string | null) => string | null;

/** A text the server writes into a text column (a status reason, a version note) is stored as a message. */
export const storeMessage = (m: Message): string => JSON.stringify(m);
/** Stored text as the reader sees it: a stored message rendered in their language; anything else (typed by a person, or older rows) as is. */
export function storedText(locale: Locale | undefined, v: string | null): string | null {
  if (v === null || !v.startsWith('{"key":"kb.')) return v;
  try {
    return render(locale, JSON.parse(v) as Message);
  } catch {
    return v;
  }
}

export function presentItem(item: ItemRow, cats: CategoryMap, nameOf: NameOf, allowed: ItemAbilities, locale: Locale | undefined) {
  const path = pathOf(cats, item.categoryId);
  return {
    id: item.id,
    kind: item.kind as KbKind,
    title: item.title,
    body: item.body,
    variants: item.variants,
    categoryId: item.categoryId,
    categoryName: cats.get(item.categoryId)?.name ?? null,
    categoryPath: path.map((c) => c.name),
    tags: item.tags,
    scenario: item.scenario,
    audience: item.audience as 'internal' | 'customer',
    status: item.status as KbStatus,
    statusReason: storedText(locale, item.statusReason),
    ownerId: item.ownerId,
    ownerName: nameOf(item.ownerId),
    authorId: item.authorId,
    authorName: nameOf(item.authorId),
    reviewDueOn: item.reviewDueOn,
    version: item.version,
    publishedVersion: item.publishedVersion,
    helpfulCount: item.helpfulCount,
    notHelpfulCount: item.notHelpfulCount,
    usedCount: item.usedCount,
    publishedAt: iso(item.publishedAt),
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
    allowed,
  };
}

export function presentSummary(r: ItemRow, cats: CategoryMap, nameOf: NameOf, locale: Locale | undefined) {
  const text = r.kind === 'script' ? r.body : htmlToText(r.body);
  return {
    id: r.id,
    kind: r.kind as KbKind,
    title: r.title,
    categoryId: r.categoryId,
    categoryName: cats.get(r.categoryId)?.name ?? null,
    categoryPath: pathOf(cats, r.categoryId).map((c) => c.name),
    tags: r.tags,
    scenario: r.scenario,
    audience: r.audience as 'internal' | 'customer',
    status: r.status as KbStatus,
    statusReason: storedText(locale, r.statusReason),
    ownerId: r.ownerId,
    ownerName: nameOf(r.ownerId),
    authorId: r.authorId,
    authorName: nameOf(r.authorId),
    reviewDueOn: r.reviewDueOn,
    version: r.version,
    publishedVersion: r.publishedVersion,
    helpfulCount: r.helpfulCount,
    notHelpfulCount: r.notHelpfulCount,
    usedCount: r.usedCount,
    publishedAt: iso(r.publishedAt),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    excerpt: text.replace(/\s+/g, ' ').slice(0, 120),
  };
}

export type SearchHitRow = ReturnType<KbSearch['search']>[number];

export function presentHit(h: SearchHitRow, cats: CategoryMap) {
  return {
    id: h.id,
    title: h.meta.title,
    snippet: h.snippet,
    score: Math.round(h.score * 10_000) / 10_000,
    kind: h.meta.kind,
    categoryId: h.meta.categoryId,
    categoryName: cats.get(h.meta.categoryId)?.name ?? null,
    audience: h.meta.audience,
    status: h.meta.status,
  };
}

export function presentCategory(c: CategoryRow, experts: { id: string; name: string; employeeNo: string }[], counts: { n: number; p: number } | undefined) {
  return { id: c.id, parentId: c.parentId, name: c.name, position: c.position, experts, itemCount: counts?.n ?? 0, publishedCount: counts?.p ?? 0 };
}

export function presentVocab(r: VocabularyRow) {
  return { id: r.id, kind: r.kind as 'word' | 'synonyms' | 'rule', term: r.term, expansions: r.expansions, createdAt: r.createdAt.toISOString() };
}

/** A help-centre article (customer-facing). */
export function presentPublicItem(r: ItemRow, cats: CategoryMap) {
  return {
    id: r.id,
    kind: r.kind as KbKind,
    title: r.title,
    body: r.body,
    variants: r.variants,
    categoryId: r.categoryId,
    categoryName: cats.get(r.categoryId)?.name ?? null,
    categoryPath: pathOf(cats, r.categoryId).map((c) => c.name),
    tags: r.tags,
    updatedAt: (r.publishedAt ?? r.updatedAt).toISOString(),
    helpfulCount: r.helpfulCount,
  };
}
