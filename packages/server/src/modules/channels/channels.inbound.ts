/**
 * Accept then ingest (issue #14): a WeChat Official Account callback is verified and decrypted in the request, recorded
 * once in `channel_inbound` (unique on channel + MsgId / event key, one short transaction with a NOTIFY) and answered
 * `success` at once. The `channels-inbound` worker then turns each recorded message into a customer, a ticket or a reply
 * (`ingestWechat`):
 * - in order per sender: only a sender's oldest queued message is claimable, so their second message waits for the
 *   first and never becomes a second ticket by running beside it; different senders are ingested side by side;
 * - claims with FOR UPDATE SKIP LOCKED and a lease (`locked_until`): any number of processes; a crash between accept
 *   and ingest (or during it) leaves the message queued, taken again once the lease has passed;
 * - a failure (e.g. the media download) is retried with back-off (2 s, 4 s, … at most 10 min); after MAX_ATTEMPTS the
 *   message is kept as `dead` (never deleted) with its last error, and the sender's later messages go on;
 * - woken by NOTIFY `chidu_channel_inbound` (other processes) and in process by `nudgeInbound()`; polls every
 *   CHIDU_INBOUND_POLL_MS (default 1000) for retries. CHIDU_INBOUND_WORKER=0 disables it (tests drain with drainInbound).
 */
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { PollingWorker, type BackgroundWorker, type PassResult } from '../../lib/worker';
import type { WorkerFactory } from '../module';
import { logChannel } from './channels.ingest';
import { inboundRepo, type InboundClaimed } from './channels.inbound.repo';
import { channelsRepo, type ChannelRow } from './channels.repo';
import type { WechatMessage } from './channels.wechat';
import { callbackChannel, ingestWechat } from './channels.wechat.ingest';
import { ingestQueuedDingtalk, type QueuedDingtalk } from './channels.dingtalk.ingest';
import { ingestQueuedKfEvent, type QueuedKfEvent } from './channels.wecom.ingest';
import type { InboundMessage } from './channels.adapters';
import { ingest } from './channels.commands';

export const INBOUND_WAKE = 'chidu_channel_inbound';
/** Attempts before a message is kept as dead. */
export const MAX_ATTEMPTS = 10;
/** How long a claim holds a message (a crashed worker's message is taken again after it). */
const LEASE_SECONDS = 120;
const BATCH = 32;

/** The delay before attempt n+1 (n ≥ 1 attempts made): 2 s, 4 s, 8 s, … at most 10 minutes. */
export const inboundBackoffMs = (attempts: number) => Math.min(600_000, 1000 * 2 ** Math.min(attempts, 20));

/** The key a WeChat message is recorded under (the same as channel_messages.external_id). */
export const wechatExternalId = (msg: WechatMessage) => (msg.msgId ? `msg:${msg.msgId}` : `evt:${msg.fromUser}:${msg.createTime}:${msg.event ?? msg.msgType}`);

let active: PollingWorker | null = null;
const setActive = (w: PollingWorker | null, unless?: PollingWorker) => {
  if (!unless || active === unless) active = w;
};
/** Wake the in-process worker (the NOTIFY reaches the others). */
export const nudgeInbound = () => active?.wake();

/**
 * Accept: records the verified message once (nothing when it is queued already or was ingested before) and wakes the
 * worker. Returns whether it was new.
 */
export async function acceptWechat(database: Database, channel: ChannelRow, msg: WechatMessage): Promise<boolean> {
  if (!msg.fromUser) return false; // nothing to attribute: answered and dropped, as before
  const externalId = wechatExternalId(msg);
  // One statement (its own transaction): recorded unless queued already or ingested before, and the NOTIFY with it.
  const rows = await inboundRepo.accept(database, {
    id: uuidv7(),
    channelId: channel.id,
    externalId,
    sender: msg.fromUser,
    payload: JSON.stringify(msg),
    wake: INBOUND_WAKE,
  });
  if (rows.length) nudgeInbound();
  return rows.length > 0;
}

