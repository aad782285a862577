/**
 * The inspection of one staff message against a rule set: pure and deterministic (the server runs it on every
 * reply, note and phone log; `POST /qa/check` runs it as a dry run; bench/inspection measures it).
 */
import { findAll } from './regex';
import { wordBoundaries } from './segment';
import { SEVERITIES, type InspectionHit, type InspectionInput, type InspectionRule } from './types';

const EXCERPT_CONTEXT = 8;
const DEFAULT_WINDOW = 12;
/** Sentence ends (Chinese and Latin) for the span of a missing opening / closing / empathy. */
const SENTENCE_END = /[。！？!?；;\n]/u;

class Text {
  private boundaries: Set<number> | null = null;
  readonly lower: string;
  constructor(readonly raw: string) {
    this.lower = raw.toLowerCase();
  }
  isWord(start: number, end: number): boolean {
    this.boundaries ??= wordBoundaries(this.raw);
    return this.boundaries.has(start) && this.boundaries.has(end);
  }
  /** Every occurrence of `phrase` (case-insensitive) as [start, end). */
  occurrences(phrase: string): [number, number][] {
    const p = phrase.toLowerCase();
    const out: [number, number][] = [];
    if (!p) return out;
    for (let i = this.lower.indexOf(p); i >= 0; i = this.lower.indexOf(p, i + 1)) out.push([i, i + p.length]);
    return out;
  }
  contains(phrase: string): boolean {
    return phrase.length > 0 && this.lower.includes(phrase.toLowerCase());
  }
}

/** Clause ends: a hypothesis (如果…) reaches no further than its clause. */
const CLAUSE_END = /[，,。！？!?；;\n]/u;
const CONDITIONAL = ['如果', '假如', '要是', '万一', '倘若'];

/**
 * A phrase inside a conditional clause is a hypothesis, not a refusal or a blame: 如果没办法到场…, 若这个时间不可以…
 * (the clause from its start up to the phrase opens with, or holds, a conditional word).
 */
function conditional(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && !CLAUSE_END.test(text[i]!)) i--;
  const clause = text.slice(i + 1, start);
  return clause.startsWith('若') || CONDITIONAL.some((w) => clause.includes(w));
}

/** The sentence around [start, end): from after the previous sentence end to the next one (included). */
function sentenceAround(text: string, start: number, end: number): [number, number] {
  let s = start;
  while (s > 0 && !SENTENCE_END.test(text[s - 1]!)) s--;
  let e = end;
  while (e < text.length && !SENTENCE_END.test(text[e]!)) e++;
  return [s, e];
}

/** A hit lying inside an occurrence of one of the rule's exceptions is allowed. */
function excepted(t: Text, rule: InspectionRule, start: number, end: number): boolean {
  for (const x of rule.exceptions) {
    for (const [xs, xe] of t.occurrences(x)) if (xs <= start && end <= xe) return true;
  }
  return false;
}

function excerpt(text: string, start: number, end: number): string {
  const s = Math.max(0, start - EXCERPT_CONTEXT);
  const e = Math.min(text.length, end + EXCERPT_CONTEXT);
  return `${s > 0 ? '…' : ''}${text.slice(s, e)}${e < text.length ? '…' : ''}`;
}

function hit(rule: InspectionRule, text: string, start: number, end: number): InspectionHit {
  return {
    rule: rule.code,
    severity: rule.severity,
    start,
    end,
    excerpt: excerpt(text, start, end),
    ...(rule.suggestion ? { suggestion: rule.suggestion } : {}),
  };
}

/** The first sentence's span (a missing opening or empathy is shown there). */
function firstSentence(text: string): [number, number] {
  const m = SENTENCE_END.exec(text);
  return [0, m ? m.index + 1 : text.length];
}

/** The last sentence's span (a missing closing), trailing punctuation and space included. */
function lastSentence(text: string): [number, number] {
  const trimmed = text.replace(/[\s。！？!?；;]+$/u, '');
  let i = trimmed.length - 1;
  while (i >= 0 && !SENTENCE_END.test(trimmed[i]!)) i--;
  return [i + 1, text.length];
}

function applies(rule: InspectionRule, input: InspectionInput): boolean {
  if (!rule.enabled) return false;
  const audience = input.audience ?? 'customer';
  if (rule.audience === 'customer' && audience !== 'customer') return false;
  if (rule.channels.length > 0 && (!input.channel || !rule.channels.includes(input.channel))) return false;
  if (rule.ticketTypes.length > 0 && (!input.ticketType || !rule.ticketTypes.includes(input.ticketType))) return false;
  return true;
}

function positionApplies(rule: InspectionRule, input: InspectionInput): boolean {
  if (rule.position === 'first') return input.first === true;
  if (rule.position === 'last') return input.last === true;
  return true;
}

