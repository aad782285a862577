/** Bulk actions on up to 200 tickets: each ticket its own command (and transaction), with a result per ticket. */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { assignTicket, changeTicketStatus, lockVisibleInTx, patchTicket, resolveInTx } from './tickets.commands';
import { text } from './tickets.messages';
import { ticketsRepo } from './tickets.repo';

export type BulkAction = 'assign' | 'priority' | 'tag' | 'status' | 'resolve';

export async function bulkAction(
  database: Database,
  ctx: Ctx,
  input: {
    ids: string[];
    action: BulkAction;
    ownerId?: string | null | undefined;
    teamId?: string | null | undefined;
    priority?: string | undefined;
    tags?: string[] | undefined;
    status?: 'in_progress' | 'pending_customer' | 'pending_internal' | undefined;
    resolution?: string | undefined;
  },
) {
  authorize(ctx.actor, 'tickets.bulk');
  const results: { id: string; ok: boolean; code?: string; reason?: string; detail?: string }[] = [];
  for (const id of input.ids) {
    try {
      switch (input.action) {
        case 'assign':
          await assignTicket(database, ctx, id, { ownerId: input.ownerId, teamId: input.teamId, reason: text('tickets.reason.bulk') });
          break;
        case 'priority':
          if (!input.priority) throw invalid('priority', 'required');
          await patchTicket(database, ctx, id, { priority: input.priority });
          break;
        case 'tag': {
          const t = await ticketsRepo.visibleById(database.db, ctx.actor, id);
          if (!t) throw notFound('Ticket');
          await patchTicket(database, ctx, id, { tags: [...t.tags, ...(input.tags ?? [])] });
          break;
        }
        case 'status':
          if (!input.status) throw invalid('status', 'required');
          await changeTicketStatus(database, ctx, id, { status: input.status });
          break;
        case 'resolve': {
          if (!input.resolution) throw invalid('resolution', 'required');
          await database.transaction(async (tx) => resolveInTx(tx, ctx, await lockVisibleInTx(tx, ctx.actor, id), input.resolution!));
          break;
        }
        default: {
          const never: never = input.action;
          throw new Error(String(never));
        }
      }
      results.push({ id, ok: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id, ok: false, code: err.code, ...(err.reason ? { reason: err.reason } : {}), detail: err.message });
    }
  }
  return { results, succeeded: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length };
}
