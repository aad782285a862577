/** The performance composite, rankings, weights and improvement proposals (issue #15 item 9). */
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { conflict, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { authorize, can, requireStaff } from '../identity/policy';
import { composite, DEFAULT_PROPOSAL_TARGET, DEFAULT_WEIGHTS, type MonthCounts, type Weights } from './composite';
import { presentProposal } from './quality.present';
import { qaScope } from './quality.policy';
import { monthBounds, qualityRepo } from './quality.repo';

export const WEIGHTS_KEY = 'quality.performance_weights';

export async function weightsOf(ex: Executor): Promise<Weights & { proposalTarget: number }> {
  const v = (await qualityRepo.setting(ex, WEIGHTS_KEY)) as (Partial<Weights> & { proposalTarget?: number }) | undefined;
  return { ...DEFAULT_WEIGHTS, proposalTarget: DEFAULT_PROPOSAL_TARGET, ...(v ?? {}) };
}

export async function getWeights(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.own');
  return weightsOf(database.db);
}

export async function putWeights(database: Database, ctx: Ctx, input: Weights & { proposalTarget?: number | undefined }) {
  authorize(ctx.actor, 'measures.manage');
  return database.transaction(async (tx) => {
    const before = await weightsOf(tx);
    const next = {
      qa: input.qa,
      satisfaction: input.satisfaction,
      complaints: input.complaints,
      proposals: input.proposals,
      proposalTarget: input.proposalTarget ?? before.proposalTarget,
    };
    await qualityRepo.saveSetting(tx, WEIGHTS_KEY, next);
    await writeAudit(tx, ctx, { action: 'performance.weights_changed', targetType: 'setting', targetId: null, changes: diff({ ...before }, { ...next }) });
    return next;
  });
}

/** The month's counts of several agents (one query per part). */
async function countsOf(ex: Executor, agentIds: string[], month: string): Promise<Map<string, MonthCounts>> {
  const { from, to } = monthBounds(month, orgTimeZone());
  const [qa, csat, comp, prop] = await Promise.all([
    qualityRepo.qaTotals(ex, agentIds, from, to),
    qualityRepo.csatTotals(ex, agentIds, from, to),
    qualityRepo.complaintTotals(ex, agentIds, from, to),
    qualityRepo.adoptedTotals(ex, agentIds, from, to),
  ]);
  const out = new Map<string, MonthCounts>(
    agentIds.map((id) => [id, { qaSum: 0, qaCount: 0, satisfied: 0, answered: 0, handled: 0, complaints: 0, resolvedComplaints: 0, adopted: 0 }]),
  );
  for (const r of qa) Object.assign(out.get(r.agentId)!, { qaSum: Number(r.sum), qaCount: Number(r.n) });
  for (const r of csat) if (r.agentId) Object.assign(out.get(r.agentId)!, { satisfied: Number(r.satisfied), answered: Number(r.n) });
  for (const r of comp)
    if (r.agentId) Object.assign(out.get(r.agentId)!, { handled: Number(r.handled), complaints: Number(r.complaints), resolvedComplaints: Number(r.resolved) });
  for (const r of prop) Object.assign(out.get(r.agentId)!, { adopted: Number(r.n) });
  return out;
}

function presentPerformance(
  month: string,
  agent: { id: string; name: string; employeeNo: string } | null,
  c: MonthCounts,
  w: Weights & { proposalTarget: number },
) {
  const { score, parts } = composite(c, w, w.proposalTarget);
  return {
    month,
    agent,
    score,
    parts,
    weights: { qa: w.qa, satisfaction: w.satisfaction, complaints: w.complaints, proposals: w.proposals },
    detail: { handled: c.handled, complaints: c.complaints, resolvedComplaints: c.resolvedComplaints, adopted: c.adopted, proposalTarget: w.proposalTarget },
  };
}

/** One agent's composite for a month. Agents see only their own; supervisors/directors/qa anyone's. */
export async function getPerformance(database: Database, ctx: Ctx, q: { month: string; agentId?: string | undefined }) {
  if (!can(ctx.actor, 'performance.view')) authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  const agentId = q.agentId ?? me.id;
  if (agentId !== me.id && !can(ctx.actor, 'performance.view')) throw notFound('Agent');
  // A supervisor sees the composite of their teams' agents only (qaScope), like their inspections.
  if (agentId !== me.id && !(await qualityRepo.agentInScope(database.db, qaScope(ctx.actor), agentId))) throw notFound('Agent');
  const people = await qualityRepo.staffNames(database.db, [agentId]);
  const p = people.get(agentId);
  if (!p) throw notFound('Agent');
  const counts = (await countsOf(database.db, [agentId], q.month)).get(agentId)!;
  return presentPerformance(q.month, { id: agentId, name: p.name, employeeNo: p.employeeNo }, counts, await weightsOf(database.db));
}

/** Rankings: the composite of every agent (of one team) the caller may see (qaScope: a supervisor their teams'), best first. */
export async function getRanking(database: Database, ctx: Ctx, q: { month: string; teamId?: string | undefined }) {
  authorize(ctx.actor, 'performance.view');
  const agents = await qualityRepo.staffWithRoles(database.db, ['agent', 'frontdesk', 'technician'], q.teamId ?? null, qaScope(ctx.actor));
  if (!agents.length) return { month: q.month, items: [] };
  const counts = await countsOf(
    database.db,
    agents.map((a) => a.id),
    q.month,
  );
  const w = await weightsOf(database.db);
  const rows = agents.map((a) => presentPerformance(q.month, { id: a.id, name: a.name, employeeNo: a.employeeNo }, counts.get(a.id)!, w));
  rows.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.agent!.employeeNo.localeCompare(b.agent!.employeeNo));
  return { month: q.month, items: rows.map((r, i) => ({ ...r, rank: i + 1 })) };
}

