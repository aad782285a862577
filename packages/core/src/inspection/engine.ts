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
 * (the clause from its start up to the phrase opens with, or holds, a conditional word, or the clause ends in 的话).
 */
function conditional(text: string, start: number, end: number): boolean {
  let i = start - 1;
  while (i >= 0 && !CLAUSE_END.test(text[i]!)) i--;
  const clause = text.slice(i + 1, start);
  if (clause.startsWith('若') || CONDITIONAL.some((w) => clause.includes(w)) || clause.includes('的话')) return true;
  // …or it is the consequence of a condition on the circumstances in the clause before, in the same sentence (如果材料
  // 不齐，窗口无法受理); a condition on the customer's wish still leaves a refusal (如果您着急，这个也不能办)
  if (i >= 0 && /[，,]/u.test(text[i]!)) {
    let k = i - 1;
    while (k >= 0 && !CLAUSE_END.test(text[k]!)) k--;
    const before = text.slice(k + 1, i);
    if ((before.startsWith('若') || CONDITIONAL.some((w) => before.startsWith(w))) && !/您|你/u.test(before)) return true;
  }
  // …or closes with 的话 (您不清楚的话…, 这个时间不行的话…; 网络不好的话没法视频 above)
  let j = end;
  while (j < text.length && !CLAUSE_END.test(text[j]!)) j++;
  return text.slice(end, j).includes('的话');
}

/**
 * Reported speech: a phrase inside a quotation that a reporting verb or a colon introduces (业主表示“这次不能再漏了”,
 * 客户投诉「维修人员不知道去向」, 您说的“不能开发票”) is the customer's or a third party's words, not the staff's.
 */
const QUOTES: Record<string, string> = { '“': '”', '「': '」', '『': '』', '‘': '’', '"': '"', '《': '》' };
const REPORTING_BEFORE_QUOTE =
  /(表示|说|说道|称|反映|反馈|讲|提到|问|问道|抱怨|投诉|留言|写道|认为|觉得|喊|嚷|质问|强调|要求|声称|回答|答复说|的原话是|原话)(的)?\s*[：:，,]?\s*$|[：:]\s*$/u;

function quoted(text: string, start: number, end: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const ch = text[i]!;
    if (/[\n]/u.test(ch)) return false;
    const close = QUOTES[ch];
    if (close === undefined) continue;
    // an ASCII " opens a quotation only when an even number of them precede it
    if (ch === '"' && (text.slice(0, i).split('"').length - 1) % 2 === 1) continue;
    const j = text.indexOf(close, i + 1);
    if (j < 0 || j < end) return false;
    return REPORTING_BEFORE_QUOTE.test(text.slice(Math.max(0, i - 12), i));
  }
  return false;
}

/**
 * A third party is the subject of the clause: 业主不清楚缴费流程, 客户来电说不知道取件码, 快递员不知道门牌号 — or a
 * colleague or the customer reports it (师傅说今天不能来, 您刚才说不知道怎么操作; 师傅今天不能来 without a reporting
 * verb is the service's own word): the words
 * are about (or of) someone else, unless the staff (我 / 我们 / 咱们) speak after the third party is named.
 */
const THIRD_PARTY =
  /(业主|客户|住户|租户|用户|顾客|访客|来访人|来电|居民|家属|对方|邻居|楼上|楼下|他们|她们|(?<!其)他|她|居委会|业委会|快递员|快递小哥|外卖员|开发商|施工方|施工队|厂家|厂商|商家|供应商|运营商|房东|中介|来电人|投诉人|报修人|(师傅|工人|维修工|维修人员|工程师|保安|保洁员?|同事|领导|经理)[^，。！？,!?；;]{0,4}(说|表示|称|反映|反馈|讲)|(您|你)[^，。！？,!?；;]{0,3}(说|提到|反映|表示|问))/gu;
