import { maskEmail, maskIdNumber, maskPhone } from '../../lib/mask';
import type { compensations, customerIdentities, events, tickets } from '../../db/schema';
import type { CustomerRow } from './customers.repo';
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

/**
 * A possible duplicate (schema `CustomerDuplicate`): masked, with what matched — its phone or e-mail, on the record or
 * given on a channel (`claimed`: its phone/e-mail identities).
 */
export function presentDuplicate(r: CustomerRow, claimed: { kind: string; value: string }[], phones: string[], emails: string[]) {
  const has = (kind: 'phone' | 'email', own: string | null, wanted: string[]) =>
    (own !== null && wanted.includes(own)) || claimed.some((c) => c.kind === kind && wanted.includes(c.value));
  return {
    id: r.id,
    name: r.name,
    phone: maskPhone(r.phone),
    email: maskEmail(r.email),
    tier: r.tier,
    matchedOn: [has('phone', r.phone, phones) ? 'phone' : null, has('email', r.email, emails) ? 'email' : null].filter(Boolean) as string[],
  };
}

/** An identity's value as shown: phone and e-mail masked like the profile, an openid/unionid cut to its ends. */
export function maskIdentity(kind: string, value: string): string {
  if (kind === 'phone') return maskPhone(value) ?? '';
  if (kind === 'email') return maskEmail(value) ?? '';
  return value.length > 8 ? `${value.slice(0, 4)}***${value.slice(-4)}` : '***';
}

type IdentityRow = { i: typeof customerIdentities.$inferSelect; channelName: string | null; channelKind: string | null };
type SeenRow = { channelId: string; channelName: string; channelKind: string; first: Date; last: Date };

/**
 * The customer's identities across channels (schema `CustomerIdentity`): phone, e-mail and WeChat ID of the record
 * (`source: record`; the e-mail with each mail channel it wrote by, first/last message), then what channels attached
 * (`source: channel`: openid, a phone written in a message …) with the first and last time seen. Masked unless revealed.
 */
export function presentIdentities(c: CustomerRow, rows: IdentityRow[], seen: SeenRow[], reveal: boolean) {
  const show = (kind: string, v: string) => (reveal ? v : maskIdentity(kind, v));
  const out: {
    kind: string;
    value: string;
    source: 'record' | 'channel';
    channel: { id: string; name: string; kind: string } | null;
    firstSeen: string | null;
    lastSeen: string | null;
  }[] = [];
  // A phone or e-mail on the record that a channel also attached (e.g. written in a WeChat message) is listed once, as the channel's.
  const attached = (kind: string, v: string) => rows.some((r) => r.i.kind === kind && r.i.value === v);
  if (c.phone && !attached('phone', c.phone))
    out.push({ kind: 'phone', value: show('phone', c.phone), source: 'record', channel: null, firstSeen: null, lastSeen: null });
  if (c.email) {
    const mail = seen.filter((s) => s.channelKind === 'email');
    if (!mail.length && !attached('email', c.email))
      out.push({ kind: 'email', value: show('email', c.email), source: 'record', channel: null, firstSeen: null, lastSeen: null });
    for (const m of mail)
      out.push({
        kind: 'email',
        value: show('email', c.email),
        source: 'record',
        channel: { id: m.channelId, name: m.channelName, kind: m.channelKind },
        firstSeen: m.first.toISOString(),
        lastSeen: m.last.toISOString(),
      });
  }
  if (c.wechatId) out.push({ kind: 'wechat_id', value: c.wechatId, source: 'record', channel: null, firstSeen: null, lastSeen: null });
  for (const r of rows) {
    const s = seen.find((x) => x.channelId === r.i.channelId);
    const last = [r.i.lastInAt, s?.last].filter((d): d is Date => Boolean(d)).sort((a, b) => b.getTime() - a.getTime())[0];
    out.push({
      kind: r.i.kind,
      value: show(r.i.kind, r.i.value),
      source: 'channel',
      channel: r.i.channelId && r.channelName ? { id: r.i.channelId, name: r.channelName, kind: r.channelKind ?? '' } : null,
      firstSeen: r.i.createdAt.toISOString(),
      lastSeen: (last ?? r.i.createdAt).toISOString(),
    });
  }
  return out;
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
