import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client';
import { standardInstances, standards, standardVersions } from '../../db/schema';
import { clockCalendar, toClock } from '../../engine/engine';
import { remainingSeconds } from '../../engine/clock';
import { loadCalendarRows } from '../calendars/calendar-cache';
import type { StandardDefinition } from './definition';

export type StandardRow = typeof standards.$inferSelect;
export type VersionRow = typeof standardVersions.$inferSelect;

export interface TicketStandard {
  id: string;
  standardId: string;
  code: string;
  name: string;
  version: number;
  cycle: number;
  state: 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
  paused: boolean;
  startedAt: string;
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  late: boolean;
  limitSeconds: number;
  remainingSeconds: number | null;
  warningsSent: number;
  escalationsSent: number;
  nextAction: string | null;
  nextActionAt: string | null;
  [k: string]: unknown;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The clocks of a ticket as GET /tickets/{id} shows them (`standards: [...]`): contract fields
 * {code, state, dueAt, metAt, breachedAt} plus name, remainingSeconds (business seconds; negative when overdue),
 * paused, cycle and version. Pass the open transaction when calling inside one (PGlite has one connection).
 */
export async function standardsForTicket(ex: Executor, ticketId: string, opts: { codes?: string[] } = {}): Promise<TicketStandard[]> {
  return (await standardsForTickets(ex, [ticketId], opts)).get(ticketId) ?? [];
}

/** The clocks of several tickets (e.g. a batch of creates) in one query, by ticket. */
export async function standardsForTickets(
  ex: Executor,
  ticketIds: string[],
  opts: { codes?: string[]; live?: boolean } = {},
): Promise<Map<string, TicketStandard[]>> {
  const out = new Map<string, TicketStandard[]>(ticketIds.map((id) => [id, []]));
  if (ticketIds.length === 0) return out;
  const byTicket = ticketIds.length === 1 ? eq(standardInstances.ticketId, ticketIds[0]!) : inArray(standardInstances.ticketId, ticketIds);
  const instances = await ex
    .select()
    .from(standardInstances)
    .where(opts.live ? and(byTicket, inArray(standardInstances.state, ['running', 'paused', 'breached'])) : byTicket)
    .orderBy(asc(standardInstances.startedAt), asc(standardInstances.code), asc(standardInstances.cycle));
  // The definitions once per version (a page of tickets shares a handful), not once per clock.
  const versionIds = [...new Set(instances.map((i) => i.versionId))];
  const versions = new Map(
    versionIds.length === 0
      ? []
      : (
          await ex
            .select({ id: standardVersions.id, definition: standardVersions.definition, version: standardVersions.version })
            .from(standardVersions)
            .where(inArray(standardVersions.id, versionIds))
        ).map((v) => [v.id, v]),
  );
  const rows = instances.flatMap((i) => {
    const v = versions.get(i.versionId);
    return v ? [{ i, definition: v.definition, version: v.version }] : [];
  });
  const wanted = opts.codes ? rows.filter((r) => opts.codes!.includes(r.i.code)) : rows;
  const cals = await loadCalendarRows(
    ex,
    wanted.map((r) => r.i.calendarId),
  );
  const now = Date.now();
  for (const { i, definition, version } of wanted) {
    const def = definition as StandardDefinition;
    const cal = clockCalendar(i.calendarId ? cals.get(i.calendarId) : undefined, def);
    out.get(i.ticketId)?.push({
      id: i.id,
      standardId: i.standardId,
      code: i.code,
      name: def.name,
      version,
      cycle: i.cycle,
      state: i.state as TicketStandard['state'],
      paused: i.state === 'paused',
      startedAt: i.startedAt.toISOString(),
      dueAt: iso(i.dueAt),
      metAt: iso(i.metAt),
      breachedAt: iso(i.breachedAt),
      endedAt: iso(i.endedAt),
      endReason: i.endReason,
      late: i.late,
      limitSeconds: Math.round(Number(i.limitMs) / 1000),
      remainingSeconds: remainingSeconds(toClock(i), cal, now),
      warningsSent: i.warningsSent,
      escalationsSent: i.escalationsSent,
      nextAction: i.nextAction,
      nextActionAt: iso(i.nextActionAt),
      // counted standards: the recorded count and the inclusive limit
      observed: i.observed,
      countLimit: i.countLimit,
      countSource: def.count?.source ?? null,
    });
  }
  return out;
}

export const standardsRepo = {
  async byId(ex: Executor, id: string, forUpdate = false) {
    const q = ex
      .select({ s: standards, v: standardVersions })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId))
      .where(eq(standards.id, id));
    const [row] = forUpdate ? await q.for('update', { of: standards }) : await q;
    return row;
  },
  async byCode(ex: Executor, code: string) {
    const [row] = await ex.select().from(standards).where(eq(standards.code, code));
    return row;
  },
  async list(
    ex: Executor,
    f: { active?: boolean | undefined; encounter?: string | undefined; kind?: string | undefined; limit: number; before?: string | undefined },
  ) {
    const conds: SQL[] = [];
    if (f.active !== undefined) conds.push(eq(standards.active, f.active));
    if (f.encounter) conds.push(sql`${standardVersions.definition}->>'encounter' = ${f.encounter}`);
    if (f.kind) conds.push(sql`${standardVersions.definition}->>'kind' = ${f.kind}`);
    if (f.before) conds.push(lt(standards.id, f.before));
    return ex
      .select({ s: standards, v: standardVersions })
      .from(standards)
      .innerJoin(standardVersions, eq(standardVersions.id, standards.currentVersionId))
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(standards.id))
      .limit(f.limit + 1);
  },
  async insert(tx: Tx, row: typeof standards.$inferInsert): Promise<StandardRow> {
    const [s] = await tx.insert(standards).values(row).returning();
    return s!;
  },
  async insertVersion(tx: Tx, row: typeof standardVersions.$inferInsert): Promise<VersionRow> {
    const [v] = await tx.insert(standardVersions).values(row).returning();
    return v!;
  },
  async update(tx: Tx, id: string, set: Partial<StandardRow>): Promise<StandardRow> {
    const [s] = await tx.update(standards).set(set).where(eq(standards.id, id)).returning();
    return s!;
  },
  async versions(ex: Executor, standardId: string) {
    return ex.select().from(standardVersions).where(eq(standardVersions.standardId, standardId)).orderBy(desc(standardVersions.version));
  },
};
