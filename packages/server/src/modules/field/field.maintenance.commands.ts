import type { Database, Executor, Tx } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { notify } from '../../lib/notify';
import { authorize, can, permissionsOf } from '../identity/policy';
import { nextDueOnOrAfter, type Every } from './field.maintenance';
import { fieldMaintenanceRepo as repo, REPAIR_TYPES, type PlanRow, type ProposalRow, type SubjectKind } from './field.maintenance.repo';
import type { CadenceInput, PlanCreateInput } from './field.maintenance.schema';
import { fieldPartsRepo } from './field.parts.repo';
import { localDate } from './field.time';

export const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

/** The recurring-fault rule: `threshold` repairs of one asset or site within `windowDays` propose maintenance. */
export const RECURRING_KEY = 'field.maintenance.recurring';
export const RECURRING_DEFAULT = { threshold: 3, windowDays: 90 };

export async function recurringRule(ex: Executor): Promise<{ threshold: number; windowDays: number }> {
  const v = (await repo.setting(ex, RECURRING_KEY)) as Partial<typeof RECURRING_DEFAULT> | undefined;
  return { ...RECURRING_DEFAULT, ...(v ?? {}) };
}

/**
 * Recurring faults, inside the transaction of the event that may add a repair (a visit booked for a repair ticket,
 * an arrival checked in on an asset's code): for each subject, the repair tickets there within the window — counted
 * from the subject's last decided proposal on, so a dismissed one is not proposed again by the same repairs — reaching
 * the threshold open one proposal (at most one open per subject; an open one gets the new history) and notify the
 * field.manage users.
 */
export async function detectRecurring(tx: Tx, ctx: Ctx, ticketType: string, subjects: { kind: SubjectKind; id: string | null }[]) {
  if (!(REPAIR_TYPES as readonly string[]).includes(ticketType)) return;
  const rule = await recurringRule(tx);
  for (const s of subjects) {
    if (!s.id) continue;
    const windowStart = new Date(Date.now() - rule.windowDays * 86_400_000);
    const decided = await repo.lastDecidedAt(tx, s.kind, s.id);
    const since = decided && decided > windowStart ? decided : windowStart;
    const repairs = (await repo.repairsAt(tx, s.kind, s.id, since)).map((r) => r.id);
    if (repairs.length < rule.threshold) continue;
    const open = await repo.openProposal(tx, s.kind, s.id);
    if (open) {
      const merged = [...new Set([...open.ticketIds, ...repairs])];
      if (merged.length !== open.ticketIds.length) await repo.updateProposal(tx, open.id, { ticketIds: merged });
      continue;
    }
    const row = await repo.insertProposal(tx, { id: uuidv7(), subjectKind: s.kind, subjectId: s.id, ticketIds: repairs, state: 'open' });
    if (!row) continue;
    await writeAudit(tx, ctx, { action: 'field.maintenance_proposed', targetType: 'field_maintenance_proposal', targetId: row.id });
    const names = await repo.names(tx, s.kind === 'asset' ? [s.id] : [], s.kind === 'site' ? [s.id] : []);
    const params = { name: names.get(s.id) ?? '', count: repairs.length, days: rule.windowDays };
    for (const r of await fieldPartsRepo.activeStaff(tx)) {
      if (!permissionsOf(r.roles).has('field.manage')) continue;
      await notify(tx, {
        recipientId: r.id,
        kind: 'field.maintenance_proposal',
        title: { key: 'field.maintenance.proposal', params },
        data: { proposalId: row.id, subjectKind: s.kind, subjectId: s.id },
      });
    }
  }
}

function viewer(ctx: Ctx) {
  if (!can(ctx.actor, 'field.dispatch')) authorize(ctx.actor, 'field.manage');
}

async function presentProposals(ex: Executor, ctx: Ctx, rows: ProposalRow[]) {
  const tickets = new Map((await repo.ticketsByIds(ex, ctx.actor, [...new Set(rows.flatMap((r) => r.ticketIds))])).map((t) => [t.id, t]));
  const names = await repo.names(
    ex,
    rows.filter((r) => r.subjectKind === 'asset').map((r) => r.subjectId),
    rows.filter((r) => r.subjectKind === 'site').map((r) => r.subjectId),
  );
  return rows.map((r) => ({
    id: r.id,
    subjectKind: r.subjectKind as SubjectKind,
    subjectId: r.subjectId,
    subjectName: names.get(r.subjectId) ?? '',
    state: r.state as 'open' | 'accepted' | 'dismissed',
    reason: r.reason,
    outcome: r.outcome as 'plan' | 'inspection' | null,
    planId: r.planId,
    inspectionTicketId: r.ticketId,
    inspectionVisitId: r.visitId,
    ticketCount: r.ticketIds.length,
    tickets: r.ticketIds.flatMap((id) => {
      const t = tickets.get(id);
      return t ? [{ id: t.id, number: t.number, subject: t.subject, type: t.type, createdAt: t.createdAt.toISOString() }] : [];
    }),
    createdAt: r.createdAt.toISOString(),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
  }));
}

export async function listProposals(database: Database, ctx: Ctx, state?: string) {
  viewer(ctx);
  return { items: await presentProposals(database.db, ctx, await repo.proposals(database.db, state)) };
}

export function cadenceOf(input: CadenceInput): Every {
  if ((input.everyDays === undefined) === (input.everyMonths === undefined)) throw invalid('everyDays', 'give exactly one of everyDays and everyMonths');
  return input.everyDays !== undefined ? { n: input.everyDays, unit: 'day' } : { n: input.everyMonths!, unit: 'month' };
}

type PlanSubject = { kind: SubjectKind; id: string } | { kind: 'model'; model: string };

