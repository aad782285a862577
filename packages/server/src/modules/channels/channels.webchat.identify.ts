/**
 * Visitor identification in the web chat widget (issue #14 item 3). A visitor proves a mainland mobile with a one-time
 * code — the portal's own code path (`requestCode`: the SMS channel's login_code sender, per-number limits, demo code on
 * screen; `countCodeAttempt` + `consumeCode`: hashed, expiring, single use, wrong codes limited) — or with the customer
 * portal session of the same browser. Then the visitor is bound to the customer who owns the phone: a known customer
 * (portal account, record phone, or phone identity) absorbs the anonymous visitor customer through the customer merge
 * (tickets, identities … move; audited `customer.merged`), so the agent sees the real customer and history on the chat
 * ticket at once; an unknown phone is attached to the visitor's own customer (record phone + `phone` identity).
 */
import type { Config } from '../../config';
import type { Database, Tx } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import { maskPhone } from '../../lib/mask';
import { countAttempt } from '../../lib/throttle';
import { mergeCustomerInTx } from '../customers/customers.commands';
import { customersRepo } from '../customers/customers.repo';
import { consumeCode, countCodeAttempt, requestCode, type CodeSettings } from '../portal/portal.commands';
import { portalRepo } from '../portal/portal.repo';
import { logChannel } from './channels.ingest';
import type { ChannelRow } from './channels.repo';
import { presentIdentity, VISITOR_KIND, type VisitorIdentity } from './channels.webchat';
import { webchatRepo, type VisitorRow } from './channels.webchat.repo';
import { wechatRepo } from './channels.wechat.repo';

/** Codes one visitor may ask for per hour (whatever the numbers: a visitor cannot spray codes at many phones). */
export const CODES_PER_VISITOR_HOUR = 5;

const channelCtx = (channel: ChannelRow): Ctx => ({ actor: { kind: 'system', id: null, name: `channel:webchat:${channel.name}` }, requestId: null, ip: null });

/**
 * Identified once: a verified visitor's customer is a real one, never merged away by a later code (409 `already_verified`).
 */
function assertNotVerified(v: VisitorRow) {
  if (v.verifiedAt) throw conflict('already_verified', 'This visitor is already verified');
}

/** Send a code to the phone the visitor typed: at most CODES_PER_VISITOR_HOUR per visitor, then the portal's limits. */
export async function sendVisitorCode(database: Database, channel: ChannelRow, v: VisitorRow, phone: string, settings: CodeSettings) {
  assertNotVerified(v);
  await countAttempt(database.db, { scope: 'webchat_code', key: v.id }, CODES_PER_VISITOR_HOUR, 3_600_000, 'Too many codes requested from this chat');
  return requestCode(database, channelCtx(channel), phone, settings);
}

/** The known customer a proven phone belongs to (other than `selfId`): portal account, record phone, phone identity. */
async function ownerOfPhone(tx: Tx, phone: string, selfId: string): Promise<string | null> {
  const acct = await portalRepo.accountByPhone(tx, phone);
  const candidates = [acct?.customerId, (await customersRepo.firstByPhone(tx, phone))?.id, (await wechatRepo.identity(tx, 'phone', phone))?.customerId];
  for (const id of candidates) {
    if (!id || id === selfId) continue;
    // Follow a merge chain to the survivor (a few steps at most).
    let cur: string = id;
    for (let i = 0; i < 5; i++) {
      const row = await customersRepo.byId(tx, cur);
      if (!row || row.internal) break;
      if (!row.mergedIntoId) return cur === selfId ? null : cur;
      cur = row.mergedIntoId;
    }
  }
  return null;
}

/**
 * Bind the visitor to `intoId` (a known customer) or keep their own customer and give it the phone. The anonymous
 * visitor customer is merged into the known one (when it is still a record of its own); any of the visitor's chat
 * tickets still elsewhere move too. One transaction (the caller's).
 */
