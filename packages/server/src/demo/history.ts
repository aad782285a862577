/**
 * The demo history as a property-management company would recognise it (idempotent: runs once, marked
 * `demo.history` in settings). The dashboards' history (demo/measures.ts) writes its tickets with placeholder texts;
 * this pass gives each one a subject the customers of 申城物业 really ask about (the least-used of its type, so none
 * repeats more than three times), the customer's own words, the category that belongs to the subject, repairs to the
 * technician whose trade it is (and desk work back to the desk), and every complaint the six-step loop its status
 * implies — recorded with the loop's own repo calls and events at the history's times:
 * closed → all six steps; resolved → listen…resolve, then revisit/feedback as the days since resolution allow (a
 * complaint resolved more than three days ago is closed after its feedback); open → the first steps, by age.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { complaintSteps, events } from '../db/schema';
import { uuidv7 } from '../lib/ids';
import { COMPLAINT_STEPS, type ComplaintStep, STEP_EVENT } from '../modules/loops/complaints';
import { loopsRepo } from '../modules/loops/loops.repo';
import { COMPLAINT_EVIDENCE, HISTORY_POOL, type PoolEntry } from './history-pool';

/** The placeholder description demo/measures.ts writes on its history tickets. */
export const HISTORY_PLACEHOLDER = '历史工单（演示数据）';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Which technician's trade a repair category is (by skill). */
const TRADE: Record<string, string> = {
  水电维修: '水电维修',
  管道疏通: '管道疏通',
  公共照明: '水电维修',
  空调故障: '空调维修',
  电梯故障: '电梯报修',
  门窗维修: '门窗维修',
  门禁对讲: '门窗维修',
};

