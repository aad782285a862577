import { z } from 'zod';
import { TIERS } from '../customers/customers.schema';
import { orgTimeZone } from '../../lib/timezone';
import { CLOCK_EVENT_KINDS, ENGINE_EVENT_KINDS } from '../tickets/ticket-event-kinds';

/** Ticket statuses a clock may pause in (pauseWhile). */
export const TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export const TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency', 'internal'] as const;
/** Types of internal work (内部工单): a scope without a type list never applies to them (appliesToTicket). */
export const INTERNAL_TICKET_TYPES: readonly string[] = ['internal'];
export const TICKET_CHANNELS = ['portal', 'phone', 'walk_in', 'email', 'chat', 'wechat', 'api', 'dingtalk'] as const;
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const NOTIFY_ROLES = ['owner', 'supervisor', 'director', 'admin'] as const;
export const MEASURES = ['timer', 'audit', 'survey', 'operating_data', 'count'] as const;

/**
 * Events a clock can start or stop on: the one list of ticket event kinds (tickets/ticket-event-kinds.ts) but the
 * engine's own events (standard.*, ticket.escalated), which cannot start or stop a clock. `recovery.*`, `survey.*`
 * and `ticket.revisited` are emitted by the closed-loop flows (surveys, low-score recovery, revisits).
 */
export const KNOWN_CLOCK_EVENTS = CLOCK_EVENT_KINDS;
export const ENGINE_EVENTS: ReadonlySet<string> = new Set<string>(ENGINE_EVENT_KINDS);

export interface AppliesTo {
  types?: string[] | undefined;
  priorities?: string[] | undefined;
  tiers?: string[] | undefined;
  channels?: string[] | undefined;
  teams?: string[] | undefined;
  vip?: boolean | undefined;
  /** true: only tickets of customers needing one-to-one help (需一对一帮办); false: only the others. */
  assistance?: boolean | undefined;
}

export interface EscalationStep {
  afterBreachSeconds: number;
  notifyRole: (typeof NOTIFY_ROLES)[number];
}

/** What a standard version stores (standard_versions.definition). Arrays are normalised; see present() for the API shape. */
export interface StandardDefinition {
  name: string;
  encounter: string;
  kind: 'hard' | 'soft';
  description: string | null;
  measure: (typeof MEASURES)[number];
  target: number;
  /** Timed standards only (measure = timer). */
  start: string[];
  stop: string[];
  pauseWhile: string[];
  deadline: DeadlineKind;
  limitSeconds: number | null;
  calendarId: string | null;
  calendarSource: 'standard' | 'ticket';
  /** Zone of the 24×7 clock when calendarId is null (matters for end_of_business_day). */
  timeZone: string;
  appliesTo: AppliesTo;
  warnAtPercent: number[];
  escalation: EscalationStep[];
  recurring: boolean;
  maxCycles: number | null;
  sqiWeight: number;
  /**
   * Soft standards: the survey answer that measures them — `mean` (the average answer ≥ threshold) or `share` (the
   * share of answers ≥ threshold compared with `target`); fewer than `minSample` answers: 样本不足 (neither met nor failed).
   */
  survey: SurveySpec | null;
  /** Measured standards (measure = operating_data): a rate of the measures engine over a period, compared with `target`. */
  rate?: RateSpec | null;
  /** Counted, time-of-day and checkpoint fields (absent in versions stored before them: read through the getters below). */
  timeOfDay?: TimeOfDaySpec | null;
  count?: CountSpec | null;
  checkpoint?: CheckpointNode | null;
  /** Audit standards judged from a checklist step of repair and order tickets (issue #13 item 7). */
  checklist?: ChecklistStep | null;
}

