/**
 * 微信客服 (wecom_kf) sending: an agent's public reply or a survey invitation by kf/send_msg, within the platform's
 * rules — after a customer's message, at most 5 messages within 48 hours (checked here before sending: outside, the
 * delivery is dead at once with the reason the agent sees; the platform's own refusal 95018 is recorded the same way).
 */
import type { Database, Tx } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { scrubText } from '../../lib/mask';
import { channelsRepo, type ChannelRow, type OutboxRow } from './channels.repo';
import { WechatApiError } from './channels.token';
import { EXTERNAL_USERID, KF_WINDOW_MESSAGES, KF_WINDOW_MS, sendKfMessage, uploadWecomMedia } from './channels.wecom';
import { imageBytes, MediaGoneError, type MediaPayload } from './channels.media';
import { wecomRepo } from './channels.wecom.repo';

/** Why a message cannot go to this user now (null: it can): the 48-hour window or the 5-message quota. */
export async function kfWindow(ex: Database['db'] | Tx, channelId: string, externalUserId: string, now: Date): Promise<string | null> {
  const last = await channelsRepo.identityLastIn(ex, EXTERNAL_USERID, externalUserId);
  if (!last || now.getTime() - last.getTime() > KF_WINDOW_MS)
    return 'reply_window_closed: the user has not written in the last 48 hours (微信客服 reply window)';
  const sent = await wecomRepo.sentToSince(ex, channelId, externalUserId, last);
  if (sent >= KF_WINDOW_MESSAGES)
    return `reply_limit_reached: ${KF_WINDOW_MESSAGES} messages already sent since the user's last message (微信客服 allows ${KF_WINDOW_MESSAGES} within 48 hours)`;
  return null;
}

type Fail = (database: Database, row: OutboxRow, error: string, final: boolean) => Promise<void>;

/** One queued reply / invitation / touch (payload {subject, body}, or a photo: payload.image); `fail` is the outbox's failure recorder. */
export async function sendWecomKf(database: Database, row: OutboxRow, channel: ChannelRow, now: Date, to: string, fail: Fail) {
  const closed = await kfWindow(database.db, channel.id, row.recipient, now);
  if (closed) return fail(database, row, closed, true);
  const p = row.payload as { body: string } & MediaPayload;
  try {
    let msgid: string | null;
    if (p.image) {
      // A photo of the reply: uploaded as temporary media, then sent as an `image` message (it counts toward the 5).
      const file = await imageBytes(database, p.image);
      const mediaId = await uploadWecomMedia(channel, file.data, file.filename, file.mime);
      msgid = await sendKfMessage(channel, row.recipient, { msgtype: 'image', image: { media_id: mediaId } });
    } else msgid = await sendKfMessage(channel, row.recipient, { msgtype: 'text', text: { content: p.body.slice(0, 2048) } });
    await database.transaction(async (tx) => {
      await channelsRepo.finishOutbox(tx, row.id, { status: 'sent', sentAt: new Date(), lastError: null, ...(msgid ? { externalId: msgid } : {}) });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: channel.id, level: 'info', event: 'channels.log.out_sent', detail: { to, kind: row.kind } });
    });
  } catch (err) {
    const kind = err instanceof WechatApiError ? err.kind : err instanceof MediaGoneError ? 'media_gone' : 'failed';
    const final = kind === 'reply_window_closed' || kind === 'refused_address' || kind === 'media_gone';
    await fail(database, row, `${kind}: ${scrubText(String((err as Error).message ?? err)).slice(0, 300)}`, final);
  }
}
