/**
 * Counted standards (计数型标准): "answer within 3 rings" compares a recorded count with an inclusive limit when the
 * count is known — the ring count of a logged phone call on `ticket.created`, the public exchanges (staff public
 * replies and customer replies) and the transfers (team transfers, transfers between agents of one team, confirmed
 * handovers) on `ticket.resolved`.
 * Each evaluation is stored as a standard instance that has already ended, `met` or `breached`, with the observed
 * count and the limit, so compliance, measures, dashboards and the wall count it like a timed encounter.
 */
import type { Tx } from '../db/client';
import { uuidv7 } from '../lib/ids';
import { countEventOf, type CountSource, type StandardDefinition } from '../modules/standards/definition';
import type { TicketEvent, TicketSnapshot } from '../modules/tickets/ticket-events';
import type { VersionInfo } from './catalogue';
import { clocksRepo, type InstanceRow } from './clocks.repo';

// Extension point — visits (上门次数): when field service records `field.visit_completed`, add 'visits' to COUNT_SOURCES
// and countEventOf (standards/definition.ts) and count those events here; the display texts already know the source.
const CONTACT_KINDS = ['ticket.first_public_reply', 'ticket.public_reply', 'ticket.customer_reply'];
const TRANSFER_KINDS = ['ticket.team_transferred', 'ticket.owner_transferred', 'ticket.handover_confirmed'];

/** Counted standards of the catalogue evaluated on this event. */
export const countedFor = (catalogue: VersionInfo[], kind: string) =>
  catalogue.filter((v) => v.def.measure === 'count' && v.def.count && countEventOf(v.def.count.source) === kind);

/** The count a source observes on this ticket at this event; null when it was not recorded (a call without rings). */
export async function observe(tx: Tx, source: CountSource, t: TicketSnapshot, ev: TicketEvent): Promise<number | null> {
  if (source === 'ring_count') {
    const rings = (ev.data as { ringCount?: unknown }).ringCount;
    return typeof rings === 'number' && Number.isFinite(rings) ? rings : null;
  }
  return clocksRepo.countEvents(tx, t.id, source === 'transfers' ? TRANSFER_KINDS : CONTACT_KINDS, ev.id);
}

/** The ended instance that records one evaluation. */
export function countedInstance(v: VersionInfo, def: StandardDefinition, t: TicketSnapshot, at: number, observed: number, cycle: number): InstanceRow {
  const limit = def.count!.limit;
  const met = observed <= limit;
  const when = new Date(at);
  return {
    id: uuidv7(),
    standardId: v.standardId,
    versionId: v.id,
    code: v.code,
    ticketId: t.id,
    cycle,
    state: met ? 'met' : 'breached',
    calendarId: null,
    startedAt: when,
    limitMs: 0,
    consumedMs: 0,
    segmentStartedAt: null,
    dueAt: when,
    pausedAt: null,
    metAt: met ? when : null,
    breachedAt: met ? null : when,
    endedAt: when,
    endReason: 'counted',
    warningsSent: 0,
    escalationsSent: 0,
    nextActionAt: null,
    nextAction: null,
    late: false,
    attempts: 0,
    lastError: null,
    ownerId: t.ownerId,
    teamId: t.teamId,
    channel: t.channel,
    tier: t.customerTier,
    ticketType: t.type,
    priority: t.priority,
    createdAt: new Date(),
    observed,
    countLimit: limit,
  };
}