// ── Counted standards, time-of-day deadlines, quality checkpoints (issue #13 items 2, 3, 6) ──
export const DEADLINE_KINDS = ['duration', 'end_of_business_day', 'time_of_day'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
/** What a counted standard counts (visits: no visit is recorded yet — field service will add it). */
export const COUNT_SOURCES = ['ring_count', 'contacts_before_resolution', 'transfers'] as const;
export type CountSource = (typeof COUNT_SOURCES)[number];
export const CHECKPOINT_NODES = ['first_response', 'solution_confirmed', 'resolution_confirmed'] as const;
export type CheckpointNode = (typeof CHECKPOINT_NODES)[number];
/** Checklist steps of repair and order tickets: 报价已告知客户 (before work starts), 已说明作业、保修范围和收费 (before resolve). */
export const CHECKLIST_STEPS = ['cost_quoted', 'work_explained'] as const;
export type ChecklistStep = (typeof CHECKLIST_STEPS)[number];
/** The ticket types that carry the checklist. */
export const CHECKLIST_TICKET_TYPES = ['repair', 'order'] as const;
export interface TimeOfDaySpec {
  at: string;
  businessDaysAfter: number;
  cutoff: string | null;
}
export interface CountSpec {
  source: CountSource;
  /** Inclusive: observed ≤ limit is met. */
  limit: number;
}
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');
export const TimeOfDaySchema = z
  .object({
    at: z.union([hhmm, z.literal('end_of_day')]).describe("local time on the target day, or end_of_day = the close of that day's business hours"),
    businessDaysAfter: z.number().int().min(0).max(30).default(0).describe("business days after the start's business day (0 = the same day)"),
    cutoff: hhmm.nullable().optional().describe('a start at or after this local time counts from the next business day'),
  })
  .strict()
  .describe('time_of_day deadlines: 10:30 前送达, 当日办结 (16:00 截止), 预约当日有效');
export const CountSchema = z
  .object({ source: z.enum(COUNT_SOURCES), limit: z.number().int().min(0).max(1000).describe('inclusive: observed ≤ limit is met') })
  .strict()
  .describe('counted standards: compare a recorded count (rings, contacts, transfers) with a limit');
export const timeOfDayOf = (d: StandardDefinition): TimeOfDaySpec | null =>
  d.deadline === 'time_of_day' ? (d.timeOfDay ?? null) : d.deadline === 'end_of_business_day' ? { at: 'end_of_day', businessDaysAfter: 0, cutoff: null } : null;
export const isCounted = (d: StandardDefinition) => d.measure === 'count' && Boolean(d.count);
/** The event on which a counted standard's count is known. */
export const countEventOf = (source: CountSource) => (source === 'ring_count' ? 'ticket.created' : 'ticket.resolved');
const extraFields = {
  timeOfDay: TimeOfDaySchema.nullable().optional(),
  count: CountSchema.nullable().optional(),
  checkpoint: z.enum(CHECKPOINT_NODES).nullable().optional().describe("服务质量监控点: this standard is the checkpoint of a key node of the ticket's flow"),
  checklist: z
    .enum(CHECKLIST_STEPS)
    .nullable()
    .optional()
    .describe('audit standards: judged from this checklist step of resolved repair/order tickets (recorded in time ÷ all)'),
};
type ExtraIn = {
  timeOfDay?: { at: string; businessDaysAfter?: number; cutoff?: string | null | undefined } | null | undefined;
  count?: CountSpec | null | undefined;
  checkpoint?: CheckpointNode | null | undefined;
  checklist?: ChecklistStep | null | undefined;
};
/** The counted / time-of-day / checkpoint part of buildDefinition. */
function buildExtra(input: ExtraIn, b: StandardDefinition | undefined, def: StandardDefinition, errors: { path: string; message: string }[]): void {
  const tod = input.timeOfDay !== undefined ? input.timeOfDay : (b?.timeOfDay ?? null);
  def.timeOfDay = def.deadline === 'time_of_day' && tod ? { at: tod.at, businessDaysAfter: tod.businessDaysAfter ?? 0, cutoff: tod.cutoff ?? null } : null;
  def.count = def.measure === 'count' ? (input.count !== undefined ? input.count : (b?.count ?? null)) : null;
  def.checkpoint = input.checkpoint !== undefined ? input.checkpoint : (b?.checkpoint ?? null);
  def.checklist = def.measure === 'audit' ? (input.checklist !== undefined ? input.checklist : (b?.checklist ?? null)) : null;
  if (input.checklist && def.measure !== 'audit') errors.push({ path: 'checklist', message: 'only audit standards are judged from a checklist step' });
  if (def.measure === 'timer' && def.deadline === 'time_of_day') {
    if (!def.timeOfDay) errors.push({ path: 'timeOfDay', message: 'required for a timed standard with deadline "time_of_day"' });
    if (def.pauseWhile.length)
      errors.push({ path: 'pauseWhile', message: 'a time-of-day deadline does not move while the ticket waits; leave pauseWhile empty' });
  }
  if (def.measure === 'count') {
    if (def.kind !== 'hard') errors.push({ path: 'kind', message: 'a counted standard is hard (counted from operating data)' });
    if (!def.count) errors.push({ path: 'count', message: 'required for measure "count"' });
    if (def.recurring) errors.push({ path: 'recurring', message: 'only timed standards recur' });
  }
  if (def.checkpoint && def.measure !== 'timer' && def.measure !== 'count')
    errors.push({ path: 'checkpoint', message: 'only timed or counted standards can be checkpoints' });
}

// ─── soft and measured standards (issue #13 items 4 and 5) ───
export type SurveySpec = { measure: 'csat' | 'nps' | 'ces'; aggregate: 'mean' | 'share'; threshold: number; minSample: number };
/**
 * Rates of the measures engine a standard can be measured by (numerator / denominator): the rollup rates of
 * `ratesOf` in @chidu/core, and `firstTimeFix` (resolved tickets never reopened / resolved tickets, from the facts).
 */
export const RATE_METRICS = ['fcr', 'firstTimeFix', 'csat', 'complaintResolutionRate', 'recoveryRate', 'standardExecutionRate'] as const;
export type RateSpec = { metric: (typeof RATE_METRICS)[number]; period: 'day' | 'week' | 'month'; minSample: number };
const SurveySchema = z
  .object({
    measure: z.enum(['csat', 'nps', 'ces']),
    aggregate: z.enum(['mean', 'share']).default('share').describe('mean = average answer ≥ threshold; share = share of answers ≥ threshold vs target'),
    threshold: z.number(),
    minSample: z.number().int().min(0).max(100_000).default(1).describe('fewer answers: 样本不足, neither met nor failed'),
  })
  .strict();
const RateSchema = z
  .object({
    metric: z.enum(RATE_METRICS).describe('a rate of the measures engine (numerator / denominator)'),
    period: z.enum(['day', 'week', 'month']).default('month').describe('the period the rate is judged over by default'),
    minSample: z.number().int().min(0).max(100_000).default(1),
  })
  .strict();
/** Stored definitions older than migration 0015 lack aggregate / minSample: they were shares. */
export const surveySpecOf = (d: Pick<StandardDefinition, 'survey'>): SurveySpec | null =>
  d.survey ? { ...d.survey, aggregate: d.survey.aggregate ?? 'share', minSample: d.survey.minSample ?? 1 } : null;

export const isTimed = (d: StandardDefinition) => d.measure === 'timer' && d.start.length > 0 && d.stop.length > 0;

const eventKind = z
  .string()
  .trim()
  .regex(/^[a-z][a-z_]*\.[a-z][a-z_]*$/, 'must be an event kind such as ticket.created')
  .refine((k) => !ENGINE_EVENTS.has(k), "the engine's own events cannot start or stop a clock");
const events = z.union([eventKind, z.array(eventKind).min(1).max(8)]);
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin');

export const AppliesToSchema = z
  .object({
    types: z.array(z.enum(TICKET_TYPES)).max(20).optional(),
    priorities: z.array(z.enum(TICKET_PRIORITIES)).max(10).optional(),
    tiers: z.array(z.enum(TIERS)).max(10).optional(),
    channels: z.array(z.enum(TICKET_CHANNELS)).max(20).optional(),
    teams: z.array(z.uuid()).max(100).optional(),
    vip: z.boolean().optional(),
    assistance: z.boolean().optional().describe('true = only tickets of customers needing one-to-one help (需一对一帮办)'),
  })
  .strict()
  .describe('Conditions a ticket must meet for the clock to start (all given ones; empty = any, but without `types` internal tickets are not timed)');

export const EscalationSchema = z
  .array(
    z
      .object({
        afterBreachSeconds: z
          .number()
          .int()
          .min(0)
          .max(90 * 86400)
          .describe('business seconds after the breach'),
        notifyRole: z.enum(NOTIFY_ROLES),
      })
      .strict(),
  )
  .max(6);

/** Fields of a standard that are versioned (everything except code and active). */
export const StandardFields = z.object({
  name: z.string().trim().min(1).max(200),
  encounter: z.string().trim().min(1).max(100).describe('服务接触: the step of the customer journey, e.g. 电话, 前台, 投诉'),
  kind: z.enum(['hard', 'soft']),
  description: z.string().trim().max(2000).nullable().optional(),
  measure: z.enum(MEASURES).optional().describe('default: timer when start/stop are given, survey for soft, else operating_data'),
  target: z.number().min(0).max(1).default(0.95).describe('target level, e.g. 0.95 = 95% of encounters within the limit'),
  start: events.optional().describe('event that starts the clock (string or list)'),
  stop: events.optional().describe('event that stops the clock (string or list)'),
  pauseWhile: z.array(z.enum(TICKET_STATUSES)).max(7).optional(),
  deadline: z
    .enum(DEADLINE_KINDS)
    .optional()
    .describe('duration = limitSeconds of business time; end_of_business_day = 当日 (same business day); time_of_day = timeOfDay'),
  limitSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86400)
    .nullable()
    .optional(),
  calendarId: z.uuid().nullable().optional().describe('null = 24×7'),
  calendarSource: z
    .enum(['standard', 'ticket'])
    .optional()
    .describe("ticket = the ticket's calendar (customer > tier > site > team > default), falling back to calendarId"),
  timeZone: timeZone.optional(),
  appliesTo: AppliesToSchema.optional(),
  warnAtPercent: z.array(z.number().int().min(1).max(99)).max(5).optional(),
  escalation: EscalationSchema.optional(),
  recurring: z.boolean().optional().describe('restart after each stop event while the ticket is open; ends on resolve/close'),
  maxCycles: z.number().int().min(1).max(1000).nullable().optional(),
  sqiWeight: z.number().min(0).max(1000).optional().describe('weight of this standard in the failure index (SQI)'),
  survey: SurveySchema.nullable().optional(),
  rate: RateSchema.nullable().optional().describe('measured standards (measure operating_data): the rate that measures them'),
  ...extraFields,
});