async function linkVisitor(tx: Tx, ctx: Ctx, channel: ChannelRow, v: VisitorRow, via: 'phone' | 'portal', phone: string | null, intoId: string | null) {
  let customerId = v.customerId;
  let moved = 0;
  if (intoId && intoId !== v.customerId) {
    const own = await customersRepo.byId(tx, v.customerId, true);
    if (own && !own.mergedIntoId && !own.internal) moved += (await mergeCustomerInTx(tx, ctx, own.id, intoId)).ticketsMoved;
    moved += await webchatRepo.moveStreamTickets(tx, v.id, intoId);
    await webchatRepo.moveVisitorIdentity(tx, v.id, VISITOR_KIND, intoId);
    customerId = intoId;
  } else if (phone) {
    const own = await customersRepo.byId(tx, v.customerId, true);
    // The proven number goes on the record (so the portal and the next widget find this customer) and as an identity.
    if (own && !own.phone) await customersRepo.update(tx, own.id, { phone, updatedAt: new Date() });
    await wechatRepo.insertIdentity(tx, { customerId: v.customerId, kind: 'phone', value: phone, channelId: channel.id, lastInAt: new Date() });
  }
  await webchatRepo.setVerified(tx, v.id, { customerId, via, phone });
  await writeAudit(tx, ctx, {
    action: 'webchat.visitor_verified',
    targetType: 'customer',
    targetId: customerId,
    changes: { via: { before: null, after: via }, phone: { before: null, after: maskPhone(phone) ?? null }, ticketsMoved: { before: null, after: moved } },
  });
  return { customerId, merged: customerId !== v.customerId };
}

async function afterLink(database: Database, channel: ChannelRow, via: 'phone' | 'portal', phone: string | null, merged: boolean) {
  await logChannel(database, channel.id, 'info', merged ? 'channels.log.webchat_verified_known' : 'channels.log.webchat_verified', {
    phone: maskPhone(phone) ?? '',
    via,
  });
}

/** Phone + code: the code checked (counted first, single use), then the visitor bound to the phone's customer. */
export async function verifyVisitorPhone(
  database: Database,
  channel: ChannelRow,
  v: VisitorRow,
  input: { phone: string; code: string },
  settings: Pick<Config, 'LOGIN_WINDOW_MINUTES'>,
): Promise<VisitorIdentity> {
  const { phone, code } = input;
  assertNotVerified(v);
  await countCodeAttempt(database, phone, settings);
  const ctx = channelCtx(channel);
  const out = await database.transaction(async (tx) => {
    const fresh = (await webchatRepo.visitorForUpdate(tx, v.id)) ?? v;
    assertNotVerified(fresh);
    const error = await consumeCode(tx, phone, code);
    if (error) return { error };
    return { link: await linkVisitor(tx, ctx, channel, fresh, 'phone', phone, await ownerOfPhone(tx, phone, fresh.customerId)) };
  });
  if (out.error) throw out.error;
  await afterLink(database, channel, 'phone', phone, out.link.merged);
  return presentIdentity({ verifiedAt: new Date(), verifiedVia: 'phone', verifiedPhone: phone });
}

/** The portal session of the same browser (a customer actor): the visitor is bound to that customer. */
export async function verifyVisitorByPortal(database: Database, channel: ChannelRow, v: VisitorRow, portal: { accountId: string }): Promise<VisitorIdentity> {
  assertNotVerified(v);
  const ctx = channelCtx(channel);
  const out = await database.transaction(async (tx) => {
    const acct = await portalRepo.account(tx, portal.accountId);
    if (!acct) throw new AppError('unauthenticated', 'Session ended; sign in again');
    const fresh = (await webchatRepo.visitorForUpdate(tx, v.id)) ?? v;
    assertNotVerified(fresh);
    const link = await linkVisitor(tx, ctx, channel, fresh, 'portal', acct.phone, acct.customerId);
    return { link, phone: acct.phone };
  });
  await afterLink(database, channel, 'portal', out.phone, out.link.merged);
  return presentIdentity({ verifiedAt: new Date(), verifiedVia: 'portal', verifiedPhone: out.phone });
}