export async function insertPlan(tx: Tx, ctx: Ctx, subject: PlanSubject, input: CadenceInput) {
  const every = cadenceOf(input);
  const plan = await repo.insertPlan(tx, {
    id: uuidv7(),
    assetId: subject.kind === 'asset' ? subject.id : null,
    siteId: subject.kind === 'site' ? subject.id : null,
    assetModel: subject.kind === 'model' ? subject.model : null,
    everyN: every.n,
    unit: every.unit,
    startDate: input.startDate ?? localDate(new Date()),
    leadDays: input.leadDays,
    calendarId: input.calendarId ?? null,
    active: true,
    createdBy: ctx.actor.id ?? null,
  });
  await writeAudit(tx, ctx, { action: 'field.maintenance_plan_created', targetType: 'field_maintenance_plan', targetId: plan.id });
  return plan;
}

/** Decide an open proposal (409 proposal_state when decided) in one transaction with its audit. */
export async function decide(database: Database, ctx: Ctx, id: string, fn: (tx: Tx, p: ProposalRow) => Promise<Partial<ProposalRow>>) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const p = await repo.proposalById(tx, id, true);
    if (!p) throw notFound('Proposal');
    if (p.state !== 'open') throw new AppError('conflict', `The proposal is ${p.state}`, { reason: 'proposal_state', params: { state: p.state } });
    const row = await repo.updateProposal(tx, id, { ...(await fn(tx, p)), decidedBy: ctx.actor.id ?? null, decidedAt: new Date() });
    await writeAudit(tx, ctx, {
      action: `field.maintenance_${row.state}`,
      targetType: 'field_maintenance_proposal',
      targetId: id,
      changes: { state: { before: 'open', after: row.state } },
    });
    return (await presentProposals(tx, ctx, [row]))[0]!;
  });
}

export const dismissProposal = (database: Database, ctx: Ctx, id: string, reason: string) =>
  decide(database, ctx, id, () => Promise.resolve({ state: 'dismissed', reason }));

// ── plans ──

async function presentPlans(ex: Executor, rows: PlanRow[]) {
  const names = await repo.names(
    ex,
    rows.flatMap((r) => (r.assetId ? [r.assetId] : [])),
    rows.flatMap((r) => (r.siteId ? [r.siteId] : [])),
  );
  const counts = await repo.modelCounts(ex, [...new Set(rows.flatMap((r) => (r.assetModel !== null ? [r.assetModel] : [])))]);
  const today = localDate(new Date());
  return rows.map((r) => {
    const subjectId = r.assetId ?? r.siteId;
    const subjectKind: SubjectKind | 'model' = r.assetModel !== null ? 'model' : r.assetId ? 'asset' : 'site';
    return {
      id: r.id,
      subjectKind,
      subjectId,
      subjectName: r.assetModel ?? names.get(subjectId!) ?? '',
      assetModel: r.assetModel,
      /** The assets the plan visits: those of the model, else 1 (0 when its asset is gone). */
      assetCount: r.assetModel !== null ? (counts.get(r.assetModel) ?? 0) : r.assetId ? (names.has(r.assetId) ? 1 : 0) : 0,
      everyN: r.everyN,
      unit: r.unit as 'day' | 'month',
      startDate: r.startDate,
      leadDays: r.leadDays,
      calendarId: r.calendarId,
      active: r.active,
      nextDue: nextDueOnOrAfter(r.startDate, { n: r.everyN, unit: r.unit as 'day' | 'month' }, today),
      createdAt: r.createdAt.toISOString(),
    };
  });
}

export async function createPlan(database: Database, ctx: Ctx, input: PlanCreateInput) {
  authorize(ctx.actor, 'field.manage');
  const given = [input.assetId, input.siteId, input.assetModel].filter((v) => v !== undefined).length;
  if (given !== 1) throw invalid('assetId', 'give exactly one of assetId, siteId and assetModel');
  cadenceOf(input);
  return database.transaction(async (tx) => {
    if (input.assetId && !(await repo.assetById(tx, input.assetId))) throw invalid('assetId', 'unknown asset');
    if (input.siteId && !(await repo.siteById(tx, input.siteId))) throw invalid('siteId', 'unknown site');
    const subject: PlanSubject =
      input.assetModel !== undefined
        ? { kind: 'model', model: input.assetModel }
        : input.assetId
          ? { kind: 'asset', id: input.assetId }
          : { kind: 'site', id: input.siteId! };
    return (await presentPlans(tx, [await insertPlan(tx, ctx, subject, input)]))[0]!;
  });
}

export async function listPlans(database: Database, ctx: Ctx) {
  viewer(ctx);
  return { items: await presentPlans(database.db, await repo.plans(database.db)) };
}

export async function patchPlan(database: Database, ctx: Ctx, id: string, input: { active: boolean }) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const before = await repo.planById(tx, id);
    if (!before) throw notFound('Plan');
    const row = (await repo.updatePlan(tx, id, { active: input.active }))!;
    await writeAudit(tx, ctx, {
      action: 'field.maintenance_plan_updated',
      targetType: 'field_maintenance_plan',
      targetId: id,
      changes: { active: { before: before.active, after: row.active } },
    });
    return (await presentPlans(tx, [row]))[0]!;
  });
}

// ── the recurring-fault rule ──

export async function getRecurringRule(database: Database, ctx: Ctx) {
  viewer(ctx);
  return recurringRule(database.db);
}

export async function putRecurringRule(database: Database, ctx: Ctx, input: { threshold: number; windowDays: number }) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    const before = await recurringRule(tx);
    await repo.putSetting(tx, RECURRING_KEY, input);
    await writeAudit(tx, ctx, {
      action: 'field.maintenance_rule',
      targetType: 'setting',
      targetId: RECURRING_KEY,
      changes: { rule: { before, after: input } },
    });
    return input;
  });
}