/**
 * True when the text satisfies a `required` / `empathy` rule (one of its phrases, or its pattern). A required opening
 * (position first) counts in the first sentence only: 欢迎 in 如有疑问欢迎随时联系 at the end opens nothing.
 */
function satisfied(t: Text, rule: InspectionRule): boolean {
  const scope = rule.kind === 'required' && rule.position === 'first' ? new Text(t.raw.slice(0, firstSentence(t.raw)[1])) : t;
  if (rule.phrases.some((p) => scope.contains(p))) return true;
  return rule.pattern ? findAll(rule.pattern, scope.raw).length > 0 : false;
}

function runRule(t: Text, rule: InspectionRule, input: InspectionInput): InspectionHit[] {
  const text = t.raw;
  const out: InspectionHit[] = [];
  switch (rule.kind) {
    case 'phrases': {
      for (const p of rule.phrases) {
        for (const [s, e] of t.occurrences(p)) {
          if (rule.wholeWord && !t.isWord(s, e)) continue;
          if (excepted(t, rule, s, e) || conditional(text, s)) continue;
          out.push(hit(rule, text, s, e));
        }
      }
      break;
    }
    case 'regex':
    case 'pii': {
      if (!rule.pattern) break;
      for (const [s, e] of findAll(rule.pattern, text)) {
        // pii: a number is only a phone / id number when it is not part of a longer digit run (RE2 has no look-around)
        if (rule.kind === 'pii' && (/\d/u.test(text[s - 1] ?? '') || /\d/u.test(text[e] ?? ''))) continue;
        if (excepted(t, rule, s, e)) continue;
        out.push(hit(rule, text, s, e));
      }
      break;
    }
    case 'required':
    case 'empathy': {
      if (!positionApplies(rule, input) || text.trim().length === 0) break;
      if (satisfied(t, rule)) break;
      const [s, e] = rule.position === 'last' ? lastSentence(text) : firstSentence(text);
      out.push(hit(rule, text, s, e));
      break;
    }
    case 'promise': {
      const w = rule.window > 0 ? rule.window : DEFAULT_WINDOW;
      for (const p of rule.phrases) {
        for (const [s, e] of t.occurrences(p)) {
          if (excepted(t, rule, s, e)) continue;
          if (rule.pattern) {
            // The time must be said with the promise: within the window and the same sentence (周末 of 祝您周末愉快 in
            // the next sentence, 48小时 of a test in the one before, are no answer to 回头 / 尽早), and not inside one
            // of the rule's exceptions (周末愉快 within the sentence).
            const [ss, se] = sentenceAround(text, s, e);
            const from = Math.max(ss, s - w);
            const around = text.slice(from, Math.min(se, e + w));
            // the time expression must not be the promise word itself
            const timed = findAll(rule.pattern, around).some(([ms, me]) => (me + from <= s || ms + from >= e) && !excepted(t, rule, ms + from, me + from));
            if (timed) continue;
          }
          out.push(hit(rule, text, s, e));
        }
      }
      break;
    }
  }
  return out;
}

const rank = (h: InspectionHit) => SEVERITIES.indexOf(h.severity);

/** Inspect one message: every applicable rule's hits, by position; one hit per rule and overlapping span. */
export function inspect(rules: readonly InspectionRule[], input: InspectionInput): InspectionHit[] {
  const t = new Text(input.text);
  const all: InspectionHit[] = [];
  for (const rule of rules) if (applies(rule, input)) all.push(...runRule(t, rule, input));
  all.sort((a, b) => a.start - b.start || b.end - a.end || a.rule.localeCompare(b.rule));
  const kept: InspectionHit[] = [];
  for (const h of all) {
    // a longer phrase of the same rule already covers this one (不知道 and 知道 in one list, 不归我管 in 这不归我管)
    if (kept.some((k) => k.rule === h.rule && k.start <= h.start && h.end <= k.end)) continue;
    // …and a longer phrase of a more severe rule is the finding (没办法 inside 我也没办法: blame, not a refusal)
    if (all.some((k) => k !== h && rank(k) > rank(h) && k.start <= h.start && h.end <= k.end && k.end - k.start > h.end - h.start)) continue;
    kept.push(h);
  }
  return kept;
}

/** A rule with every optional field at its default (rule editors and tests write only what they need). */
export function rule(r: Partial<InspectionRule> & Pick<InspectionRule, 'code' | 'kind'>): InspectionRule {
  return {
    severity: 'minor',
    enabled: true,
    audience: 'any',
    phrases: [],
    pattern: null,
    wholeWord: false,
    exceptions: [],
    suggestion: null,
    channels: [],
    ticketTypes: [],
    position: 'any',
    window: DEFAULT_WINDOW,
    ...r,
  };
}
