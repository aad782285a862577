/**
 * Per-ticket facts for the measures, computed from the source of truth (tickets, customers, events, standard
 * instances, calendars), and the incremental rollup: stored facts (old) vs recomputed facts (new) → counter deltas
 * applied to every rollup cube. Used by the worker (a few tickets per transaction) and by the full rebuild.
 */
import { sql } from 'drizzle-orm';
import { bucketize, contributions, COUNTERS, isFirstContactResolution, type Counters, type TicketBundle } from '@chidu/core/measures/index';
import { TWENTY_FOUR_SEVEN, type BusinessCalendar } from '@chidu/core/calendar/index';
import type { Executor } from '../../db/client';
import { allDayCalendar, calendarOf, type CalendarRow } from '../calendars/calendar-cache';
import { ASSIGNMENT_PRECEDENCE } from '../calendars/calendars.repo';
import { orgTimeZone } from '../../lib/timezone';
import { outcomeSql } from '../standards/standards.compliance.repo';

const HOUR = 3_600_000;

/** Dimensions a ticket's contributions are filed under (its current values). */
export interface Dims {
  teamId: string | null;
  ownerId: string | null;
  channel: string;
  type: string;
  tier: string;
  categoryId: string | null;
  site: string | null;
}
export interface FactRow extends Dims {
  ticketId: string;
  number: string;
  status: string;
  createdAt: Date;
  resolvedAt: Date | null;
  reopenCount: number;
  handoverCount: number;
  teamTransferCount: number;
  staffPublicReplyCount: number;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  calendarId: string | null;
  fcr: boolean;
}
export interface StoredBundle {
  fact: FactRow;
  bundle: TicketBundle;
  answers: { eventId: number; at: Date; csat: number | null; nps: number | null; ces: number | null; lowScore: boolean }[];
  outcomes: { instanceId: string; standardId: string; endedAt: Date; met: boolean }[];
  recoveries: { caseId: string; closedAt: Date; recovered: boolean }[];
}

// ───────────────────────────── cubes ─────────────────────────────

export type DimName = 'team' | 'owner' | 'channel' | 'type' | 'tier';
export interface Cube {
  id: number;
  grain: 'hour' | 'day';
  dims: readonly DimName[];
}
/** Smallest first within a grain: the planner takes the first cube that covers a query. */
export const CUBES: readonly Cube[] = [
  { id: 5, grain: 'day', dims: [] },
  { id: 3, grain: 'day', dims: ['team'] },
  { id: 4, grain: 'day', dims: ['owner'] },
  { id: 2, grain: 'day', dims: ['team', 'channel', 'type', 'tier'] },
  { id: 1, grain: 'hour', dims: ['team', 'owner', 'channel', 'type', 'tier'] },
];
export const dimValue = (d: Dims, n: DimName): string | null =>
  n === 'team' ? d.teamId : n === 'owner' ? d.ownerId : n === 'channel' ? d.channel : n === 'type' ? d.type : d.tier;

/** The reporting time zone of the day cubes (CHIDU_MEASURES_TZ, default: the organisation's time zone). */
export const reportingTz = () => process.env.CHIDU_MEASURES_TZ || orgTimeZone();
const dayStartCache = new Map<string, number>();
/** Start (epoch ms) of the local day containing `ms` in `tz`. */
export function dayStart(ms: number, tz = reportingTz()): number {
  const hourKey = `${tz}:${Math.floor(ms / HOUR)}`;
  let v = dayStartCache.get(hourKey);
  if (v === undefined) {
    const cal = allDayCalendar(tz);
    v = cal.dayInfo(cal.localDate(ms)).intervals[0]![0];
    if (dayStartCache.size > 200_000) dayStartCache.clear();
    dayStartCache.set(hourKey, v);
  }
  return v;
}
export const hourStart = (ms: number) => Math.floor(ms / HOUR) * HOUR;
export const bucketFn = (c: Cube) => (c.grain === 'hour' ? hourStart : (ms: number) => dayStart(ms));

