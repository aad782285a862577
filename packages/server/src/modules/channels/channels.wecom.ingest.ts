/**
 * 微信客服 (`wecom_kf`) callbacks: the URL check (GET, echostr decrypted) and the event (POST `kf_msg_or_event`), after
 * which the new messages are pulled with kf/sync_msg from the channel's stored cursor, page by page (the cursor is
 * saved after each page). Customer messages (origin 3: text, image, voice) go through the WeChat ingest with the
 * `wecom_external_userid` identity: recorded once per (channel, msgid) — a message pulled again stores nothing new —,
 * the customer found or created (tagged 来自企业微信), a ticket on channel `wechat` or the customer's reply on the
 * open one, photos and voice as attachments (media/get), a mobile number as a phone identity (merge suggestion).
 * Syncs of one channel run one at a time in this process (callbacks meanwhile share the next one); within a page,
 * different users' messages are handled in parallel, each user's in order.
 */
import type { Database } from '../../db/client';
import { logChannel } from './channels.ingest';
import { channelsRepo, type ChannelRow } from './channels.repo';
import { downloadWecomMedia, EXTERNAL_USERID, syncMessages, type KfEvent, type KfMessage } from './channels.wecom';
import { wecomRepo } from './channels.wecom.repo';
import { ingestWechat, type Via } from './channels.wechat.ingest';
import type { WechatMessage } from './channels.wechat';

export const WECOM_VIA: Via = { identity: EXTERNAL_USERID, tag: 'channels.wecom.tag', ref: 'wecom', download: downloadWecomMedia };

/** The enabled wecom_kf channel of a callback URL, or undefined (the route answers 403). */
export async function wecomCallbackChannel(database: Database, id: string): Promise<ChannelRow | undefined> {
  const row = await channelsRepo.channel(database.db, id);
  return row && row.kind === 'wecom_kf' && row.enabled ? row : undefined;
}

const toWechat = (m: KfMessage, openKfId: string): WechatMessage => ({
  toUser: openKfId,
  fromUser: m.externalUserId,
  createTime: m.sendTime,
  msgType: m.msgtype,
  msgId: m.msgid,
  content: m.content,
  picUrl: null,
  mediaId: m.mediaId,
  format: m.msgtype === 'voice' ? 'amr' : null,
  recognition: null,
  event: null,
  encrypt: null,
});

export interface SyncResult {
  pages: number;
  handled: number;
  duplicates: number;
  skipped: number;
  error?: string;
}

/** Per channel: the callbacks waiting for a sync that starts after they arrived, and whether one is running. */
interface Slot {
  waiters: ((r: SyncResult) => void)[];
  token: string | null;
  running: boolean;
}
const slots = new Map<string, Slot>();

/**
 * After a verified `kf_msg_or_event`: pull and handle the new messages. Syncs of a channel run one at a time; the
 * callbacks that arrive while one runs share the next one (coalesced), and each answers once a sync that started
 * after it arrived is done (its messages are stored by then).
 */
export function handleKfEvent(database: Database, channel: ChannelRow, ev: KfEvent): Promise<SyncResult> {
  if (ev.event !== 'kf_msg_or_event') return Promise.resolve({ pages: 0, handled: 0, duplicates: 0, skipped: 0 });
  let slot = slots.get(channel.id);
  if (!slot) {
    slot = { waiters: [], token: null, running: false };
    slots.set(channel.id, slot);
  }
  slot.token = ev.token;
  const done = new Promise<SyncResult>((resolve) => slot.waiters.push(resolve));
  if (!slot.running) void drive(database, channel, slot);
  return done;
}

async function drive(database: Database, channel: ChannelRow, slot: Slot) {
  slot.running = true;
  try {
    while (slot.waiters.length) {
      const batch = slot.waiters.splice(0);
      const r = await syncAll(database, channel, slot.token).catch((err: unknown) => ({
        pages: 0,
        handled: 0,
        duplicates: 0,
        skipped: 0,
        error: (err as Error).name,
      }));
      for (const w of batch) w(r);
    }
  } finally {
    slot.running = false;
    if (!slot.waiters.length) slots.delete(channel.id);
  }
}

/** Up to this many users' messages of a page are handled at once (one user's in order). */
const PARALLEL_USERS = 8;

async function handlePage(database: Database, channel: ChannelRow, openKfId: string, messages: KfMessage[], out: SyncResult) {
  const byUser = new Map<string, KfMessage[]>();
  for (const m of messages) {
    // origin 3: the customer; 4: system events (session state), 5: a servicer's own messages — not tickets.
    if (m.origin !== 3 || !m.externalUserId) {
      out.skipped++;
      continue;
    }
    byUser.set(m.externalUserId, [...(byUser.get(m.externalUserId) ?? []), m]);
  }
  const queues = [...byUser.values()];
  const worker = async () => {
    for (let q = queues.shift(); q; q = queues.shift())
      for (const m of q) {
        const r = await ingestWechat(database, channel, toWechat(m, openKfId), WECOM_VIA);
        if (r.outcome === 'duplicate') out.duplicates++;
        else out.handled++;
      }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_USERS, queues.length) }, worker));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function syncAll(database: Database, channel: ChannelRow, token: string | null): Promise<SyncResult> {
  const out: SyncResult = { pages: 0, handled: 0, duplicates: 0, skipped: 0 };
  const openKfId = (channel.config as { openKfId?: string }).openKfId ?? '';
  let cursor = await wecomRepo.cursor(database.db, channel.id);
  try {
    for (let more = true; more && out.pages < 50;) {
      const page = await syncMessages(channel, { cursor, token });
      out.pages++;
      await handlePage(database, channel, openKfId, page.messages, out);
      if (page.nextCursor && page.nextCursor !== cursor) {
        cursor = page.nextCursor;
        await wecomRepo.setCursor(database.db, channel.id, cursor);
      }
      more = page.hasMore && !!page.nextCursor;
    }
  } catch (err) {
    // The cursor stays at the last page handled: the next event pulls the rest again (stored messages are not repeated).
    out.error = (err as Error).name === 'WechatApiError' ? ((err as { kind?: string }).kind ?? 'failed') : (err as Error).name;
    await logChannel(database, channel.id, 'error', 'channels.log.wecom_sync_failed', { error: out.error });
  }
  return out;
}
