/**
 * Coaching tasks (辅导任务, issue #15 item 9): low items of a submitted inspection become one task for the agent's
 * supervisors, who coach and close it with a note. "Low" is the dashboard's "failed": below 60 % of the item's
 * maximum (a "no" on a yes/no item), or a zero on a critical item. Training, once it exists, plugs in through
 * `coachingSinks` (e.g. assign a course per low item) without this module knowing it.
 */
import type { Database, Executor, Tx } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { conflict, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notifyMany } from '../../lib/notify';
import { authorize, can, requireStaff } from '../identity/policy';
import { coachingRepo, type CoachingTaskRow } from './quality.coaching.repo';
import { qaScope } from './quality.policy';
import { qualityRepo } from './quality.repo';
import { FAIL_BELOW } from './quality.stats';
import { maxOf, type ItemScore, type ScorecardItem } from './scorecard';

export type { CoachingTaskRow };
export interface LowItem {
  item: string;
  label: string;
  dimension: ScorecardItem['dimension'];
  score: number;
  max: number;
  critical: boolean;
}

/** The items of a scored inspection that need coaching, in scorecard order (N/A never counts). */
export function lowItems(items: readonly ScorecardItem[], scores: readonly ItemScore[]): LowItem[] {
  const by = new Map(scores.map((s) => [s.item, s.score]));
  const out: LowItem[] = [];
  for (const it of items) {
    const score = by.get(it.key);
    if (score === null || score === undefined) continue;
    const max = maxOf(it.scale);
    if (score / max < FAIL_BELOW || (it.critical && score === 0))
      out.push({ item: it.key, label: it.label, dimension: it.dimension, score, max, critical: it.critical });
  }
  return out;
}

/** What a coaching task hands on when it is opened (training assigns courses here once it exists). */
export interface CoachingSink {
  name: string;
  opened(tx: Tx, task: CoachingTaskRow): Promise<void>;
}
export const coachingSinks: CoachingSink[] = [];

/** In the submit transaction: open the task (one per inspection) and tell the agent's team supervisors. */
export async function openCoachingTask(
  tx: Tx,
  inspection: { id: string; ticketId: string; agentId: string },
  items: readonly ScorecardItem[],
  scores: readonly ItemScore[],
): Promise<CoachingTaskRow | null> {
  const low = lowItems(items, scores);
  if (low.length === 0) return null;
  const row = await coachingRepo.insert(tx, {
    id: uuidv7(),
    inspectionId: inspection.id,
    ticketId: inspection.ticketId,
    agentId: inspection.agentId,
    items: low,
  });
  if (!row) return null;
  const supervisors = await coachingRepo.teamSupervisors(tx, inspection.agentId);
  const agent = (await qualityRepo.staffNames(tx, [inspection.agentId])).get(inspection.agentId);
  await notifyMany(
    tx,
    supervisors.map((id) => ({
      recipientId: id,
      kind: 'qa.coaching',
      ticketId: inspection.ticketId,
      title: { key: 'quality.notify.coaching', params: { agent: agent?.name ?? '', items: low.map((l) => l.label).join('、') } },
      data: { coachingTaskId: row.id, inspectionId: inspection.id },
    })),
  );
  for (const sink of coachingSinks) await sink.opened(tx, row);
  return row;
}

function present(r: CoachingTaskRow, people: Map<string, { name: string; employeeNo: string }>, tickets: Map<string, { number: string; subject: string }>) {
  const person = (id: string | null) => (id && people.get(id) ? { id, name: people.get(id)!.name, employeeNo: people.get(id)!.employeeNo } : null);
  return {
    id: r.id,
    inspectionId: r.inspectionId,
    ticketId: r.ticketId,
    ticketNumber: tickets.get(r.ticketId)?.number ?? '',
    ticketSubject: tickets.get(r.ticketId)?.subject ?? '',
    agent: person(r.agentId),
    items: r.items as LowItem[],
    state: r.state as 'open' | 'done',
    note: r.note,
    doneBy: person(r.doneBy),
    doneAt: r.doneAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

async function presentAll(ex: Executor, rows: CoachingTaskRow[]) {
  const people = await qualityRepo.staffNames(ex, [...new Set(rows.flatMap((r) => [r.agentId, ...(r.doneBy ? [r.doneBy] : [])]))]);
  const tickets = await qualityRepo.ticketNumbers(ex, [...new Set(rows.map((r) => r.ticketId))]);
  return rows.map((r) => present(r, people, tickets));
}

/** Coaching tasks, newest first: QA and directors see every agent's, supervisors their teams' (qaScope), an agent only their own. */
export async function listCoaching(database: Database, ctx: Ctx, q: { state?: 'open' | 'done' | undefined; agentId?: string | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  // Supervisors see their teams' agents' tasks, qa and directors all (qaScope), agents their own.
  const agentId = can(ctx.actor, 'qa.view') ? q.agentId : me.id;
  const scope = can(ctx.actor, 'qa.view') ? qaScope(ctx.actor) : undefined;
  const rows = await coachingRepo.list(database.db, { state: q.state, agentId, scope, limit: q.limit });
  return { items: await presentAll(database.db, rows) };
}

/** A supervisor (qa.rule_appeals) closes a task with what the coaching covered; never on their own work. */
export async function completeCoaching(database: Database, ctx: Ctx, id: string, note: string) {
  authorize(ctx.actor, 'qa.rule_appeals');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await coachingRepo.lock(tx, id);
    if (!row || !(await qualityRepo.agentInScope(tx, qaScope(ctx.actor), row.agentId))) throw notFound('Coaching task');
    if (row.agentId === me.id) throw conflict('qa_own_work', 'Nobody closes the coaching of their own work');
    if (row.state !== 'open') throw conflict('qa_coaching_done', 'The coaching task is already done');
    const done = await coachingRepo.markDone(tx, id, { note, doneBy: me.id, doneAt: new Date() });
    await writeAudit(tx, ctx, { action: 'qa.coaching_done', targetType: 'qa_coaching_task', targetId: id });
    return (await presentAll(tx, [done]))[0]!;
  });
}
