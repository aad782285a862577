import type { Actor } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import { can } from '../identity/policy';
import type { CustomerRow } from './customers.repo';

/**
 * What an actor may do with one customer record, decided once. Revealing contact details (phone, e-mail, id number)
 * needs `customers.unmask`; a merged record is history: it is neither edited nor merged again.
 */
export function customerAbilities(actor: Actor, row: Pick<CustomerRow, 'mergedIntoId'> | null) {
  const merged = Boolean(row?.mergedIntoId);
  return {
    reveal: can(actor, 'customers.unmask'),
    edit: can(actor, 'customers.write') && !merged,
    merge: can(actor, 'customers.merge') && !merged,
    seeTickets: can(actor, 'tickets.read_all') || can(actor, 'tickets.work'),
  };
}

export const canReveal = (actor: Actor) => customerAbilities(actor, null).reveal;

/** Revealing contact details is refused without `customers.unmask` (403, as the permission check always answered). */
export function assertCanReveal(actor: Actor): void {
  if (!canReveal(actor)) throw new AppError('forbidden', 'Missing permission customers.unmask');
}

export function assertCustomerEditable(row: Pick<CustomerRow, 'mergedIntoId'>): void {
  if (row.mergedIntoId) throw conflict('customer_merged', 'This customer was merged; edit the surviving record');
}

export function assertMergeable(from: Pick<CustomerRow, 'mergedIntoId' | 'internal'>, into: Pick<CustomerRow, 'mergedIntoId' | 'internal'>): void {
  if (from.mergedIntoId || into.mergedIntoId) throw conflict('customer_already_merged', 'One of these customers was already merged');
  if (from.internal || into.internal) throw conflict('customer_internal', 'The internal customer (owner of internal tickets) is never merged');
}