const FIRST_PERSON = /我|咱|本人|本部门|我司|我方/u;
/** A third party (not the customer addressed as 您) and a reporting verb: 业主表示…, 客户来电称…, 师傅说… */
const REPORTED =
  /(业主|客户|住户|租户|用户|顾客|访客|居民|家属|对方|邻居|来电人|投诉人|报修人|师傅|工程师|保安|同事|他|她|来电)[^，。！？,!?；;]{0,6}(说|表示|称|反映|反馈|讲|提到|投诉)/gu;

function thirdPartySubject(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && !CLAUSE_END.test(text[i]!)) i--;
  const clause = text.slice(i + 1, start);
  let last = -1;
  let lastLen = 0;
  for (const m of clause.matchAll(THIRD_PARTY)) {
    last = m.index;
    lastLen = m[0].length;
  }
  if (last >= 0 && !FIRST_PERSON.test(clause.slice(last + lastLen))) return true;
  // reported speech reaches over the clause to the end of its sentence (业主表示楼道灯不亮，不知道是谁关的)
  const [s] = sentenceAround(text, start, start);
  const before = text.slice(s, start);
  let said = -1;
  for (const m of before.matchAll(REPORTED)) said = m.index + m[0].length;
  return said >= 0 && !FIRST_PERSON.test(before.slice(said));
}

/**
 * A polite question (不知道您明天是否方便？ 不清楚这样安排可以吗？): the phrase is followed by 您 / 是否 / 能否… in a
 * sentence that ends in ？, or its sentence asks politely (是否 / 能否 / 可以吗 / 方便 … ending in ？). A rhetorical
 * 您当时没看合同吗？ is no polite question.
 */
const POLITE_AFTER = /^(您|你|是否|能否|可否|有没有|方不方便|方便|要不要)/u;
const QUESTION_REST = /(是否|能否|可否|好不好|行不行|可不可以|可以吗|好吗|行吗|方便)[^。！!；;\n]{0,8}[？?]/u;

function politeQuestion(text: string, end: number): boolean {
  const rest = text.slice(end);
  const m = /[。！？!?；;\n]/u.exec(rest);
  const sentence = m ? rest.slice(0, m.index + 1) : rest;
  // 不知道您…？ asks; 帮不了您。 / 不能给您。 refuse
  if (POLITE_AFTER.test(rest) && /[？?]$/u.test(sentence)) return true;
  // the question must be the phrase's own clause: 不能给您退，您看可以吗？ still refuses
  const c = /[，,。！？!?；;\n]/u.exec(rest);
  return QUESTION_REST.test(c ? rest.slice(0, c.index + 1) : rest);
}

/**
 * Advice, a rule or a limit, not a refusal: 千万不能错过 / 为了安全… / 温馨提示… earlier in the sentence, or the phrase
 * followed by a word of carelessness (不能忘记, 不能大意), or a comparison later in its clause (不能超过, 不能放在快递柜超过48小时).
 */
const ADVICE_BEFORE =
  /(为防|防止|谨防|以防|千万|切记|切勿|务必|记得|记住|提醒您|提醒大家|温馨提示|注意|以免|为了[^，。！？,!?；;]{0,6}安全|为安全|安全起见|请勿|(不用|不必|别|无需)担心)/u;
const CARELESS_AFTER = /^(忘|错过|遗漏|漏掉|大意|马虎|疏忽|掉以轻心|松懈|混放|混投)/u;
const LIMIT_IN_CLAUSE = /超过|超出|超载|高于|低于|少于|多于|大于|小于|早于|晚于/u;

function advice(text: string, start: number, end: number): boolean {
  const [s] = sentenceAround(text, start, end);
  if (ADVICE_BEFORE.test(text.slice(s, start)) || CARELESS_AFTER.test(text.slice(end))) return true;
  let j = end;
  while (j < text.length && !CLAUSE_END.test(text[j]!)) j++;
  return LIMIT_IN_CLAUSE.test(text.slice(end, j));
}

