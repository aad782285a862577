/** Loader for the knowledge-base relevance set (bench only — never used by unit tests). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Article {
  id: string;
  category: string;
  /** customer | agent | both */
  audience: string;
  title: string;
  variants: string[];
  body: string;
  tags: string[];
}

export type QueryKind = 'keywords' | 'paraphrase' | 'spoken' | 'typo_trad' | 'ticket';

export interface RelevanceQuery {
  id: string;
  kind: QueryKind;
  q: string;
  /** article id → grade (2 = answers the question, 1 = related/useful) */
  rel: Record<string, number>;
}

const here = dirname(fileURLToPath(import.meta.url));

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'data', name), 'utf8')) as T;
}

export function loadArticles(): Article[] {
  return [...load<Article[]>('articles-1.json'), ...load<Article[]>('articles-2.json'), ...load<Article[]>('articles-3.json')];
}

export function loadQueries(): RelevanceQuery[] {
  return load<RelevanceQuery[]>('queries.json');
}

export const KINDS: QueryKind[] = ['keywords', 'paraphrase', 'spoken', 'typo_trad', 'ticket'];

/** A ticket text and what the suggestions panel should show for it (`rel` empty: nothing). */
export interface SuggestCase {
  id: string;
  /** tune: cases the floor was tuned on; holdout: never looked at while tuning (report only its totals). */
  split: 'tune' | 'holdout';
  q: string;
  rel: Record<string, number>;
}

export function loadSuggestCases(): SuggestCase[] {
  return load<SuggestCase[]>('suggest.json');
}
