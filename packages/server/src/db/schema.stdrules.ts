import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The customer's answer to a compensation offered (seed 001: 补偿须经客户确认接受): accepted or refused, by which
 * channel, recorded by staff or by the customer in the portal (modules/process, process.compensation.*). A granted
 * compensation without a row is "offered" and does not count as granted yet.
 */
export const compensationAcceptances = pgTable(
  'compensation_acceptances',
  {
    compensationId: uuid('compensation_id').primaryKey(),
    ticketId: uuid('ticket_id').notNull(),
    /** accepted | refused */
    decision: text('decision').notNull(),
    /** portal | phone | walk_in | wechat | email | other | legacy */
    channel: text('channel').notNull(),
    /** staff | customer | system */
    byKind: text('by_kind').notNull(),
    byId: uuid('by_id'),
    note: text('note'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('compensation_acceptances_ticket_idx').on(t.ticketId)],
);