/**
 * Accept for the other kinds (DingTalk robot messages, 微信客服 events): the verified message recorded once under its
 * key, for its sender's queue, with the NOTIFY; the worker hands it to the kind's ingest. Returns whether it was new.
 */
export async function acceptInbound(database: Database, channelId: string, v: { externalId: string; sender: string; payload: unknown }): Promise<boolean> {
  const rows = await inboundRepo.accept(database, {
    id: uuidv7(),
    channelId,
    externalId: v.externalId,
    sender: v.sender,
    payload: JSON.stringify(v.payload),
    wake: INBOUND_WAKE,
  });
  if (rows.length) nudgeInbound();
  return rows.length > 0;
}

/** Enabled wechat_oa channels by callback id, kept CHANNEL_TTL_MS (and forgotten when an admin changes channels). */
const CHANNEL_TTL_MS = 2000;
const channelCache = new Map<string, { row: ChannelRow; until: number }>();
export const forgetAcceptChannels = () => channelCache.clear();
export async function acceptChannel(database: Database, id: string): Promise<ChannelRow | undefined> {
  const hit = channelCache.get(id);
  if (hit && hit.until > Date.now()) return hit.row;
  const row = await callbackChannel(database, id);
  if (row) channelCache.set(id, { row, until: Date.now() + CHANNEL_TTL_MS });
  else channelCache.delete(id);
  return row;
}

type Claimed = InboundClaimed;

/** Claims up to `limit` due messages, each the oldest queued one of its sender, under a lease. */
async function claim(database: Database, limit: number): Promise<Claimed[]> {
  return database.transaction((tx) => inboundRepo.claim(database, tx, limit, LEASE_SECONDS), { worker: true });
}

const errorText = (err: unknown) => {
  const e = err as { name?: string; code?: string; message?: string };
  return `${e.name ?? 'Error'}${e.code ? ` ${e.code}` : ''}: ${String(e.message ?? '').slice(0, 200)}`;
};

/**
 * The queue key of a signed webhook adapter (`POST /inbound/{name}` with `Prefer: respond-async`): webhooks are not
 * configured channels, so each adapter queues under a fixed id of its own (a UUID made from its name).
 */
