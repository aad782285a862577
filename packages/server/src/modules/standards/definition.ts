import { z } from 'zod';
import { TIERS } from '../customers/customers.schema';

/** Ticket statuses a clock may pause in (pauseWhile). */
export const TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export const TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency'] as const;
export const TICKET_CHANNELS = ['portal', 'phone', 'walk_in', 'email', 'chat', 'wechat', 'api'] as const;
export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const NOTIFY_ROLES = ['owner', 'supervisor', 'director', 'admin'] as const;
export const MEASURES = ['timer', 'audit', 'survey', 'operating_data'] as const;

/**
 * Events a clock can start or stop on. Ticket events come from the tickets module; `recovery.*`, `survey.*` and
 * `ticket.revisited` are emitted by the closed-loop flows (surveys, low-score recovery, revisits).
 * The engine's own events (standard.*, ticket.escalated) cannot start or stop a clock.
 */
export const KNOWN_CLOCK_EVENTS = [
  'ticket.created', 'ticket.assigned', 'ticket.taken', 'ticket.first_public_reply', 'ticket.public_reply', 'ticket.customer_reply',
  'ticket.resolved', 'ticket.closed', 'ticket.reopened', 'ticket.status_changed', 'ticket.priority_changed', 'ticket.team_transferred',
  'ticket.handover_confirmed', 'ticket.customer_confirmed', 'ticket.order_confirmed', 'ticket.revisited',
  'recovery.opened', 'recovery.contacted', 'recovery.solution_proposed', 'recovery.revisited', 'survey.answered',
] as const;
export const ENGINE_EVENTS = new Set(['standard.warning', 'standard.breached', 'ticket.escalated']);

export interface AppliesTo {
  types?: string[] | undefined;
  priorities?: string[] | undefined;
  tiers?: string[] | undefined;
  channels?: string[] | undefined;
  teams?: string[] | undefined;
  vip?: boolean | undefined;
}

export interface EscalationStep { afterBreachSeconds: number; notifyRole: (typeof NOTIFY_ROLES)[number] }

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
  deadline: 'duration' | 'end_of_business_day';
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
  /** Soft standards: the survey answer that measures them. */
  survey: { measure: 'csat' | 'nps' | 'ces'; threshold: number } | null;
}

export const isTimed = (d: StandardDefinition) => d.measure === 'timer' && d.start.length > 0 && d.stop.length > 0;

const eventKind = z.string().trim().regex(/^[a-z][a-z_]*\.[a-z][a-z_]*$/, 'must be an event kind such as ticket.created')
  .refine((k) => !ENGINE_EVENTS.has(k), 'the engine\'s own events cannot start or stop a clock');
const events = z.union([eventKind, z.array(eventKind).min(1).max(8)]);
const timeZone = z.string().min(1).max(64).refine((tz) => {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}, 'must be an IANA time zone such as Asia/Shanghai');

export const AppliesToSchema = z.object({
  types: z.array(z.enum(TICKET_TYPES)).max(20).optional(),
  priorities: z.array(z.enum(TICKET_PRIORITIES)).max(10).optional(),
  tiers: z.array(z.enum(TIERS)).max(10).optional(),
  channels: z.array(z.enum(TICKET_CHANNELS)).max(20).optional(),
  teams: z.array(z.uuid()).max(100).optional(),
  vip: z.boolean().optional(),
}).strict().describe('Conditions a ticket must meet for the clock to start (all given ones; empty = any)');

export const EscalationSchema = z.array(z.object({
  afterBreachSeconds: z.number().int().min(0).max(90 * 86400).describe('business seconds after the breach'),
  notifyRole: z.enum(NOTIFY_ROLES),
}).strict()).max(6);

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
  deadline: z.enum(['duration', 'end_of_business_day']).optional().describe('duration = limitSeconds of business time; end_of_business_day = 当日 (same business day)'),
  limitSeconds: z.number().int().min(1).max(366 * 86400).nullable().optional(),
  calendarId: z.uuid().nullable().optional().describe('null = 24×7'),
  calendarSource: z.enum(['standard', 'ticket']).optional().describe("ticket = the ticket's calendar (customer > tier > site > team > default), falling back to calendarId"),
  timeZone: timeZone.optional(),
  appliesTo: AppliesToSchema.optional(),
  warnAtPercent: z.array(z.number().int().min(1).max(99)).max(5).optional(),
  escalation: EscalationSchema.optional(),
  recurring: z.boolean().optional().describe('restart after each stop event while the ticket is open; ends on resolve/close'),
  maxCycles: z.number().int().min(1).max(1000).nullable().optional(),
  sqiWeight: z.number().min(0).max(1000).optional().describe('weight of this standard in the failure index (SQI)'),
  survey: z.object({ measure: z.enum(['csat', 'nps', 'ces']), threshold: z.number() }).strict().nullable().optional(),
});

