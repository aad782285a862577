/** Automatic inspection (全量质检): rule definitions, inputs and hits. Pure data, no I/O. */

export const RULE_KINDS = ['phrases', 'regex', 'required', 'empathy', 'pii', 'promise'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const SEVERITIES = ['info', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which messages a rule reads: staff text the customer receives, or any staff text (also notes and phone logs). */
export const AUDIENCES = ['customer', 'any'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Where in a conversation a `required` / `empathy` rule looks: the first or the last public staff reply. */
export const POSITIONS = ['first', 'last', 'any'] as const;
export type Position = (typeof POSITIONS)[number];

export interface InspectionRule {
  /** stable code, e.g. `forbidden.dont_know` */
  code: string;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  audience: Audience;
  /** phrases: forbidden words; required/empathy: any one of them satisfies; promise: the vague promises */
  phrases: string[];
  /** regex: the pattern (RE2 syntax, linear time); promise: the time expression that makes a promise concrete */
  pattern: string | null;
  /** phrases: a hit must start and end on jieba word boundaries */
  wholeWord: boolean;
  /** a hit inside an occurrence of one of these is allowed (能不能, 不能及时回复您) */
  exceptions: string[];
  /** the wording to use instead */
  suggestion: string | null;
  /** applies only on these channels (empty: all) */
  channels: string[];
  /** applies only to these ticket types (empty: all) */
  ticketTypes: string[];
  /** required / empathy: which reply of the conversation */
  position: Position;
  /** promise: how many characters around the promise a time expression may be (default 12) */
  window: number;
}

export interface InspectionInput {
  text: string;
  channel?: string | null;
  ticketType?: string | null;
  /** `customer`: a public reply; `internal`: a note or phone log the customer never receives */
  audience?: 'customer' | 'internal';
  /** this is the first public staff reply of the conversation (required openings, empathy) */
  first?: boolean;
  /** this is the last public staff reply (required closings): known when the ticket resolves */
  last?: boolean;
}

export interface InspectionHit {
  rule: string;
  severity: Severity;
  /** UTF-16 offsets into the text */
  start: number;
  end: number;
  excerpt: string;
  suggestion?: string;
}