export const StandardCreate = StandardFields.extend({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _ . or -'),
  active: z.boolean().default(true),
}).strict();
export type StandardCreateInput = z.input<typeof StandardCreate>;

export const StandardPatch = StandardFields.partial().extend({ active: z.boolean().optional() }).strict();
export type StandardPatchInput = z.infer<typeof StandardPatch>;

type FieldsIn = Partial<z.infer<typeof StandardFields>>;

const list = (v: string | string[] | undefined | null): string[] => (v === null || v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]);
const cleanApplies = (a: AppliesTo | undefined): AppliesTo => {
  const out: AppliesTo = {};
  for (const k of ['types', 'priorities', 'tiers', 'channels', 'teams'] as const) if (a?.[k]?.length) out[k] = [...new Set(a[k])];
  if (a?.vip !== undefined) out.vip = a.vip;
  if (a?.assistance !== undefined) out.assistance = a.assistance;
  return out;
};

/** Build a full definition from validated input (on top of a previous version for PATCH); returns field errors. */
export function buildDefinition(input: FieldsIn, base?: StandardDefinition): { def: StandardDefinition; errors: { path: string; message: string }[] } {
  const b = base;
  const startGiven = input.start !== undefined;
  const stopGiven = input.stop !== undefined;
  let start = startGiven ? list(input.start) : (b?.start ?? []);
  let stop = stopGiven ? list(input.stop) : (b?.stop ?? []);
  const kind = input.kind ?? b?.kind ?? 'hard';
  const measure =
    input.measure ??
    (startGiven || stopGiven ? 'timer' : undefined) ??
    b?.measure ??
    (start.length || stop.length ? 'timer' : kind === 'soft' ? 'survey' : 'operating_data');
  // Switching an existing timed standard to another measure drops its clock events.
  if (measure !== 'timer' && !startGiven && !stopGiven) {
    start = [];
    stop = [];
  }
  const timedInput = start.length > 0 || stop.length > 0;
  const def: StandardDefinition = {
    name: input.name ?? b?.name ?? '',
    encounter: input.encounter ?? b?.encounter ?? '',
    kind,
    description: input.description !== undefined ? (input.description ?? null) : (b?.description ?? null),
    measure,
    target: input.target ?? b?.target ?? 0.95,
    start,
    stop,
    pauseWhile: input.pauseWhile !== undefined ? [...new Set(input.pauseWhile)] : (b?.pauseWhile ?? []),
    deadline: input.deadline ?? b?.deadline ?? 'duration',
    limitSeconds: input.limitSeconds !== undefined ? input.limitSeconds : (b?.limitSeconds ?? null),
    calendarId: input.calendarId !== undefined ? input.calendarId : (b?.calendarId ?? null),
    calendarSource: input.calendarSource ?? b?.calendarSource ?? 'standard',
    timeZone: input.timeZone ?? b?.timeZone ?? orgTimeZone(),
    appliesTo: input.appliesTo !== undefined ? cleanApplies(input.appliesTo) : (b?.appliesTo ?? {}),
    warnAtPercent: input.warnAtPercent !== undefined ? [...new Set(input.warnAtPercent)].sort((x, y) => x - y) : (b?.warnAtPercent ?? []),
    escalation: input.escalation !== undefined ? [...input.escalation].sort((x, y) => x.afterBreachSeconds - y.afterBreachSeconds) : (b?.escalation ?? []),
    recurring: input.recurring ?? b?.recurring ?? false,
    maxCycles: input.maxCycles !== undefined ? input.maxCycles : (b?.maxCycles ?? null),
    sqiWeight: input.sqiWeight ?? b?.sqiWeight ?? 1,
    survey: input.survey !== undefined ? input.survey : (b?.survey ?? null),
    rate: input.rate !== undefined ? input.rate : (b?.rate ?? null),
  };
  const errors: { path: string; message: string }[] = [];
  if (def.measure === 'timer') {
    if (def.kind !== 'hard') errors.push({ path: 'kind', message: 'a timed standard is hard (counted from operating data)' });
    if (def.start.length === 0) errors.push({ path: 'start', message: 'a timed standard needs a start event' });
    if (def.stop.length === 0) errors.push({ path: 'stop', message: 'a timed standard needs a stop event' });
    for (const s of def.start) if (def.stop.includes(s)) errors.push({ path: 'stop', message: `${s} cannot both start and stop the clock` });
    if (def.deadline === 'duration' && (def.limitSeconds === null || def.limitSeconds === undefined)) {
      errors.push({ path: 'limitSeconds', message: 'required for a timed standard with deadline "duration"' });
    }
    if (def.maxCycles !== null && def.maxCycles !== undefined && !def.recurring) errors.push({ path: 'maxCycles', message: 'only for recurring standards' });
  } else if (timedInput) {
    errors.push({ path: startGiven ? 'start' : 'stop', message: `measure "${def.measure}" has no clock; use measure "timer"` });
  }
  if (def.recurring && def.measure !== 'timer') errors.push({ path: 'recurring', message: 'only timed standards recur' });
  if (def.survey && def.kind !== 'soft') errors.push({ path: 'survey', message: 'only soft standards are measured by surveys' });
  if (def.rate && def.measure !== 'operating_data') errors.push({ path: 'rate', message: 'only operating-data standards are measured by a rate' });
  if (def.survey && def.survey.aggregate === 'mean') {
    const max = { csat: 5, nps: 10, ces: 7 }[def.survey.measure];
    if (def.survey.threshold > max || def.survey.threshold < 0) errors.push({ path: 'survey.threshold', message: `a mean is between 0 and ${max}` });
  }
  buildExtra(input, b, def, errors);
  return { def, errors };
}