export const StandardCreate = StandardFields.extend({
  code: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _ . or -'),
  active: z.boolean().default(true),
}).strict();
export type StandardCreateInput = z.input<typeof StandardCreate>;

export const StandardPatch = StandardFields.partial().extend({ active: z.boolean().optional() }).strict();
export type StandardPatchInput = z.infer<typeof StandardPatch>;

type FieldsIn = Partial<z.infer<typeof StandardFields>>;

const list = (v: string | string[] | undefined | null): string[] => (v == null ? [] : Array.isArray(v) ? [...new Set(v)] : [v]);
const cleanApplies = (a: AppliesTo | undefined): AppliesTo => {
  const out: AppliesTo = {};
  for (const k of ['types', 'priorities', 'tiers', 'channels', 'teams'] as const) if (a?.[k]?.length) out[k] = [...new Set(a[k])];
  if (a?.vip !== undefined) out.vip = a.vip;
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
  const measure = input.measure ?? ((startGiven || stopGiven) ? 'timer' : undefined) ?? b?.measure
    ?? (start.length || stop.length ? 'timer' : kind === 'soft' ? 'survey' : 'operating_data');
  // Switching an existing timed standard to another measure drops its clock events.
  if (measure !== 'timer' && !startGiven && !stopGiven) { start = []; stop = []; }
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
    timeZone: input.timeZone ?? b?.timeZone ?? 'Asia/Shanghai',
    appliesTo: input.appliesTo !== undefined ? cleanApplies(input.appliesTo) : (b?.appliesTo ?? {}),
    warnAtPercent: input.warnAtPercent !== undefined ? [...new Set(input.warnAtPercent)].sort((x, y) => x - y) : (b?.warnAtPercent ?? []),
    escalation: input.escalation !== undefined ? [...input.escalation].sort((x, y) => x.afterBreachSeconds - y.afterBreachSeconds) : (b?.escalation ?? []),
    recurring: input.recurring ?? b?.recurring ?? false,
    maxCycles: input.maxCycles !== undefined ? input.maxCycles : (b?.maxCycles ?? null),
    sqiWeight: input.sqiWeight ?? b?.sqiWeight ?? 1,
    survey: input.survey !== undefined ? input.survey : (b?.survey ?? null),
  };
  const errors: { path: string; message: string }[] = [];
  if (def.measure === 'timer') {
    if (def.kind !== 'hard') errors.push({ path: 'kind', message: 'a timed standard is hard (counted from operating data)' });
    if (def.start.length === 0) errors.push({ path: 'start', message: 'a timed standard needs a start event' });
    if (def.stop.length === 0) errors.push({ path: 'stop', message: 'a timed standard needs a stop event' });
    for (const s of def.start) if (def.stop.includes(s)) errors.push({ path: 'stop', message: `${s} cannot both start and stop the clock` });
    if (def.deadline === 'duration' && def.limitSeconds == null) errors.push({ path: 'limitSeconds', message: 'required for a timed standard with deadline "duration"' });
    if (def.maxCycles != null && !def.recurring) errors.push({ path: 'maxCycles', message: 'only for recurring standards' });
  } else if (timedInput) {
    errors.push({ path: startGiven ? 'start' : 'stop', message: `measure "${def.measure}" has no clock; use measure "timer"` });
  }
  if (def.recurring && def.measure !== 'timer') errors.push({ path: 'recurring', message: 'only timed standards recur' });
  if (def.survey && def.kind !== 'soft') errors.push({ path: 'survey', message: 'only soft standards are measured by surveys' });
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
    survey: d.survey,
  };
}

/** Does a standard apply to a ticket as it is now? All given conditions must hold. */
export function appliesToTicket(a: AppliesTo, t: { type: string; priority: string; customerTier: string; channel: string; teamId: string | null; customerVip: boolean }): boolean {
  if (a.types?.length && !a.types.includes(t.type)) return false;
  if (a.priorities?.length && !a.priorities.includes(t.priority)) return false;
  if (a.tiers?.length && !a.tiers.includes(t.customerTier)) return false;
  if (a.channels?.length && !a.channels.includes(t.channel)) return false;
  if (a.teams?.length && (!t.teamId || !a.teams.includes(t.teamId))) return false;
  if (a.vip !== undefined && a.vip !== t.customerVip) return false;
  return true;
}