// ───────────────────────────── facts from the sources ─────────────────────────────

const ms = (v: Date | string | null | undefined) => (v === null || v === undefined ? null : new Date(v).getTime());
const d = (v: Date | string | null | undefined) => (v === null || v === undefined ? null : new Date(v));

interface CalendarContext {
  rows: Map<string, CalendarRow>;
  assignments: { scope: string; key: string; calendarId: string }[];
}
async function calendarContext(ex: Executor): Promise<CalendarContext> {
  const res = (await ex.execute(sql`SELECT a.scope, a.key, a.calendar_id, c.id, c.version, c.time_zone, c.weekly, c.holidays, c.overrides, c.name
    FROM calendar_assignments a JOIN calendars c ON c.id = a.calendar_id`)) as {
    rows: {
      scope: string;
      key: string;
      calendar_id: string;
      id: string;
      version: number;
      time_zone: string;
      weekly: unknown;
      holidays: string | null;
      overrides: unknown;
      name: string;
    }[];
  };
  const rows = new Map<string, CalendarRow>();
  for (const r of res.rows)
    rows.set(r.id, {
      id: r.id,
      version: r.version,
      timeZone: r.time_zone,
      weekly: r.weekly,
      holidays: r.holidays,
      overrides: r.overrides,
      name: r.name,
    } as CalendarRow);
  return { rows, assignments: res.rows.map((r) => ({ scope: r.scope, key: r.key, calendarId: r.calendar_id })) };
}

/** The ticket's applicable calendar: customer > tier > site > team > default (as clocks with calendarSource "ticket"); none = 24×7. */
function calendarFor(
  cc: CalendarContext,
  k: { customerId: string; tier: string; site: string | null; teamId: string | null },
): { id: string | null; cal: BusinessCalendar } {
  const keyOf: Record<string, string | null> = { customer: k.customerId, tier: k.tier, site: k.site, team: k.teamId, default: '' };
  for (const scope of ASSIGNMENT_PRECEDENCE) {
    const key = keyOf[scope];
    if (key === null || key === undefined) continue;
    const hit = cc.assignments.find((a) => a.scope === scope && a.key === key);
    if (hit) {
      const row = cc.rows.get(hit.calendarId);
      if (row) return { id: row.id, cal: calendarOf(row) };
    }
  }
  return { id: null, cal: TWENTY_FOUR_SEVEN };
}

/** A uuid[] as one parameter (an array literal), not one parameter per id. */
const uuidList = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

/**
 * Recompute the bundles of these tickets from the sources. A ticket that is missing, internal (type `internal`:
 * recovery cases, care tasks) or merged into another ticket (a duplicate of the same request) has no bundle.
 */
