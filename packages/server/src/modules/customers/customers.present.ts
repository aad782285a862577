import { maskEmail, maskIdNumber, maskPhone } from '../../lib/mask';
import type { compensations, events, tickets } from '../../db/schema';
import { normalisePhone, type CustomerRow } from './customers.repo';
import type { Assistance, Tier } from './customers.schema';

/** A customer in lists and on create (schema `Customer`); contact details masked unless revealed. */
export function presentCustomer(row: CustomerRow, reveal: boolean) {
  return {
    id: row.id,
    name: row.name,
    phone: reveal ? row.phone : maskPhone(row.phone),
    email: reveal ? row.email : maskEmail(row.email),
    tier: row.tier as Tier,
    vip: row.vip,
    tags: row.tags,
    building: row.building,
    unit: row.unit,
    room: row.room,
    masked: !reveal && Boolean(row.phone || row.email),
    ...(row.internal ? { internal: true } : {}),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The full CRM profile (schema `CustomerProfile`). */
export function presentProfile(r: CustomerRow, reveal: boolean, assistStaffName: string | null = null) {
  return {
    id: r.id,
    name: r.name,
    phone: reveal ? r.phone : maskPhone(r.phone),
    email: reveal ? r.email : maskEmail(r.email),
    wechatId: r.wechatId,
    idNumber: reveal ? r.idNumber : maskIdNumber(r.idNumber),
    tier: r.tier as Tier,
    vip: r.vip,
    tags: r.tags,
    addresses: r.addresses as { label: string; text: string }[],
    building: r.building,
    unit: r.unit,
    room: r.room,
    demandType: r.demandType,
    notes: r.notes,
    assistance: r.assistance as Assistance,
    assistanceNote: r.assistanceNote,
    assistStaffId: r.assistStaffId,
    assistStaffName: r.assistStaffId ? assistStaffName : null,
    consent: r.consent as Record<string, boolean>,
    mergedIntoId: r.mergedIntoId,
    internal: r.internal,
    masked: !reveal,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A possible duplicate (schema `CustomerDuplicate`): masked, with what matched. */
export function presentDuplicate(r: CustomerRow, phone: string | null | undefined, email: string | null | undefined) {
  return {
    id: r.id,
    name: r.name,
    phone: maskPhone(r.phone),
    email: maskEmail(r.email),
    tier: r.tier,
    matchedOn: [phone && r.phone === normalisePhone(phone) ? 'phone' : null, email && r.email === email.toLowerCase() ? 'email' : null].filter(
      Boolean,
    ) as string[],
  };
}

export const present360Ticket = (t: typeof tickets.$inferSelect) => ({
  id: t.id,
  number: t.number,
  subject: t.subject,
  type: t.type,
  status: t.status,
  priority: t.priority,
  createdAt: t.createdAt.toISOString(),
});

export const present360Compensation = (x: typeof compensations.$inferSelect & { acceptance: string | null }) => ({
  id: x.id,
  ticketId: x.ticketId,
  kind: x.kind,
  amountFen: x.amountFen,
  state: x.state,
  acceptance: x.acceptance,
  reason: x.reason,
  createdAt: x.createdAt.toISOString(),
});

export const presentTimelineEntry = (r: { e: typeof events.$inferSelect; staffName: string | null }) => ({
  id: String(r.e.id),
  at: r.e.at.toISOString(),
  kind: r.e.kind,
  aggregateType: r.e.aggregateType,
  aggregateId: r.e.aggregateId,
  actorName: r.staffName,
  data: r.e.data as Record<string, unknown>,
});