/** The API shape of a definition: single events as a string, as the contract writes them. */
export function presentDefinition(d: StandardDefinition) {
  const one = (v: string[]) => (v.length === 0 ? null : v.length === 1 ? v[0]! : v);
  return {
    name: d.name,
    encounter: d.encounter,
    kind: d.kind,
    description: d.description,
    measure: d.measure,
    target: d.target,
    timed: isTimed(d),
    start: one(d.start),
    stop: one(d.stop),
    pauseWhile: d.pauseWhile,
    deadline: d.deadline,
    limitSeconds: d.limitSeconds,
    calendarId: d.calendarId,
    calendarSource: d.calendarSource,
    timeZone: d.timeZone,
    appliesTo: d.appliesTo,
    warnAtPercent: d.warnAtPercent,
    escalation: d.escalation,
    recurring: d.recurring,
    maxCycles: d.maxCycles,
    sqiWeight: d.sqiWeight,
    survey: surveySpecOf(d),
    rate: d.rate ?? null,
    timeOfDay: d.timeOfDay ?? null,
    count: d.count ?? null,
    checkpoint: d.checkpoint ?? null,
    checklist: d.checklist ?? null,
  };
}

/**
 * Does a standard apply to a ticket as it is now? All given conditions must hold. A scope without a type list applies
 * to customer types only: an internal ticket is timed only by a standard that names `internal`.
 */
export function appliesToTicket(
  a: AppliesTo,
  t: { type: string; priority: string; customerTier: string; channel: string; teamId: string | null; customerVip: boolean; customerAssistance?: boolean },
): boolean {
  if (a.types?.length ? !a.types.includes(t.type) : INTERNAL_TICKET_TYPES.includes(t.type)) return false;
  if (a.priorities?.length && !a.priorities.includes(t.priority)) return false;
  if (a.tiers?.length && !a.tiers.includes(t.customerTier)) return false;
  if (a.channels?.length && !a.channels.includes(t.channel)) return false;
  if (a.teams?.length && (!t.teamId || !a.teams.includes(t.teamId))) return false;
  if (a.vip !== undefined && a.vip !== t.customerVip) return false;
  if (a.assistance !== undefined && a.assistance !== (t.customerAssistance ?? false)) return false;
  return true;
}