export async function computeBundles(ex: Executor, ids: readonly string[]): Promise<Map<string, StoredBundle>> {
  const out = new Map<string, StoredBundle>();
  if (ids.length === 0) return out;
  const list = uuidList(ids);
  // Sequential: inside a transaction one connection runs one statement at a time.
  const tickets =
    await ex.execute(sql`SELECT t.id, t.number, t.type, t.channel, t.team_id, t.owner_id, coalesce(c.tier, 'regular') AS tier, t.category_id, t.site, t.status,
        t.customer_id, t.created_at, t.resolved_at, t.first_public_reply_at, t.reopen_count, t.handover_count, t.team_transfer_count, t.staff_public_reply_count
      FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
      WHERE t.id = ANY(${list}) AND t.merged_into_id IS NULL AND t.type <> 'internal'`);
  const evs = await ex.execute(sql`SELECT id, aggregate_id AS ticket_id, kind, at, data FROM events
      WHERE aggregate_type = 'ticket' AND aggregate_id = ANY(${list}) AND kind IN ('survey.answered', 'recovery.closed') ORDER BY id`);
  const inst =
    // How an outcome counts (core standardOutcome, mirrored by outcomeSql): a failure from the breach instant, ended
    // or not; a success at its stop; running and cancelled clocks not at all.
    await ex.execute(sql`SELECT i.id, i.ticket_id, i.standard_id, i.state, ${outcomeSql.at('i')} AS ended_at FROM standard_instances i JOIN standard_versions v ON v.id = i.version_id
      WHERE i.ticket_id = ANY(${list}) AND ${outcomeSql.counted('i')} AND coalesce(v.definition->>'kind', 'hard') = 'hard'`);
  const cc = await calendarContext(ex);
  type T = {
    id: string;
    number: string;
    type: string;
    channel: string;
    team_id: string | null;
    owner_id: string | null;
    tier: string;
    category_id: string | null;
    site: string | null;
    status: string;
    customer_id: string;
    created_at: Date | string;
    resolved_at: Date | string | null;
    first_public_reply_at: Date | string | null;
    reopen_count: number;
    handover_count: number;
    team_transfer_count: number;
    staff_public_reply_count: number;
  };
  for (const t of (tickets as { rows: T[] }).rows) {
    const { id: calendarId, cal } = calendarFor(cc, { customerId: t.customer_id, tier: t.tier, site: t.site, teamId: t.team_id });
    const created = ms(t.created_at)!;
    const isResolved = (t.status === 'resolved' || t.status === 'closed') && t.resolved_at !== null;
    const resolved = isResolved ? ms(t.resolved_at) : null;
    const fr = ms(t.first_public_reply_at);
    const fact: FactRow = {
      ticketId: t.id,
      number: t.number,
      type: t.type,
      channel: t.channel,
      teamId: t.team_id,
      ownerId: t.owner_id,
      tier: t.tier,
      categoryId: t.category_id,
      site: t.site,
      status: t.status,
      createdAt: new Date(created),
      resolvedAt: resolved === null ? null : new Date(resolved),
      reopenCount: Number(t.reopen_count),
      handoverCount: Number(t.handover_count),
      teamTransferCount: Number(t.team_transfer_count),
      staffPublicReplyCount: Number(t.staff_public_reply_count),
      firstResponseSeconds: fr === null ? null : cal.elapsedSeconds(created, fr),
      resolutionSeconds: resolved === null ? null : cal.elapsedSeconds(created, resolved),
      calendarId,
      fcr: false,
    };
    out.set(t.id, { fact, bundle: null as unknown as TicketBundle, answers: [], outcomes: [], recoveries: [] });
  }
  type E = { id: number | string; ticket_id: string; kind: string; at: Date | string; data: Record<string, unknown> };
  const score = (v: unknown, lo: number, hi: number) => (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : null);
  const cases = new Map<string, Map<string, { closedAt: Date; recovered: boolean }>>();
  for (const e of (evs as { rows: E[] }).rows) {
    const b = out.get(e.ticket_id);
    if (!b) continue;
    const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown>;
    if (e.kind === 'survey.answered') {
      const a = (data.answers ?? {}) as Record<string, unknown>;
      const row = {
        eventId: Number(e.id),
        at: d(e.at)!,
        csat: score(a.csat, 1, 5),
        nps: score(a.nps, 0, 10),
        ces: score(a.ces, 1, 7),
        lowScore: data.lowScore === true,
      };
      if (row.csat !== null || row.nps !== null || row.ces !== null) b.answers.push(row);
    } else if (e.kind === 'recovery.closed' && (data.outcome === 'recovered' || data.outcome === 'not_recovered')) {
      const caseId = typeof data.caseId === 'string' ? data.caseId : `event:${e.id}`;
      let m = cases.get(e.ticket_id);
      if (!m) {
        m = new Map();
        cases.set(e.ticket_id, m);
      }
      m.set(caseId, { closedAt: d(e.at)!, recovered: data.outcome === 'recovered' }); // a case closed again: the latest close counts
    }
  }
  for (const [tid, m] of cases) {
    const b = out.get(tid);
    if (b) for (const [caseId, v] of m) b.recoveries.push({ caseId, ...v });
  }
  for (const r of (inst as { rows: { id: string; ticket_id: string; standard_id: string; state: string; ended_at: Date | string }[] }).rows) {
    out.get(r.ticket_id)?.outcomes.push({ instanceId: r.id, standardId: r.standard_id, endedAt: d(r.ended_at)!, met: r.state === 'met' });
  }
  for (const b of out.values()) finish(b);
  return out;
}

