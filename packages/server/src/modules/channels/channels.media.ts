/**
 * Photos in an agent's public reply, out on the channel the customer used (WeChat Official Account, 微信客服, DingTalk
 * robot). Each image attachment of the reply becomes its own outbox delivery (status, retries, dead letter like any
 * other), queued in the reply's transaction right after the text, and carrying `after` = the delivery before it: an
 * image is not sent while that one is still queued / sending / failed-and-retrying, so the customer sees the text first
 * and the photos in the order they were attached. When sent, the stored attachment's bytes are uploaded to the
 * platform as temporary media (multipart field `media`, through the outbound client) and the media id is sent as an
 * image message. Formats a platform does not take are not queued (logged on the channel).
 */
import type { Database, Tx } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { channelsRepo, type OutboxRow } from './channels.repo';
import { mediaRepo } from './channels.media.repo';

/** What an image delivery carries (besides the fields of its channel's text payload). */
export interface ImageRef {
  attachmentId: string;
  filename: string;
  mime: string;
}
export interface MediaPayload {
  image?: ImageRef | undefined;
  /** The delivery this one waits for (the reply's text, or the previous image). */
  after?: string | undefined;
}

/** Image formats each platform's temporary-media upload accepts (type=image). */
const ACCEPTED: Record<string, string[]> = {
  // 公众号 新增临时素材: bmp/png/jpeg/jpg/gif, ≤ 10 MB
  wechat_oa: ['image/jpeg', 'image/png', 'image/gif', 'image/bmp'],
  // 企业微信 上传临时素材: JPG, PNG, ≤ 10 MB
  wecom_kf: ['image/jpeg', 'image/png'],
  // 钉钉 上传媒体文件: jpg/gif/png/bmp, ≤ 20 MB
  dingtalk_robot: ['image/jpeg', 'image/png', 'image/gif', 'image/bmp'],
};
const MAX_BYTES: Record<string, number> = { wechat_oa: 10 << 20, wecom_kf: 10 << 20, dingtalk_robot: 20 << 20 };

/**
 * Queues one delivery per image of the reply after `textId` (same channel, recipient and kind), each waiting for the
 * one before it, each with its outgoing channel message. Returns how many were queued.
 */
export async function queueReplyImages(
  tx: Tx,
  q: {
    channel: { id: string; kind: string };
    recipient: string;
    ticketId: string;
    customerId: string;
    replyId: string;
    textId: string;
    payload: Record<string, unknown>;
  },
): Promise<number> {
  let after = q.textId;
  let n = 0;
  for (const img of await mediaRepo.replyImages(tx, q.replyId)) {
    if (!ACCEPTED[q.channel.kind]?.includes(img.mime) || img.size > (MAX_BYTES[q.channel.kind] ?? 0)) {
      await channelsRepo.log(tx, {
        id: uuidv7(),
        channelId: q.channel.id,
        level: 'warn',
        event: 'channels.log.media_skipped',
        detail: { file: img.filename.slice(0, 80), mime: img.mime },
      });
      continue;
    }
    const id = uuidv7();
    const image: ImageRef = { attachmentId: img.id, filename: img.filename, mime: img.mime };
    await channelsRepo.enqueue(tx, {
      id,
      channelId: q.channel.id,
      kind: 'reply',
      recipient: q.recipient,
      payload: { ...q.payload, body: '', image, after } satisfies MediaPayload & Record<string, unknown>,
      ticketId: q.ticketId,
      replyId: q.replyId,
    });
    await channelsRepo.insertMessage(tx, {
      id: uuidv7(),
      channelId: q.channel.id,
      direction: 'out',
      externalId: `out:${id}`,
      ticketId: q.ticketId,
      replyId: q.replyId,
      customerId: q.customerId,
      outboxId: id,
      outcome: 'queued',
      subject: 'image',
    });
    after = id;
    n++;
  }
  return n;
}

/**
 * When the delivery an image waits for is not finished (queued, sending, or failed and to be retried): the time to try
 * the image again (just after that one's next attempt, at least 5 s from now); null when the image may go now.
 */
export async function waitsForPrevious(database: Database, row: OutboxRow, now: Date): Promise<Date | null> {
  const after = (row.payload as MediaPayload).after;
  if (!after) return null;
  const prev = await mediaRepo.outboxState(database.db, after);
  if (!prev || (prev.status !== 'queued' && prev.status !== 'sending' && prev.status !== 'failed')) return null;
  const soon = now.getTime() + 5_000;
  return new Date(prev.status === 'sending' ? soon : Math.max(soon, prev.nextAttemptAt.getTime() + 1_000));
}

/** The image's bytes (the stored attachment); throws when it is gone (deleted since). */
export async function imageBytes(database: Database, image: ImageRef): Promise<{ filename: string; mime: string; data: Buffer }> {
  const a = await mediaRepo.attachmentData(database.db, image.attachmentId);
  if (!a) throw new MediaGoneError();
  return a;
}
export class MediaGoneError extends Error {
  constructor() {
    super('the attachment was deleted');
    this.name = 'MediaGoneError';
  }
}

/** A multipart/form-data body with one file part named `media` (the platforms' upload field) and its content type. */
export function mediaMultipart(data: Buffer, filename: string, mime: string): { body: Buffer; contentType: string } {
  const boundary = `----chidu${uuidv7().replace(/-/g, '')}`;
  const safe = filename.replace(/["\r\n\\]/g, '_') || 'image';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${safe}"; filelength=${data.length}\r\nContent-Type: ${mime}\r\n\r\n`,
  );
  return { body: Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}
