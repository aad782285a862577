/**
 * What an actor may do with one ticket, decided once: `ticketAbilities` gives the presented `allowed` flags, and the
 * commands call `assertTicket` with the same rules, which throws the refusal (a stable `reason` for the web app).
 * Route-level permissions stay in tickets.access.ts; this file decides per record (status, ownership, pending work).
 */
import type { Actor } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import { can } from '../identity/policy';
import { OPEN_STATUSES } from './tickets.schema';

export const isOpenStatus = (s: string) => (OPEN_STATUSES as readonly string[]).includes(s);

/** What the rules read of a ticket. `pendingHandover`: a handover of it waits for confirmation (when known). */
export interface TicketPolicyRecord {
  status: string;
  /** `internal` (内部工单): no customer to compensate. */
  type?: string | undefined;
  ownerId: string | null;
  pendingHandover?: boolean | undefined;
}

export const TICKET_ABILITIES = ['reply', 'note', 'assign', 'take', 'handover', 'compensate', 'changeStatus', 'resolve', 'close', 'reopen'] as const;
export type TicketAbility = (typeof TICKET_ABILITIES)[number];
export type TicketAbilities = Record<TicketAbility, boolean>;

const works = (a: Actor) => a.kind === 'staff' && can(a, 'tickets.work');
const supervises = (a: Actor) => a.kind === 'staff' && can(a, 'tickets.assign_any');
const notAllowed = (detail = 'You are not allowed to do this') => new AppError('forbidden', detail);

/** A ticket that is no longer open: closed or resolved, each with its reason. */
export function notOpen(t: TicketPolicyRecord, detail?: string): AppError {
  if (t.status === 'closed') return conflict('ticket_closed', detail ?? 'The ticket is closed; reopen it first');
  return conflict('ticket_resolved', detail ?? `The ticket is already ${t.status}; reopen it first`, { status: t.status });
}

type Rule = (a: Actor, t: TicketPolicyRecord) => AppError | null;

/** Each ability: null when allowed, else the refusal the command throws. One rule per ability. */
const RULES: Record<TicketAbility, Rule> = {
  // Public replies: customers on their own tickets, staff who work tickets; never on a closed ticket.
  reply: (a, t) => {
    if (a.kind !== 'customer' && !works(a)) return notAllowed();
    if (t.type === 'internal') return conflict('ticket_internal', 'An internal ticket (内部工单) has no customer to reply to; add an internal note');
    if (t.status === 'closed') return conflict('ticket_closed', 'This ticket is closed; reopen it or open a new one');
    return null;
  },
  note: (a, t) => {
    if (!works(a)) return notAllowed();
    if (t.status === 'closed') return conflict('ticket_closed', 'This ticket is closed; reopen it or open a new one');
    return null;
  },
  // Assigning to others: supervisors (tickets.assign_any), or anyone who works tickets while it has no owner.
  assign: (a, t) => {
    if (!works(a)) return notAllowed();
    if (!isOpenStatus(t.status)) return notOpen(t, `A ${t.status} ticket cannot be reassigned`);
    if (t.ownerId && !supervises(a)) {
      return t.ownerId === a.id
        ? new AppError('forbidden', 'Hand the ticket over instead: the receiver must confirm before ownership moves', { reason: 'hand_over_instead' })
        : new AppError('forbidden', 'This ticket has an owner: ownership moves through a confirmed handover (服务交接)', { reason: 'ticket_has_owner' });
    }
    return null;
  },
  // First-contact ownership: an open, unowned ticket.
  take: (a, t) => {
    if (!works(a)) return notAllowed();
    if (t.ownerId && t.ownerId !== a.id) return conflict('ticket_owned', 'Someone already owns this ticket; ask them for a handover');
    if (!isOpenStatus(t.status)) return notOpen(t, `A ${t.status} ticket cannot be taken`);
    return null;
  },
  // Handover: the owner (or a supervisor) of an open ticket without a handover waiting.
  handover: (a, t) => {
    if (!works(a)) return notAllowed();
    if (!isOpenStatus(t.status)) return notOpen(t, 'Only an open ticket can be handed over');
    if (t.ownerId !== a.id && !supervises(a)) {
      return new AppError('forbidden', 'Only the owner (or a supervisor) hands a ticket over', { reason: 'handover_owner_only' });
    }
    if (t.pendingHandover) return conflict('handover_pending', 'A handover of this ticket is already waiting for confirmation');
    return null;
  },
  compensate: (a, t) => {
    if (!works(a)) return notAllowed();
    if (t.type === 'internal') return conflict('ticket_internal', 'An internal ticket (内部工单) has no customer to compensate');
    if (t.status === 'closed') return conflict('ticket_closed', 'The ticket is closed');
    return null;
  },
  changeStatus: (a, t) => {
    if (!works(a)) return notAllowed();
    if (!isOpenStatus(t.status)) return notOpen(t, `A ${t.status} ticket cannot change status; reopen it first`);
    return null;
  },
  resolve: (a, t) => {
    if (!works(a)) return notAllowed();
    if (!isOpenStatus(t.status)) return notOpen(t, `The ticket is already ${t.status}`);
    return null;
  },
  // Closing: staff who work tickets, or the customer confirming the resolution (portal).
  close: (a, t) => {
    if (a.kind !== 'customer' && !works(a)) return notAllowed();
    if (t.status !== 'resolved') return conflict('ticket_not_resolved', 'Only a resolved ticket can be closed', { status: t.status });
    return null;
  },
  reopen: (a, t) => {
    if (a.kind !== 'customer' && !works(a)) return notAllowed();
    if (t.status !== 'resolved' && t.status !== 'closed') return conflict('ticket_still_open', 'Only a resolved or closed ticket can be reopened');
    return null;
  },
};

/**
 * Assigning with a given input: the `assign` rule, except that an owner without `tickets.assign_any` may still keep
 * themselves as owner (e.g. move the ticket to another team); and only supervisors assign an unowned ticket to others.
 */
export function assertAssign(actor: Actor, t: TicketPolicyRecord, input: { ownerId?: string | null | undefined }): void {
  const refusal = RULES.assign(actor, t);
  const keepsOwner = input.ownerId === undefined || input.ownerId === actor.id;
  if (refusal && !(refusal.reason === 'hand_over_instead' && keepsOwner)) throw refusal;
  if (!supervises(actor) && input.ownerId && input.ownerId !== actor.id && t.ownerId !== actor.id) {
    throw new AppError('forbidden', 'You can take an unowned ticket yourself; assigning it to others needs a supervisor', {
      reason: 'assign_needs_supervisor',
    });
  }
}

/** The refusal for an ability, or null when allowed. */
export const ticketRefusal = (actor: Actor, t: TicketPolicyRecord, ability: TicketAbility): AppError | null => RULES[ability](actor, t);

/** Every ability at once (the presented `allowed` flags). */
export function ticketAbilities(actor: Actor, t: TicketPolicyRecord): TicketAbilities {
  const out = {} as TicketAbilities;
  for (const k of TICKET_ABILITIES) out[k] = RULES[k](actor, t) === null;
  return out;
}

/** Throw the refusal when the actor may not do this with the ticket. */
export function assertTicket(actor: Actor, t: TicketPolicyRecord, ability: TicketAbility): void {
  const refusal = RULES[ability](actor, t);
  if (refusal) throw refusal;
}
