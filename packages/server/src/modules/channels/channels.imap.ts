/** IMAP in: the UID-cursor fetch shared by the poller and the IDLE watchers (channels.idle.ts). */
import type { FastifyBaseLogger } from 'fastify';
import type { ImapFlow } from 'imapflow';
import type { Database } from '../../db/client';
import { ingestEmail, logChannel } from './channels.ingest';
import { errorKind, imapClient, openSecrets, type EmailConfig } from './channels.mail';
import { channelsRepo, type ChannelRow } from './channels.repo';

/** Fetches new mail of one channel over IMAP (a connection of its own) and ingests it; returns how many messages were read. */
export async function pollImap(database: Database, channel: ChannelRow): Promise<number> {
  const cfg = (channel.config as EmailConfig).imap;
  if (!cfg) return 0;
  const client = await imapClient(cfg, openSecrets(channel));
  try {
    await client.connect();
    return await fetchNew(database, channel, client);
  } finally {
    await client.logout().catch(() => undefined);
  }
}

/**
 * Reads the messages of the channel's mailbox above the stored UID cursor on an open connection (the poller's or the
 * IDLE watcher's), ingests each and advances the cursor (`imap_uid_validity` / `imap_last_uid`).
 */
export async function fetchNew(database: Database, channel: ChannelRow, client: ImapFlow): Promise<number> {
  const cfg = (channel.config as EmailConfig).imap;
  if (!cfg) return 0;
  let n = 0;
  const lock = await client.getMailboxLock(cfg.mailbox ?? 'INBOX');
  try {
    const box = client.mailbox;
    const validity = box ? Number(box.uidValidity) : 0;
    let last = channel.imapUidValidity === validity ? channel.imapLastUid : 0;
    const uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter((u) => u > last).sort((a, b) => a - b);
    for (const uid of uids) {
      const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (msg && msg.source) await ingestEmail(database, channel, msg.source, 'imap');
      last = uid;
      n++;
      await channelsRepo.setImapState(database.db, channel.id, validity, last);
    }
    if (channel.imapUidValidity !== validity) await channelsRepo.setImapState(database.db, channel.id, validity, last);
  } finally {
    lock.release();
  }
  return n;
}

/** The polling pass over every IMAP channel; `skip`: channels an IDLE watcher holds live (they need no poll). */
export async function pollAllImap(database: Database, log?: FastifyBaseLogger, skip: (channelId: string) => boolean = () => false): Promise<number> {
  let n = 0;
  for (const c of await channelsRepo.listChannels(database.db, 'email')) {
    if (!c.enabled || !(c.config as EmailConfig).imap || skip(c.id)) continue;
    try {
      n += await pollImap(database, c);
    } catch (err) {
      log?.warn({ channel: c.name, err: errorKind(err) }, 'imap poll failed');
      await logChannel(database, c.id, 'warn', 'channels.log.imap_failed', { error: errorKind(err) });
    }
  }
  return n;
}