// ── improvement proposals (合理化建议) ──

export async function createProposal(database: Database, ctx: Ctx, input: { title: string; body: string }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await qualityRepo.insertProposal(tx, {
      id: uuidv7(),
      authorId: me.id,
      teamId: me.teamId,
      title: input.title,
      body: input.body,
      state: 'submitted',
    });
    await writeAudit(tx, ctx, { action: 'proposal.submitted', targetType: 'proposal', targetId: row.id, changes: diff(null, { title: row.title }) });
    return presentProposal(row, await qualityRepo.staffNames(tx, [me.id]));
  });
}

export async function listProposals(database: Database, ctx: Ctx, q: { mine?: boolean | undefined; state?: string | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.own');
  const me = requireStaff(ctx.actor);
  const all = can(ctx.actor, 'proposals.review');
  const rows = await qualityRepo.listProposals(database.db, { authorId: q.mine || !all ? me.id : undefined, state: q.state, limit: q.limit });
  const people = await qualityRepo.staffNames(database.db, [...new Set(rows.flatMap((r) => [r.authorId, ...(r.reviewedBy ? [r.reviewedBy] : [])]))]);
  return { items: rows.map((r) => presentProposal(r, people)) };
}

export async function reviewProposal(database: Database, ctx: Ctx, id: string, input: { decision: 'adopted' | 'declined'; note?: string | undefined }) {
  authorize(ctx.actor, 'proposals.review');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await qualityRepo.proposalById(tx, id, true);
    if (!row) throw notFound('Proposal');
    if (row.authorId === me.id) throw conflict('proposal_own', 'Nobody reviews their own proposal');
    if (row.state !== 'submitted') throw conflict('proposal_reviewed', 'The proposal was already reviewed');
    const out = await qualityRepo.updateProposal(tx, id, { state: input.decision, reviewedBy: me.id, reviewedAt: new Date(), reviewNote: input.note ?? null });
    await writeAudit(tx, ctx, { action: 'proposal.reviewed', targetType: 'proposal', targetId: id, changes: diff({ state: row.state }, { state: out.state }) });
    return presentProposal(out, await qualityRepo.staffNames(tx, [row.authorId, me.id]));
  });
}
