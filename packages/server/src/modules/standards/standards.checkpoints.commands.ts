/**
 * Quality checkpoints (服务质量监控点): a standard may be the checkpoint of a key node of a ticket's flow (first
 * response, solution confirmed, resolution confirmed by the customer). A ticket's checkpoint row: per node, the
 * standard and its state — passed (met), failed (breached), pending (running, or not started yet on a ticket it
 * applies to), not_applicable (no standard for the node, the standard does not apply, or its clock was cancelled).
 */
import type { Database } from '../../db/client';
import { activeCatalogue, loadSnapshots, type VersionInfo } from '../../engine/engine';
import type { Ctx } from '../../lib/context';
import { notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { ticketsRepo } from '../tickets/tickets.repo';
import { appliesToTicket, CHECKPOINT_NODES, type CheckpointNode } from './definition';
import { standardsForTicket, type TicketStandard } from './standards.repo';

export type CheckpointState = 'passed' | 'failed' | 'pending' | 'not_applicable';

/** Per node, the active standard that is its checkpoint (the first by code when several are). */
function checkpointStandards(catalogue: VersionInfo[]): Map<CheckpointNode, VersionInfo> {
  const out = new Map<CheckpointNode, VersionInfo>();
  for (const v of [...catalogue].sort((a, b) => a.code.localeCompare(b.code))) {
    const node = v.def.checkpoint;
    if (node && !out.has(node)) out.set(node, v);
  }
  return out;
}

const standardRef = (v: VersionInfo | undefined) => (v ? { id: v.standardId, code: v.code, name: v.def.name } : null);

export async function listCheckpointStandards(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'standards.view');
  const byNode = checkpointStandards(await activeCatalogue(database.db));
  return { items: CHECKPOINT_NODES.map((node) => ({ node, standard: standardRef(byNode.get(node)) })) };
}

function stateOf(clock: TicketStandard | undefined, applies: boolean): { state: CheckpointState; at: string | null } {
  if (!clock) return { state: applies ? 'pending' : 'not_applicable', at: null };
  switch (clock.state) {
    case 'met':
      return { state: 'passed', at: clock.metAt ?? clock.endedAt };
    case 'breached':
      return { state: 'failed', at: clock.breachedAt };
    case 'running':
    case 'paused':
      return { state: 'pending', at: null };
    case 'cancelled':
      return { state: 'not_applicable', at: clock.endedAt };
  }
}

export async function ticketCheckpoints(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'standards.view');
  const ex = database.db;
  if (!(await ticketsRepo.visibleById(ex, ctx.actor, ticketId))) throw notFound('Ticket');
  const byNode = checkpointStandards(await activeCatalogue(ex));
  const clocks = byNode.size ? await standardsForTicket(ex, ticketId) : [];
  const snap = byNode.size ? (await loadSnapshots(ex, [ticketId])).get(ticketId) : undefined;
  return {
    items: CHECKPOINT_NODES.map((node) => {
      const v = byNode.get(node);
      if (!v || !snap) return { node, standard: standardRef(v), state: 'not_applicable' as const, at: null, dueAt: null, observed: null, limit: null };
      // the latest encounter of that standard on the ticket
      const clock = clocks.filter((c) => c.standardId === v.standardId).at(-1);
      const { state, at } = stateOf(clock, appliesToTicket(v.def.appliesTo, snap));
      return {
        node,
        standard: standardRef(v),
        state,
        at,
        dueAt: clock?.dueAt ?? null,
        observed: (clock?.observed as number | null | undefined) ?? null,
        limit: (clock?.countLimit as number | null | undefined) ?? null,
      };
    }),
  };
}
