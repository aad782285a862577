/** A staff member's own working settings: duty (签入/签出), saved queue filters; and the supervisor's load view. */
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, can, requireStaff } from '../identity/policy';
import { dutyRepo } from './tickets.duty.repo';
import { handoversRepo } from './tickets.handovers.repo';
import { ticketsRepo } from './tickets.repo';

export async function listSavedFilters(database: Database, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  const rows = await dutyRepo.filters(database.db, actor.id);
  return { items: rows.map((r) => ({ id: r.id, name: r.name, query: r.query as Record<string, string> })) };
}

export async function createSavedFilter(database: Database, ctx: Ctx, input: { name: string; query: Record<string, string> }) {
  const actor = requireStaff(ctx.actor);
  const id = uuidv7();
  await database.transaction(async (tx) => {
    await dutyRepo.insertFilter(tx, { id, staffId: actor.id, name: input.name, query: input.query });
    await writeAudit(tx, ctx, { action: 'saved_filter.created', targetType: 'saved_filter', targetId: id });
  });
  return { id, name: input.name, query: input.query };
}

export async function deleteSavedFilter(database: Database, ctx: Ctx, id: string) {
  const actor = requireStaff(ctx.actor);
  await database.transaction(async (tx) => {
    if (!(await dutyRepo.deleteFilter(tx, id, actor.id))) throw notFound('Saved filter');
    await writeAudit(tx, ctx, { action: 'saved_filter.deleted', targetType: 'saved_filter', targetId: id });
  });
}

export async function setDuty(database: Database, ctx: Ctx, onDuty: boolean) {
  const actor = requireStaff(ctx.actor);
  await database.transaction(async (tx) => {
    const before = await dutyRepo.onDuty(tx, actor.id);
    await dutyRepo.setOnDuty(tx, actor.id, onDuty);
    await writeAudit(tx, ctx, {
      action: onDuty ? 'staff.signed_in_duty' : 'staff.signed_out_duty',
      targetType: 'staff',
      targetId: actor.id,
      changes: diff({ onDuty: before }, { onDuty }),
    });
  });
  return { onDuty };
}

const SERVICE_ROLES = ['agent', 'supervisor', 'technician', 'frontdesk'];

/** Supervisor view: open load and on-duty state per member of the teams they can see. */
export async function teamLoad(database: Database, ctx: Ctx, teamId?: string) {
  const actor = requireStaff(ctx.actor);
  authorize(actor, 'tickets.work');
  const ex = database.db;
  const scopeTeam = can(actor, 'tickets.read_all') ? teamId : (actor.teamId ?? '00000000-0000-0000-0000-000000000000');
  const members = await dutyRepo.activeMembers(ex, scopeTeam);
  const ids = members.map((m) => m.s.id);
  const [load, ph] = [await ticketsRepo.openLoad(ex, ids), await handoversRepo.pendingPerReceiver(ex, ids)];
  return {
    items: members
      .filter((m) => m.s.roles.some((r) => SERVICE_ROLES.includes(r)))
      .map((m) => ({
        staffId: m.s.id,
        employeeNo: m.s.employeeNo,
        name: m.s.name,
        teamId: m.s.teamId,
        teamName: m.teamName,
        onDuty: m.s.onDuty,
        openTickets: load.get(m.s.id) ?? 0,
        pendingHandovers: ph.get(m.s.id) ?? 0,
      })),
  };
}