/** An attributive use names a topic or people, states nothing: 有不了解的地方, 不清楚之处, 不了解情况的邻居, 换不了的配件. */
const ATTRIBUTIVE_AFTER =
  /^(的)?(地方|之处|内容|部分|事项|环节)|^的(情况|时候|配件|零件|东西|商品|订单)|^[^，。！？,!?；;]{0,4}的(人|业主|邻居|朋友|客户|住户|居民|同事|用户|家人|租户|访客)/u;

/**
 * A rule stated generally, not a refusal: a bare modal (不能 / 不可以 / 不得…) in a sentence that addresses no one and
 * points at nothing — no 您 / 你 / 我 / 咱 / 这 / 那 / 此 (药品类商品拆封后不能退换, 热水器不能空烧) — while 不行，这个不能给您延期
 * and 这个不能退 refuse the customer's request.
 */
const MODAL = /^(不能|不可以|不可|不得|不允许)$/u;
const ADDRESSED = /您|你|我|咱|这|那|此|本/u;
/** …and a rule holds at any time for anyone: a day, a moment or a person named makes it a refusal (师傅今天不能来). */
const SPECIFIC = /今天|明天|后天|今晚|周末|周[一二三四五六日天]|下周|现在|目前|暂时|师傅|工作人员|\d+\s*[日号点]/u;

const REQUEST_VERB = /^(退|换|补|办|批|改|给|满足|恢复|处理|延期|赔|报销|开|通过|取消|撤销|受理|兑|转|还|免|减|返|提现|提前)/u;
const ALTERNATIVE = /可以|可|如需|请|欢迎|建议/u;

/** 不予退还 / 一律不退: the act is in the words themselves. */
const POLICY_WORD = /^(不予|一律不|一概不|概不)/u;

function generalRule(text: string, start: number, end: number): boolean {
  const word = text.slice(start, end);
  const policy = POLICY_WORD.test(word);
  if (!policy && !MODAL.test(word)) return false;
  const [s, e] = sentenceAround(text, start, end);
  if (ADDRESSED.test(text.slice(s, e)) || SPECIFIC.test(text.slice(s, e))) return false;
  // …and either no requested act follows (热水器不能空烧) or the sentence goes on to what is possible (…拆封后不能退换，
  // 未拆封的可以…; 定金一经支付不予退还，尾款可以分期); 积分不能换现金 / 退款申请不能通过 refuse
  if (!policy && !REQUEST_VERB.test(text.slice(end))) return true;
  let j = end;
  while (j < e && !CLAUSE_END.test(text[j]!)) j++;
  return ALTERNATIVE.test(text.slice(j, e));
}

/**
 * Not knowing, said together with the commitment to find out within a time (具体比例我现在还不清楚，我查一下条款，10分钟内
 * 回复您): the right behaviour, not a 不知道 that leaves the customer alone.
 */
const UNCERTAIN = /知道|清楚|了解|晓得|掌握|确定|熟悉|听说/u;
const FIND_OUT = /查一下|查询一下|帮您查|给您查|去查|核实|确认一下|问一下|了解一下|咨询一下|打听|排查|告诉您|答复您|回复您|通知您|给您答复|给您回复/u;
const FOLLOW_UP_TIME = /(\d+|[一二两三四五六七八九十半])\s*(个)?\s*(分钟|小时|钟头|个?工作日|天)|今天|今晚|明天|上午|下午|\d{1,2}\s*(点|[:：]\d{2})/u;

function followedUp(text: string, start: number, end: number): boolean {
  if (!UNCERTAIN.test(text.slice(start, end))) return false;
  const [, e] = sentenceAround(text, start, end);
  const rest = text.slice(end, e);
  return FIND_OUT.test(rest) && FOLLOW_UP_TIME.test(rest);
}

