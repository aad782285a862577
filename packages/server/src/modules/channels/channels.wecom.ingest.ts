/**
 * 微信客服 (`wecom_kf`) callbacks: the URL check (GET, echostr decrypted) and the event (POST `kf_msg_or_event`). The
 * event is accepted into the inbound queue (`channel_inbound`, keyed by its token, queued under the account) and
 * answered at once; the inbound worker then pulls the new messages with kf/sync_msg from the channel's stored cursor,
 * page by page (the cursor is saved after each page). Customer messages (origin 3: text, image, voice) go through the
 * WeChat ingest with the `wecom_external_userid` identity: recorded once per (channel, msgid) — a message pulled again
 * stores nothing new —, the customer found or created (tagged 来自企业微信), a ticket on channel `wechat` or the
 * customer's reply on the open one, photos and voice as attachments (media/get), a mobile number as a phone identity
 * (merge suggestion). One account's syncs run one at a time (the queue's per-sender order, in any number of
 * processes); events queued before a sync began are covered by it. Within a page, different users' messages are
 * handled in parallel, each user's in order.
 */
import type { Database } from '../../db/client';
import { logChannel } from './channels.ingest';
import { inboundRepo } from './channels.inbound.repo';
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
}

/** A 微信客服 event as queued: the event's sync token (valid about 10 minutes), the account and when it came. */
export interface QueuedKfEvent {
  token: string | null;
  openKfId: string | null;
  at: number;
}
/** The event's token is sent with sync_msg while it is fresh (WeCom: 10 minutes); later the pull goes without it. */
const KF_TOKEN_FRESH_MS = 9 * 60_000;

/**
 * What `acceptInbound` records for a verified `kf_msg_or_event` (null for other events: answered, nothing to pull):
 * keyed by the event's token (a redelivered callback carries the same one), queued under the account, so one
 * channel's syncs run one after the other in any number of processes and two events never pull the same messages side
 * by side.
 */
export function queuedKfEvent(channel: ChannelRow, ev: KfEvent): { externalId: string; sender: string; payload: QueuedKfEvent } | null {
  if (ev.event !== 'kf_msg_or_event') return null;
  const openKfId = ev.openKfId ?? (channel.config as { openKfId?: string }).openKfId ?? '';
  return {
    externalId: `kfevt:${ev.token ?? `${openKfId}:${Date.now()}`}`.slice(0, 300),
    sender: `kf:${openKfId}`.slice(0, 300),
    payload: { token: ev.token, openKfId: ev.openKfId, at: Date.now() },
  };
}

/**
 * The inbound worker's ingest of a queued 微信客服 event: the new messages pulled with sync_msg from the stored cursor
 * and ingested; throws (to be retried with back-off) when a page fails — the cursor stays at the last page handled, and
 * messages stored already are not repeated. The account's other events queued before this sync began are covered by it
 * and removed.
 */
export async function ingestQueuedKfEvent(
  database: Database,
  channel: ChannelRow,
  ev: QueuedKfEvent,
  row: { id: string; sender: string },
): Promise<SyncResult> {
  const began = await inboundRepo.clock(database);
  const r = await syncAll(database, channel, ev.token && Date.now() - ev.at < KF_TOKEN_FRESH_MS ? ev.token : null);
  await inboundRepo.removeCovered(database, { channelId: channel.id, sender: row.sender, except: row.id, before: began });
  return r;
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
    // The cursor stays at the last page handled: the retry pulls the rest again (stored messages are not repeated).
    const error = (err as Error).name === 'WechatApiError' ? ((err as { kind?: string }).kind ?? 'failed') : (err as Error).name;
    await logChannel(database, channel.id, 'error', 'channels.log.wecom_sync_failed', { error });
    throw err;
  }
  return out;
}
