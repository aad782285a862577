/**
 * The dead inbound view (渠道接入 → 死信): a channel's inbound messages whose ingest failed all their attempts
 * (`channel_inbound.status = dead`), listed with the sender masked; 重试 queues one again with fresh attempts, 丢弃 keeps
 * it as `discarded` (its key stays, so a redelivery is not queued again). Both audited; channel administrators only.
 */
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { maskRecipient } from './channels.admin.commands';
import { INBOUND_WAKE, nudgeInbound } from './channels.inbound';
import { inboundRepo, type InboundListed } from './channels.inbound.repo';
import { logChannel } from './channels.ingest';
import { channelsRepo } from './channels.repo';
import type * as s from './channels.schema';

const LIST_LIMIT = 200;

function manage(ctx: Ctx) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  authorize(ctx.actor, 'channels.manage');
}

async function channelOf(database: Database, id: string) {
  const row = await channelsRepo.channel(database.db, id);
  if (!row) throw notFound('channel');
  return row;
}

/** A queue sender (`openid`, `dingtalk_staff_id:corp:staff`, `kf:open_kfid`) masked: its last part cut to its ends. */
export const maskInboundSender = (sender: string) => maskRecipient(sender.slice(sender.lastIndexOf(':') + 1));

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export const presentInbound = (r: InboundListed) => ({
  id: r.id,
  channelId: r.channel_id,
  sender: maskInboundSender(r.sender),
  status: r.status as 'dead' | 'discarded' | 'queued',
  attempts: Number(r.attempts),
  lastError: r.last_error,
  receivedAt: iso(r.created_at)!,
  deadAt: iso(r.dead_at),
});

export async function listInbound(database: Database, ctx: Ctx, channelId: string, q: z.infer<typeof s.InboundQuery>) {
  manage(ctx);
  await channelOf(database, channelId);
  const rows = await inboundRepo.listSettled(database, channelId, q.status ?? 'dead', LIST_LIMIT);
  return { items: rows.map(presentInbound) };
}

async function deadOne(database: Database, channelId: string, id: string) {
  await channelOf(database, channelId);
  const row = await inboundRepo.one(database, channelId, id);
  if (!row) throw notFound('inbound message');
  if (row.status !== 'dead') throw new AppError('conflict', 'Only a dead inbound message can be retried or discarded', { reason: 'inbound_not_dead' });
  return row;
}

/** 重试: the dead message queued again now with fresh attempts (ingested by the worker, after the sender's older ones). */
export async function retryInbound(database: Database, ctx: Ctx, channelId: string, id: string) {
  manage(ctx);
  const row = await deadOne(database, channelId, id);
  const done = await database.transaction(async (tx) => {
    const up = await inboundRepo.requeueDead(tx, database, id, INBOUND_WAKE);
    if (!up.length) return false;
    await writeAudit(tx, ctx, {
      action: 'channel.inbound.retry',
      targetType: 'channel_inbound',
      targetId: id,
      changes: { status: { before: 'dead', after: 'queued' } },
    });
    return true;
  });
  if (!done) throw new AppError('conflict', 'Only a dead inbound message can be retried or discarded', { reason: 'inbound_not_dead' });
  nudgeInbound();
  await logChannel(database, channelId, 'info', 'channels.log.inbound_retry', { from: maskInboundSender(row.sender) });
  return presentInbound((await inboundRepo.one(database, channelId, id))!);
}

/** 丢弃: the dead message kept as discarded (audited with the reason); it is never ingested. */
export async function discardInbound(database: Database, ctx: Ctx, channelId: string, id: string, body: z.infer<typeof s.InboundDiscard>) {
  manage(ctx);
  const row = await deadOne(database, channelId, id);
  const done = await database.transaction(async (tx) => {
    const up = await inboundRepo.discardDead(tx, database, id);
    if (!up.length) return false;
    await writeAudit(tx, ctx, {
      action: 'channel.inbound.discard',
      targetType: 'channel_inbound',
      targetId: id,
      changes: {
        status: { before: 'dead', after: 'discarded' },
        ...(body.reason ? { reason: { before: null, after: body.reason } } : {}),
      },
    });
    return true;
  });
  if (!done) throw new AppError('conflict', 'Only a dead inbound message can be retried or discarded', { reason: 'inbound_not_dead' });
  await logChannel(database, channelId, 'info', 'channels.log.inbound_discard', { from: maskInboundSender(row.sender) });
  return presentInbound((await inboundRepo.one(database, channelId, id))!);
}