/** The staff's own statement: not a hypothesis, reported speech, a third party's, a polite question or advice. */
function ownStatement(text: string, start: number, end: number): boolean {
  return !(
    generalRule(text, start, end) ||
    followedUp(text, start, end) ||
    conditional(text, start, end) ||
    quoted(text, start, end) ||
    thirdPartySubject(text, start) ||
    politeQuestion(text, end) ||
    advice(text, start, end) ||
    ATTRIBUTIVE_AFTER.test(text.slice(end))
  );
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
          if (excepted(t, rule, s, e) || !ownStatement(text, s, e)) continue;
          out.push(hit(rule, text, s, e));
        }
      }
      // a phrases rule may also have a pattern (RE2) for wordings a list cannot enumerate (您自己 + 没/不…): its
      // matches go through the same exceptions and context checks
      if (rule.pattern) {
        for (const [s, e] of findAll(rule.pattern, text)) {
          if (excepted(t, rule, s, e) || !ownStatement(text, s, e)) continue;
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
        // a regex rule reads the staff's own words too (not a quote of the customer's)
        if (rule.kind === 'regex' && (quoted(text, s, e) || conditional(text, s, e))) continue;
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
          // 马上就要入冬了 / 马上就到春节了: a coming event, not a promise (师傅马上就到 / 马上就来 still promise)
          if (COMING_EVENT.test(text.slice(e))) continue;
          // 昨天不能及时回复您 / 没有及时处理: a regret about the past, not a promise
          if (NEGATED_BEFORE.test(text.slice(Math.max(0, s - 2), s))) continue;
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

/** A promise word right after a negation is a regret (昨天不能及时回复您). */
const NEGATED_BEFORE = /(不能|没能|未能|没有|不够|[未没])$/u;
/** After 马上 / 很快…: 就要 / 就到 + an event + 了 (not 到 / 来 or a place — 就到您家楼下了: those are the promise). */
const COMING_EVENT =
  /^(就)?(要|到)(?!(到|来)(了|[，。！？,!?；;]|$))(?![^，。！？,!?；;]{0,6}(您|你|家|楼|门口|小区|现场|店))[^，。！？,!?；;]{1,8}了|^(就)?(要)?(到期|过期|截止|结束|开学|放假)/u;

const rank = (h: InspectionHit) => SEVERITIES.indexOf(h.severity);
/** Two hits of one rule this close in one sentence are one finding (不行，这个不能给您延期). */
const JOIN_GAP = 4;
/** No sentence end between the end of one hit (its own last character included) and the start of the next. */
const sameSentence = (text: string, end: number, start: number) => !SENTENCE_END.test(text.slice(Math.max(0, end - 1), start));

/** Inspect one message: every applicable rule's hits, by position; one hit per rule and overlapping span. */
export function inspect(rules: readonly InspectionRule[], input: InspectionInput): InspectionHit[] {
  const t = new Text(input.text);
  const phrasal = new Set(rules.filter((r) => r.kind === 'phrases').map((r) => r.code));
  const all: InspectionHit[] = [];
  for (const rule of rules) if (applies(rule, input)) all.push(...runRule(t, rule, input));
  all.sort((a, b) => a.start - b.start || b.end - a.end || a.rule.localeCompare(b.rule));
  const kept: InspectionHit[] = [];
  for (const h of all) {
    // a longer phrase (or pattern match) of the same rule already covers this one or overlaps it (不归我管 in 这不归我管)
    if (kept.some((k) => k.rule === h.rule && k.start < h.end && h.start < k.end)) continue;
    // Forbidden wordings (phrases rules) said together are one utterance: a less severe one right after a more severe one
    // in the same sentence is part of it (这是规定，没得商量: blame), and one of the same rule right after it makes its
    // span grow (不行，这个不能给您延期)
    const joined = (k: InspectionHit) =>
      phrasal.has(k.rule) && phrasal.has(h.rule) && k.end <= h.start && h.start - k.end <= JOIN_GAP && sameSentence(input.text, k.end, h.start);
    if (all.some((k) => k !== h && rank(k) > rank(h) && joined(k))) continue;
    const near = kept.find((k) => k.rule === h.rule && joined(k));
    if (near) {
      near.end = Math.max(near.end, h.end);
      near.excerpt = excerpt(input.text, near.start, near.end);
      continue;
    }
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
