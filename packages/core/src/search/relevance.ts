/**
 * The relevance floor of suggestions: a ticket's knowledge suggestions show nothing rather than noise. Unlike a search
 * the agent types (where the best few hits are always shown), suggestions are pushed at the agent unasked, so a hit is
 * kept only when
 *
 *  - it covers at least `minCoverage` of the ticket text's evidence (`SearchHit.coverage`: the query words it matches,
 *    weighted by IDF, unknown words counted at the IDF of an unseen term) — a document that shares only a common word
 *    (业主, 反映) with a long ticket text falls below it; and
 *  - its score is at least `minShareOfBest` of the best hit's score in the same list — far weaker hits under a clear
 *    answer are noise.
 *
 * Tuned on the tuning part of `bench/kb-search/data/suggest.json` only (see docs/search.md#suggestions).
 */
import type { SearchHit } from './search-index';

export interface RelevanceFloor {
  minCoverage: number;
  minShareOfBest: number;
}

export const SUGGESTION_FLOOR: RelevanceFloor = { minCoverage: 0.2, minShareOfBest: 0.3 };
/**
 * Scripts (话术) are one short paragraph about the response, not the problem: they cover little of a ticket's text even
 * when they fit. The caller measures their coverage on the ticket's subject (the topic line) instead, and any match of
 * a word of it (a single body character does not count, see `SearchIndex`) keeps a script that is not far below the
 * best one.
 */
export const SCRIPT_FLOOR: RelevanceFloor = { minCoverage: 0.01, minShareOfBest: 0.3 };

/** Hits (in rank order, each with a final score) that clear the floor. */
export function aboveFloor<H extends Pick<SearchHit, 'coverage'> & { score: number }>(hits: readonly H[], floor: RelevanceFloor = SUGGESTION_FLOOR): H[] {
  const best = hits.reduce((m, h) => Math.max(m, h.score), 0);
  return hits.filter((h) => h.coverage >= floor.minCoverage && h.score >= best * floor.minShareOfBest);
}