function finish(b: StoredBundle): void {
  const f = b.fact;
  b.bundle = {
    ticket: {
      id: f.ticketId,
      type: f.type,
      createdAt: f.createdAt.getTime(),
      resolvedAt: f.resolvedAt?.getTime() ?? null,
      isResolved: f.resolvedAt !== null,
      reopenCount: f.reopenCount,
      handoverCount: f.handoverCount,
      teamTransferCount: f.teamTransferCount,
      staffPublicReplyCount: f.staffPublicReplyCount,
      firstResponseSeconds: f.firstResponseSeconds,
      resolutionSeconds: f.resolutionSeconds,
    },
    answers: b.answers.map((a) => ({ at: a.at.getTime(), csat: a.csat, nps: a.nps, ces: a.ces })),
    outcomes: b.outcomes.map((o) => ({ endedAt: o.endedAt.getTime(), met: o.met })),
    recoveries: b.recoveries.map((r) => ({ closedAt: r.closedAt.getTime(), recovered: r.recovered })),
  };
  f.fcr = f.resolvedAt !== null && isFirstContactResolution(b.bundle.ticket);
}

/** The facts as stored (what the rollup currently holds for these tickets); rows locked FOR UPDATE when `lock`. */
export async function storedBundles(ex: Executor, ids: readonly string[], lock = false): Promise<Map<string, StoredBundle>> {
  const out = new Map<string, StoredBundle>();
  if (ids.length === 0) return out;
  const list = uuidList(ids);
  const facts = (await ex.execute(
    sql`SELECT * FROM measure_ticket_facts WHERE ticket_id = ANY(${list}) ORDER BY ticket_id ${lock ? sql`FOR UPDATE` : sql``}`,
  )) as { rows: Record<string, unknown>[] };
  for (const r of facts.rows) {
    const fact: FactRow = {
      ticketId: r.ticket_id as string,
      number: r.number as string,
      type: r.type as string,
      channel: r.channel as string,
      teamId: (r.team_id as string | null) ?? null,
      ownerId: (r.owner_id as string | null) ?? null,
      tier: r.tier as string,
      categoryId: (r.category_id as string | null) ?? null,
      site: (r.site as string | null) ?? null,
      status: r.status as string,
      createdAt: d(r.created_at as string)!,
      resolvedAt: d(r.resolved_at as string | null),
      reopenCount: Number(r.reopen_count),
      handoverCount: Number(r.handover_count),
      teamTransferCount: Number(r.team_transfer_count),
      staffPublicReplyCount: Number(r.staff_public_reply_count),
      firstResponseSeconds: r.first_response_seconds === null ? null : Number(r.first_response_seconds),
      resolutionSeconds: r.resolution_seconds === null ? null : Number(r.resolution_seconds),
      calendarId: (r.calendar_id as string | null) ?? null,
      fcr: Boolean(r.fcr),
    };
    out.set(fact.ticketId, { fact, bundle: null as unknown as TicketBundle, answers: [], outcomes: [], recoveries: [] });
  }
  if (out.size === 0) return out;
  const a = await ex.execute(sql`SELECT * FROM measure_answer_facts WHERE ticket_id = ANY(${list}) ORDER BY event_id`);
  const o = await ex.execute(sql`SELECT * FROM measure_outcome_facts WHERE ticket_id = ANY(${list}) ORDER BY instance_id`);
  const rc = await ex.execute(sql`SELECT * FROM measure_recovery_facts WHERE ticket_id = ANY(${list}) ORDER BY case_id`);
  for (const r of (a as { rows: Record<string, unknown>[] }).rows)
    out.get(r.ticket_id as string)?.answers.push({
      eventId: Number(r.event_id),
      at: d(r.at as string)!,
      csat: r.csat === null ? null : Number(r.csat),
      nps: r.nps === null ? null : Number(r.nps),
      ces: r.ces === null ? null : Number(r.ces),
      lowScore: Boolean(r.low_score),
    });
  for (const r of (o as { rows: Record<string, unknown>[] }).rows)
    out
      .get(r.ticket_id as string)
      ?.outcomes.push({ instanceId: r.instance_id as string, standardId: r.standard_id as string, endedAt: d(r.ended_at as string)!, met: Boolean(r.met) });
  for (const r of (rc as { rows: Record<string, unknown>[] }).rows)
    out.get(r.ticket_id as string)?.recoveries.push({ caseId: r.case_id as string, closedAt: d(r.closed_at as string)!, recovered: Boolean(r.recovered) });
  for (const b of out.values()) finish(b);
  return out;
}

