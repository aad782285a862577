import { index, integer, jsonb, pgTable, uniqueIndex, uuid, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The solution options offered on a complaint (seed 001: 提供 2–3 个解决方案供客户选择) and the one the customer chose
 * (modules/process). One current offer per ticket: offering again replaces it (the customer turned them all down).
 */
export const solutionOffers = pgTable(
  'solution_offers',
  {
    id: uuid('id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    options: jsonb('options').$type<string[]>().notNull(),
    /** Index into options of the customer's choice; null until chosen. */
    chosen: integer('chosen'),
    offeredById: uuid('offered_by_id').notNull(),
    offeredAt: ts('offered_at').notNull().defaultNow(),
    chosenById: uuid('chosen_by_id'),
    chosenAt: ts('chosen_at'),
  },
  (t) => [uniqueIndex('solution_offers_ticket_key').on(t.ticketId), index('solution_offers_offered_idx').on(t.offeredAt)],
);
