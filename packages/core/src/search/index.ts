export { Analyzer, QUERY_WEIGHTS } from './analyzer';
export type {
  AnalysisSink,
  AnalyzerOptions,
  FieldAnalysis,
  FieldOptions,
  QueryAnalysis,
  QueryChannel,
  QueryTerm,
  QueryUnit,
  QueryWeights,
  Token,
} from './analyzer';
export { DEFAULT_STOP_WORDS, DEFAULT_SYNONYM_GROUPS, DEFAULT_SYNONYM_RULES, DEFAULT_WORDS } from './dictionary';
export { normalizeText, normalizeWithMap } from './normalize';
export type { Normalized } from './normalize';
export { buildSnippet, escapeHtml } from './snippet';
export type { SnippetOptions } from './snippet';
export { DEFAULT_RANKING, SearchIndex, osaWithin1 } from './search-index';
export type { ExplainUnit, RankingParams, SearchDocument, SearchFields, SearchHit, SearchIndexOptions, SearchOptions } from './search-index';
export { SCRIPT_FLOOR, SUGGESTION_FLOOR, aboveFloor } from './relevance';
export type { RelevanceFloor } from './relevance';