// ───────────────────────────── deltas and writes ─────────────────────────────

export interface RollupDelta {
  cube: number;
  bucket: number;
  dimKey: string;
  dims: Partial<Record<DimName, string | null>>;
  c: Counters;
}

/** Counter deltas for every cube: −old (with the old dimensions) + new (with the new ones). */
export function rollupDeltas(pairs: Iterable<{ old: StoredBundle | null; neu: StoredBundle | null }>): RollupDelta[] {
  const acc = new Map<string, RollupDelta>();
  for (const { old, neu } of pairs) {
    for (const cube of CUBES) {
      const bucketOf = bucketFn(cube);
      for (const [side, sign] of [
        [old, -1],
        [neu, 1],
      ] as const) {
        if (!side) continue;
        const dims = Object.fromEntries(cube.dims.map((n) => [n, dimValue(side.fact, n)])) as Partial<Record<DimName, string | null>>;
        const dimKey = cube.dims.map((n) => dims[n] ?? '').join('|');
        const m = bucketize(contributions(side.bundle), bucketOf, sign);
        for (const [bucket, c] of m) {
          const key = `${cube.id}|${bucket}|${dimKey}`;
          const cur = acc.get(key);
          if (!cur) acc.set(key, { cube: cube.id, bucket, dimKey, dims, c });
          else for (const k of COUNTERS) cur.c[k] += c[k];
        }
      }
    }
  }
  return [...acc.values()]
    .filter((r) => COUNTERS.some((k) => r.c[k] !== 0))
    .sort((a, b) => a.cube - b.cube || a.bucket - b.bucket || (a.dimKey < b.dimKey ? -1 : a.dimKey > b.dimKey ? 1 : 0));
}

const COLS: Record<(typeof COUNTERS)[number], string> = {
  created: 'created',
  complaints: 'complaints',
  complaintsOk: 'complaints_ok',
  resolved: 'resolved',
  fcr: 'fcr',
  frCount: 'fr_count',
  rsCount: 'rs_count',
  csatCount: 'csat_count',
  csatPositive: 'csat_positive',
  npsCount: 'nps_count',
  npsPromoters: 'nps_promoters',
  npsDetractors: 'nps_detractors',
  cesCount: 'ces_count',
  cesSum: 'ces_sum',
  stdMet: 'std_met',
  stdBreached: 'std_breached',
  recClosed: 'rec_closed',
  recRecovered: 'rec_recovered',
};
export const COUNTER_COLUMNS = COLS;