export function webhookQueueId(name: string): string {
  const h = createHash('sha256').update(`chidu:inbound-webhook:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
/** The webhook queues this process has accepted into, and the chat webhook's (known to every process). */
const webhookQueues = new Set<string>([webhookQueueId('chat')]);

/**
 * Accept a signed webhook message for later: recorded for its conversation's queue (in order per conversation) with
 * the NOTIFY, answered 202 by the route. The webhook carries no message id, so — as in the synchronous mode — a
 * message posted twice is two messages.
 */
export async function acceptWebhook(database: Database, adapter: string, msg: InboundMessage): Promise<string> {
  const queueId = webhookQueueId(adapter);
  webhookQueues.add(queueId);
  const id = uuidv7();
  await acceptInbound(database, queueId, { externalId: `webhook:${id}`, sender: msg.conversationId, payload: msg });
  return id;
}

/**
 * What ingests a claimed message: a signed webhook's (ingested like its synchronous mode) or a configured channel's by
 * kind. Null when the channel is gone (or no longer of a kind that queues).
 */
async function ingesterOf(
  database: Database,
  row: Claimed,
  payload: unknown,
  channels: Map<string, Promise<ChannelRow | undefined>>,
): Promise<{ channel: ChannelRow | null; run: () => Promise<unknown> } | null> {
  if (webhookQueues.has(row.channel_id)) {
    const msg = payload as InboundMessage;
    const ctx = { actor: { kind: 'system' as const, id: null, name: `channel:${msg.channel}` }, requestId: null, ip: null };
    return { channel: null, run: () => ingest(database, ctx, msg) };
  }
  let ch = channels.get(row.channel_id);
  if (!ch) channels.set(row.channel_id, (ch = channelsRepo.channel(database.db, row.channel_id)));
  const channel = await ch;
  if (!channel) return null;
  const run =
    channel.kind === 'dingtalk_robot'
      ? () => ingestQueuedDingtalk(database, channel, payload as QueuedDingtalk)
      : channel.kind === 'wecom_kf'
        ? () => ingestQueuedKfEvent(database, channel, payload as QueuedKfEvent, { id: row.id, sender: row.sender })
        : channel.kind === 'wechat_oa'
          ? () => ingestWechat(database, channel, payload as WechatMessage)
          : null;
  return run ? { channel, run } : null;
}

async function handle(database: Database, row: Claimed, channels: Map<string, Promise<ChannelRow | undefined>>): Promise<void> {
  const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
  const ingester = await ingesterOf(database, row, payload, channels);
  if (!ingester) {
    await inboundRepo.markChannelGone(database, row.id);
    return;
  }
  try {
    // A record left `received` by a worker that crashed while ingesting this very message (we hold its lease). The
    // first claim (attempts = 1: the claim counts) cannot have one.
    if (row.attempts > 1 && ingester.channel) await inboundRepo.dropStaleReceived(database, row.channel_id, row.external_id);
    await ingester.run();
    await inboundRepo.remove(database, row.id);
  } catch (err) {
    const dead = row.attempts >= MAX_ATTEMPTS;
    const next = new Date(Date.now() + inboundBackoffMs(row.attempts));
    await inboundRepo.reschedule(database, row.id, { dead, next, error: errorText(err) });
    if (dead && ingester.channel) await logChannel(database, ingester.channel.id, 'error', 'channels.log.inbound_dead', { attempts: String(row.attempts) });
  }
}

/** One pass: claim, ingest side by side (one message per sender), settle. Returns how many were handled. */
export async function ingestPass(database: Database, limit = BATCH): Promise<number> {
  const rows = await claim(database, limit);
  const channels = new Map<string, Promise<ChannelRow | undefined>>();
  await Promise.all(rows.map((r) => handle(database, r, channels)));
  return rows.length;
}

/**
 * Runs passes until no message can be ingested now (those in back-off, and their senders' later ones, stay queued);
 * messages held by another worker are waited for.
 * For tests and benches; gives up after `timeoutMs`.
 */
export async function drainInbound(database: Database, timeoutMs = 15_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let total = 0;
  for (;;) {
    const n = await ingestPass(database);
    total += n;
    if (n) continue;
    // Left: a sender's oldest queued message that is due or held by another worker (one in back-off waits, and so do
    // the sender's later messages behind it).
    const left = await inboundRepo.leftToDrain(database);
    if (left === 0 || Date.now() > until) return total;
    await new Promise((r) => setTimeout(r, 10));
  }
}

class InboundWorker extends PollingWorker {
  constructor(database: Database, log: FastifyBaseLogger) {
    super({
      name: 'channels-inbound',
      database,
      pollMs: Number(process.env.CHIDU_INBOUND_POLL_MS ?? 1000),
      maxFaultBackoffMs: 1000,
      unref: true,
      log,
      wakeChannel: INBOUND_WAKE,
      // Under a stream of callbacks one pass takes many (each pass claims up to BATCH): fewer claim queries.
      coalesceMs: 20,
      batch: async (): Promise<PassResult> => {
        const handled = await ingestPass(database);
        // Something was ingested: a sender's next message may be claimable now, go on at once.
        return { handled, nextAt: handled > 0 ? Date.now() : null };
      },
    });
  }
  override async start() {
    setActive(this);
    await super.start();
  }
  override async stop() {
    setActive(null, this);
    await super.stop();
  }
}

export const channelsInboundWorker: WorkerFactory = (deps, log): BackgroundWorker | null =>
  process.env.CHIDU_INBOUND_WORKER === '0' ? null : new InboundWorker(deps.database, log);