interface Row {
  id: string;
  type: string;
  status: string;
  owner_id: string | null;
  created_at: Date | string;
  first_public_reply_at: Date | string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
}
interface StaffRow {
  id: string;
  team_id: string | null;
  roles: string[];
  skills: string[];
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

export async function dressDemoHistory(database: Database, now = Date.now()): Promise<number> {
  const [marked] = await database.rows<{ key: string }>(
    sql`INSERT INTO settings (key, value) VALUES ('demo.history', ${JSON.stringify({ at: new Date(now).toISOString() })}::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
  );
  if (!marked) return 0;
  const rows = await database.rows<Row>(
    sql`SELECT id, type, status, owner_id, created_at, first_public_reply_at, resolved_at, closed_at FROM tickets
        WHERE description = ${HISTORY_PLACEHOLDER} ORDER BY created_at, id`,
  );
  if (rows.length === 0) return 0;
  const people = await database.rows<StaffRow>(sql`SELECT id, team_id, roles, skills FROM staff WHERE active AND team_id IS NOT NULL ORDER BY employee_no`);
  const technicians = people.filter((p) => p.roles.includes('technician'));
  const desk = people.filter((p) => p.roles.includes('agent') || p.roles.includes('frontdesk'));
  const cats = new Map(
    (await database.rows<{ id: string; name: string }>(sql`SELECT id, name FROM categories WHERE parent_id IS NOT NULL`)).map((c) => [c.name, c.id]),
  );
  const used = new Map(
    (await database.rows<{ subject: string; n: number }>(sql`SELECT subject, count(*)::int AS n FROM tickets GROUP BY subject`)).map((r) => [
      r.subject,
      Number(r.n),
    ]),
  );
  const r = rng(20261205);
  const pools = new Map(
    Object.entries(HISTORY_POOL).map(([type, byCat]) => [type, Object.entries(byCat).flatMap(([cat, list]) => list.map((e) => ({ cat, e })))]),
  );
  /** The least-used entry of the type (ties broken by the seeded random). */
  const pick = (type: string) => {
    const pool = pools.get(type);
    if (!pool) return null;
    const least = Math.min(...pool.map((p) => used.get(p.e.subject) ?? 0));
    const ties = pool.filter((p) => (used.get(p.e.subject) ?? 0) === least);
    const chosen = ties[Math.floor(r() * ties.length)]!;
    used.set(chosen.e.subject, least + 1);
    return chosen;
  };
  let deskTurn = 0;
  const ownerFor = (row: Row, cat: string): StaffRow | null => {
    if (row.type === 'repair') {
      const trade = TRADE[cat];
      const fit = technicians.filter((t) => trade && t.skills.includes(trade));
      const from = fit.length ? fit : technicians;
      return from.length ? from[Math.floor(r() * from.length)]! : null;
    }
    const current = people.find((p) => p.id === row.owner_id);
    if (current && !current.roles.includes('technician')) return current;
    return desk.length ? desk[deskTurn++ % desk.length]! : null;
  };

  const dressed: { row: Row; e: PoolEntry; cat: string; owner: StaffRow | null }[] = [];
  for (const row of rows) {
    const chosen = pick(row.type);
    if (chosen) dressed.push({ row, e: chosen.e, cat: chosen.cat, owner: ownerFor(row, chosen.cat) });
  }
  if (dressed.length === 0) return 0;
  const values = (items: SQL[][]) =>
    sql.join(
      items.map((v) => sql`(${sql.join(v, sql`, `)})`),
      sql`, `,
    );
  await database.transaction(async (tx) => {
    // One statement per kind of change (the history has hundreds of tickets).
    await tx.execute(sql`UPDATE tickets AS t SET subject = v.subject, description = v.description, category_id = v.category_id::uuid,
        owner_id = COALESCE(v.owner_id::uuid, t.owner_id), team_id = COALESCE(v.team_id::uuid, t.team_id)
      FROM (VALUES ${values(
        dressed.map((d) => [
          sql`${d.row.id}::uuid`,
          sql`${d.e.subject}`,
          sql`${d.e.description}`,
          sql`${cats.get(d.cat) ?? null}::text`,
          sql`${d.owner?.id ?? null}::text`,
          sql`${d.owner?.team_id ?? null}::text`,
        ]),
      )}) AS v(id, subject, description, category_id, owner_id, team_id) WHERE t.id = v.id`);
    // The work, its clocks and its timeline belong to whoever did it.
    const moved = dressed.filter((d) => d.owner && d.owner.id !== d.row.owner_id);
    if (moved.length) {
      const mv = values(moved.map((d) => [sql`${d.row.id}::uuid`, sql`${d.owner!.id}::uuid`, sql`${d.owner!.team_id}::uuid`]));
      await tx.execute(sql`UPDATE standard_instances AS i SET owner_id = v.owner_id, team_id = v.team_id FROM (VALUES ${mv}) AS v(ticket_id, owner_id, team_id)
        WHERE i.ticket_id = v.ticket_id`);
      await tx.execute(sql`UPDATE events AS e SET actor_id = v.owner_id FROM (VALUES ${mv}) AS v(ticket_id, owner_id, team_id)
        WHERE e.aggregate_type = 'ticket' AND e.aggregate_id = v.ticket_id AND e.actor_kind = 'staff'`);
    }
    await complaintHistory(
      tx,
      dressed.filter((d) => d.row.type === 'complaint').map((d) => ({ row: d.row, e: d.e, ownerId: d.owner?.id ?? d.row.owner_id })),
      now,
    );
    await tx.execute(
      sql`INSERT INTO measure_queue (ticket_id) SELECT unnest(${sql`ARRAY[${sql.join(
        dressed.map((d) => sql`${d.row.id}::uuid`),
        sql`, `,
      )}]`})`,
    );
    await tx.execute(sql`SELECT pg_notify('chidu_measures_wake', '')`);
  });
  return dressed.length;
}

/** The steps a historical complaint has done by `now`, with their times. */
export function plannedSteps(row: Pick<Row, 'status' | 'created_at' | 'first_public_reply_at' | 'resolved_at' | 'closed_at'>, now: number) {
  const created = ms(row.created_at)!;
  const fr = ms(row.first_public_reply_at) ?? created + 10 * MIN;
  const resolved = ms(row.resolved_at);
  const latest = now - 5 * MIN;
  const at = (t: number) => Math.min(t, latest);
  const out: { step: ComplaintStep; at: number }[] = [
    { step: 'listen', at: at(fr) },
    { step: 'empathise', at: at(fr + 3 * MIN) },
  ];
  if (resolved === null) {
    // Open: how far the loop has got depends on how long ago it came in.
    const age = now - created;
    if (age < 2 * HOUR) return { steps: out.slice(0, 1), close: null };
    if (age < 8 * HOUR) return { steps: out, close: null };
    return { steps: [...out, { step: 'confirm' as const, at: at(fr + 30 * MIN) }], close: null };
  }
  out.push({ step: 'confirm', at: at(Math.min(fr + 30 * MIN, resolved - 2 * MIN)) }, { step: 'resolve', at: at(resolved - MIN) });
  let closed = ms(row.closed_at);
  if (closed !== null) closed = Math.min(closed, latest);
  else if (now - resolved > 3 * DAY) closed = resolved + DAY;
  if (closed !== null && closed > resolved) {
    out.push({ step: 'revisit', at: resolved + (closed - resolved) * 0.6 }, { step: 'feedback', at: resolved + (closed - resolved) * 0.85 });
    return { steps: out, close: row.status === 'closed' ? null : closed };
  }
  // Resolved recently: revisited the next day, feedback the day after.
  if (now - resolved >= 20 * HOUR) out.push({ step: 'revisit', at: resolved + 20 * HOUR });
  if (now - resolved >= 40 * HOUR) out.push({ step: 'feedback', at: resolved + 40 * HOUR });
  return { steps: out, close: null };
}

/** Each complaint's case, its steps (rows and `complaint.*` events at their times) and, when due, its close. */
async function complaintHistory(tx: Tx, list: { row: Row; e: PoolEntry; ownerId: string | null }[], now: number) {
  if (list.length === 0) return;
  const stepRows: (typeof complaintSteps.$inferInsert)[] = [];
  const eventRows: (typeof events.$inferInsert)[] = [];
  const closes: { id: string; at: Date }[] = [];
  for (const { row, e, ownerId } of list) {
    const c = await loopsRepo.ensureComplaintCase(tx, uuidv7(), row.id);
    const { steps, close } = plannedSteps(row, now);
    for (const s of steps) {
      const evidence = COMPLAINT_EVIDENCE[s.step](e);
      const data = s.step === 'revisit' ? { satisfied: true } : {};
      const at = new Date(s.at);
      stepRows.push({ caseId: c.id, step: s.step, evidence, data, recordedBy: ownerId, recordedAt: at });
      eventRows.push({
        at,
        kind: STEP_EVENT[s.step],
        aggregateType: 'ticket',
        aggregateId: row.id,
        actorKind: 'staff',
        actorId: ownerId,
        data: { caseId: c.id, step: s.step, evidence: evidence.slice(0, 500), corrected: false, ...data },
      });
    }
    if (close !== null && steps.length === COMPLAINT_STEPS.length) {
      closes.push({ id: row.id, at: new Date(close) });
      eventRows.push({
        at: new Date(close),
        kind: 'ticket.closed',
        aggregateType: 'ticket',
        aggregateId: row.id,
        actorKind: 'staff',
        actorId: ownerId,
        data: {},
      });
    }
  }
  if (stepRows.length) await tx.insert(complaintSteps).values(stepRows).onConflictDoNothing();
  if (eventRows.length) await tx.insert(events).values(eventRows);
  for (const c of closes) await tx.execute(sql`UPDATE tickets SET status = 'closed', closed_at = ${c.at}, updated_at = ${c.at} WHERE id = ${c.id}`);
}