/** Apply deltas in key order (concurrent workers lock rollup rows in the same order). */
export async function applyDeltas(ex: Executor, deltas: readonly RollupDelta[]): Promise<void> {
  const cols = COUNTERS.map((k) => COLS[k]);
  if (deltas.length === 0) return;
  // Rows as one JSON parameter: building thousands of placeholders costs more than the database's work.
  const rows = JSON.stringify(
    deltas.map((r) => {
      const o: Record<string, unknown> = {
        cube: r.cube,
        bucket: new Date(r.bucket).toISOString(),
        dim_key: r.dimKey,
        team_id: r.dims.team ?? null,
        owner_id: r.dims.owner ?? null,
        channel: r.dims.channel ?? null,
        type: r.dims.type ?? null,
        tier: r.dims.tier ?? null,
      };
      for (const k of COUNTERS) o[COLS[k]] = r.c[k];
      return o;
    }),
  );
  await ex.execute(sql`INSERT INTO measure_rollup (cube, bucket, dim_key, team_id, owner_id, channel, type, tier, ${sql.raw(cols.join(', '))})
    SELECT cube, bucket, dim_key, team_id, owner_id, channel, type, tier, ${sql.raw(cols.join(', '))}
    FROM json_to_recordset(${rows}::json) AS x(cube smallint, bucket timestamptz, dim_key text, team_id uuid, owner_id uuid, channel text, type text, tier text, ${sql.raw(cols.map((c) => `${c} bigint`).join(', '))})
    ON CONFLICT (cube, bucket, dim_key) DO UPDATE SET ${sql.raw(cols.map((c) => `${c} = measure_rollup.${c} + excluded.${c}`).join(', '))}`);
}

/** Replace the stored facts of these tickets by the recomputed ones (absent = deleted). */
export async function writeFacts(ex: Executor, ids: readonly string[], fresh: Map<string, StoredBundle>): Promise<void> {
  if (ids.length === 0) return;
  const list = uuidList(ids);
  await ex.execute(sql`DELETE FROM measure_answer_facts WHERE ticket_id = ANY(${list})`);
  await ex.execute(sql`DELETE FROM measure_outcome_facts WHERE ticket_id = ANY(${list})`);
  await ex.execute(sql`DELETE FROM measure_recovery_facts WHERE ticket_id = ANY(${list})`);
  const gone = ids.filter((i) => !fresh.has(i));
  if (gone.length) await ex.execute(sql`DELETE FROM measure_ticket_facts WHERE ticket_id = ANY(${uuidList(gone)})`);
  const bs = [...fresh.values()];
  if (bs.length) {
    const v = JSON.stringify(
      bs.map(({ fact: f }) => ({
        ticket_id: f.ticketId,
        number: f.number,
        type: f.type,
        channel: f.channel,
        team_id: f.teamId,
        owner_id: f.ownerId,
        tier: f.tier,
        category_id: f.categoryId,
        site: f.site,
        status: f.status,
        created_at: f.createdAt,
        resolved_at: f.resolvedAt,
        reopen_count: f.reopenCount,
        handover_count: f.handoverCount,
        team_transfer_count: f.teamTransferCount,
        staff_public_reply_count: f.staffPublicReplyCount,
        first_response_seconds: f.firstResponseSeconds,
        resolution_seconds: f.resolutionSeconds,
        calendar_id: f.calendarId,
        fcr: f.fcr,
      })),
    );
    await ex.execute(sql`INSERT INTO measure_ticket_facts (ticket_id, number, type, channel, team_id, owner_id, tier, category_id, site, status, created_at, resolved_at,
        reopen_count, handover_count, team_transfer_count, staff_public_reply_count, first_response_seconds, resolution_seconds, calendar_id, fcr, updated_at)
      SELECT ticket_id, number, type, channel, team_id, owner_id, tier, category_id, site, status, created_at, resolved_at,
        reopen_count, handover_count, team_transfer_count, staff_public_reply_count, first_response_seconds, resolution_seconds, calendar_id, fcr, now()
      FROM json_to_recordset(${v}::json) AS x(ticket_id uuid, number text, type text, channel text, team_id uuid, owner_id uuid, tier text, category_id uuid, site text, status text,
        created_at timestamptz, resolved_at timestamptz, reopen_count int, handover_count int, team_transfer_count int, staff_public_reply_count int,
        first_response_seconds bigint, resolution_seconds bigint, calendar_id uuid, fcr boolean)
      ON CONFLICT (ticket_id) DO UPDATE SET number = excluded.number, type = excluded.type, channel = excluded.channel, team_id = excluded.team_id, owner_id = excluded.owner_id,
        tier = excluded.tier, category_id = excluded.category_id, site = excluded.site, status = excluded.status, created_at = excluded.created_at, resolved_at = excluded.resolved_at,
        reopen_count = excluded.reopen_count, handover_count = excluded.handover_count, team_transfer_count = excluded.team_transfer_count,
        staff_public_reply_count = excluded.staff_public_reply_count, first_response_seconds = excluded.first_response_seconds, resolution_seconds = excluded.resolution_seconds,
        calendar_id = excluded.calendar_id, fcr = excluded.fcr, updated_at = now()`);
  }
  const answers = bs.flatMap((b) => b.answers.map((a) => ({ ...a, ticketId: b.fact.ticketId })));
  if (answers.length)
    await ex.execute(
      sql`INSERT INTO measure_answer_facts (event_id, ticket_id, at, csat, nps, ces, low_score) VALUES ${sql.join(
        answers.map((a) => sql`(${a.eventId}, ${a.ticketId}, ${a.at}, ${a.csat}, ${a.nps}, ${a.ces}, ${a.lowScore})`),
        sql`, `,
      )}`,
    );
  const outcomes = bs.flatMap((b) => b.outcomes.map((o) => ({ ...o, ticketId: b.fact.ticketId })));
  if (outcomes.length)
    await ex.execute(
      sql`INSERT INTO measure_outcome_facts (instance_id, ticket_id, standard_id, ended_at, met) VALUES ${sql.join(
        outcomes.map((o) => sql`(${o.instanceId}, ${o.ticketId}, ${o.standardId}, ${o.endedAt}, ${o.met})`),
        sql`, `,
      )}`,
    );
  const recs = bs.flatMap((b) => b.recoveries.map((r) => ({ ...r, ticketId: b.fact.ticketId })));
  if (recs.length)
    await ex.execute(
      sql`INSERT INTO measure_recovery_facts (ticket_id, case_id, closed_at, recovered) VALUES ${sql.join(
        recs.map((r) => sql`(${r.ticketId}, ${r.caseId}, ${r.closedAt}, ${r.recovered})`),
        sql`, `,
      )}`,
    );
}

