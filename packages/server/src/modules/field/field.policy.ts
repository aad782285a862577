import type { Actor } from '../../lib/context';
import type { VisitRow } from './field.repo';

/** A visit is worked only by its technician (others get 404: they do not learn it exists). */
export const isVisitTechnician = (actor: Actor, visit: Pick<VisitRow, 'technicianId'>): boolean =>
  actor.kind === 'staff' && visit.technicianId !== null && visit.technicianId === actor.id;

/** The state moves a technician makes on a visit, and the states each starts from. */
export const VISIT_MOVES = {
  accept: ['scheduled'],
  decline: ['scheduled', 'accepted'],
  depart: ['scheduled', 'accepted'],
  arrive: ['scheduled', 'accepted', 'en_route'],
  start: ['arrived'],
  complete: ['started'],
} as const satisfies Record<string, readonly string[]>;
export type VisitMove = keyof typeof VISIT_MOVES;

export const canMove = (move: VisitMove, state: string): boolean => (VISIT_MOVES[move] as readonly string[]).includes(state);

/** Arrival relative to the window [start, end): before it early, inside on time, at or after its end late. */
export function arrivalTiming(at: Date, start: Date, end: Date): 'early' | 'on_time' | 'late' {
  if (at < start) return 'early';
  if (at >= end) return 'late';
  return 'on_time';
}

/** Days within which a repeat visit at the same site counts against first-time fix (7-day guarantee). */
export const REPEAT_WINDOW_DAYS = 7;