/**
 * Bring the facts and rollups of these tickets up to date, in the caller's transaction. Tickets are locked in id
 * order (advisory locks), so two workers never apply the same ticket at once and never deadlock.
 */
export async function refreshTickets(ex: Executor, ids: readonly string[]): Promise<number> {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0) return 0;
  const arr = sql`${`{${sorted.join(',')}}`}::text[]`;
  await ex.execute(
    sql`SELECT pg_advisory_xact_lock(${MEASURES_LOCK_SPACE}::int, hashtext(s.x)) FROM (SELECT x FROM unnest(${arr}) AS x ORDER BY x OFFSET 0) s`,
  );
  const old = await storedBundles(ex, sorted, true);
  const neu = await computeBundles(ex, sorted);
  const deltas = rollupDeltas(sorted.map((id) => ({ old: old.get(id) ?? null, neu: neu.get(id) ?? null })));
  await applyDeltas(ex, deltas);
  await writeFacts(ex, sorted, neu);
  return deltas.length;
}
export const MEASURES_LOCK_SPACE = 7_070_707;

/**
 * Rebuild every rollup cube from the facts tables in SQL (set-based; used by the bench and by large rebuilds).
 * Gives the same rows as applying the tickets one by one (tested in measures-property.test.ts).
 */
export async function rollupFromFacts(ex: Executor, tz = reportingTz()): Promise<void> {
  const cols = COUNTERS.map((k) => COLS[k]);
  const part = (at: string, from: string, exprs: Record<string, string>, where = '') =>
    `SELECT ${at} AS at, f.team_id, f.owner_id, f.channel, f.type, f.tier, ${cols
      .map((c) => (exprs[c] ? `coalesce((${exprs[c]})::bigint, 0) AS ${c}` : `0::bigint AS ${c}`))
      .join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''}`;
  const contributions = [
    part('f.created_at', 'measure_ticket_facts f', {
      created: '1',
      complaints: "(f.type = 'complaint')::int",
      complaints_ok: "(f.type = 'complaint' AND f.resolved_at IS NOT NULL AND f.reopen_count = 0)::int",
      fr_count: '(f.first_response_seconds IS NOT NULL)::int',
    }),
    part(
      'f.resolved_at',
      'measure_ticket_facts f',
      { resolved: '1', fcr: 'f.fcr::int', rs_count: '(f.resolution_seconds IS NOT NULL)::int' },
      'f.resolved_at IS NOT NULL',
    ),
    part('a.at', 'measure_answer_facts a JOIN measure_ticket_facts f ON f.ticket_id = a.ticket_id', {
      csat_count: '(a.csat IS NOT NULL)::int',
      csat_positive: '(a.csat >= 4)::int',
      nps_count: '(a.nps IS NOT NULL)::int',
      nps_promoters: '(a.nps >= 9)::int',
      nps_detractors: '(a.nps <= 6)::int',
      ces_count: '(a.ces IS NOT NULL)::int',
      ces_sum: 'coalesce(a.ces, 0)',
    }),
    part('o.ended_at', 'measure_outcome_facts o JOIN measure_ticket_facts f ON f.ticket_id = o.ticket_id', {
      std_met: 'o.met::int',
      std_breached: '(NOT o.met)::int',
    }),
    part('r.closed_at', 'measure_recovery_facts r JOIN measure_ticket_facts f ON f.ticket_id = r.ticket_id', {
      rec_closed: '1',
      rec_recovered: 'r.recovered::int',
    }),
  ].join('\nUNION ALL\n');
  const dimSql: Record<DimName, string> = {
    team: "coalesce(team_id::text, '')",
    owner: "coalesce(owner_id::text, '')",
    channel: 'channel',
    type: 'type',
    tier: 'tier',
  };
  const colOf: Record<DimName, string> = { team: 'team_id', owner: 'owner_id', channel: 'channel', type: 'type', tier: 'tier' };
  const tzLit = `'${tz.replace(/'/g, "''")}'`;
  await ex.execute(sql`DELETE FROM measure_rollup`);
  await ex.execute(sql.raw(`CREATE TEMP TABLE IF NOT EXISTS measure_contrib_tmp ON COMMIT DROP AS ${contributions} LIMIT 0`));
  await ex.execute(sql.raw('TRUNCATE measure_contrib_tmp'));
  await ex.execute(sql.raw(`INSERT INTO measure_contrib_tmp ${contributions}`));
  for (const cube of CUBES) {
    const bucket =
      cube.grain === 'hour'
        ? "date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        : `date_trunc('day', at AT TIME ZONE ${tzLit}) AT TIME ZONE ${tzLit}`;
    const dimKey = cube.dims.length ? `concat_ws('|', ${cube.dims.map((d) => dimSql[d]).join(', ')})` : "''";
    const dimCols = (['team', 'owner', 'channel', 'type', 'tier'] as const).map((d) =>
      cube.dims.includes(d)
        ? `max(${colOf[d]}::text)${d === 'team' || d === 'owner' ? '::uuid' : ''}`
        : `NULL${d === 'team' || d === 'owner' ? '::uuid' : '::text'}`,
    );
    await ex.execute(
      sql.raw(`INSERT INTO measure_rollup (cube, bucket, dim_key, team_id, owner_id, channel, type, tier, ${cols.join(', ')})
      SELECT ${cube.id}, ${bucket}, ${dimKey}, ${dimCols.join(', ')}, ${cols.map((c) => `sum(${c})`).join(', ')}
      FROM measure_contrib_tmp GROUP BY 2, 3`),
    );
  }
  await ex.execute(sql.raw('DROP TABLE IF EXISTS measure_contrib_tmp'));
}
