/**
 * The channels worker (one per process, safe with several): drains the outbox (claims with SKIP LOCKED), and polls
 * every email channel's IMAP mailbox (UID tracking: `imap_uid_validity` / `imap_last_uid` per channel, so a restart
 * never re-imports; a redelivered Message-ID is a no-op anyway). Each IMAP mailbox is held open with IDLE by an
 * `ImapWatcher` (channels.idle.ts: new mail within seconds, reconnect with back-off); the poll every
 * `CHIDU_CHANNELS_IMAP_MS` (default 30 s) is the fallback for mailboxes whose watcher is not connected, and the
 * moment watchers are reconciled with the channel settings. CHIDU_CHANNELS_IMAP_IDLE=0: polling only.
 * CHIDU_CHANNELS_WORKER=0 disables it; CHIDU_CHANNELS_POLL_MS (outbox pass interval, default 2000).
 * The built-in SMTP listener (SMTP_LISTEN=HOST:PORT, off by default) is started and stopped with it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../../db/client';
import { maskEmail } from '../../lib/mask';
import { PollingWorker, type BackgroundWorker, type PassResult } from '../../lib/worker';
import type { WorkerFactory } from '../module';
import { ingestEmail } from './channels.ingest';
import { errorKind } from './channels.mail';
import { channelsChanged, ImapWatchers, setActiveImapWatchers } from './channels.idle';
import { pollAllImap } from './channels.imap';
import { closeTransports, drainOutbox } from './channels.outbox';
import { channelsRepo } from './channels.repo';
import { DingtalkStreams, setActiveDingtalkStreams } from './channels.dingtalk.stream';

export { fetchNew, pollAllImap, pollImap } from './channels.imap';
export { channelsChanged };

/** The built-in SMTP listener: accepts mail only for the addresses of enabled email channels. */
export function startSmtpListener(database: Database, listen: string, log?: FastifyBaseLogger): Promise<SMTPServer> {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i) || '0.0.0.0';
  const port = Number(listen.slice(i + 1));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: 25 * 1024 * 1024,
    banner: 'Chidu',
    logger: false,
    onRcptTo(address, _session, cb) {
      channelsRepo
        .channelByAddress(database.db, address.address)
        .then((c) => cb(c && c.kind === 'email' ? undefined : Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 })))
        .catch(() => cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void (async () => {
          for (const rcpt of session.envelope.rcptTo) {
            const c = await channelsRepo.channelByAddress(database.db, rcpt.address);
            if (c) await ingestEmail(database, c, raw, 'smtp');
          }
        })().then(
          () => cb(),
          (err: unknown) => {
            log?.warn({ from: maskEmail(session.envelope.mailFrom ? session.envelope.mailFrom.address : null), err: errorKind(err) }, 'smtp ingest failed');
            cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

class ChannelsWorker extends PollingWorker {
  private smtp: SMTPServer | null = null;
  private readonly watchers: ImapWatchers | null;
  constructor(
    database: Database,
    private readonly log: FastifyBaseLogger,
    private readonly listen: string | undefined,
  ) {
    const pollMs = Number(process.env.CHIDU_CHANNELS_POLL_MS ?? 2000);
    const watchers = process.env.CHIDU_CHANNELS_IMAP_IDLE === '0' ? null : new ImapWatchers(database, log);
    // DingTalk robots in Stream mode: one connection each (channels.dingtalk.stream.ts), reconciled on the same beat.
    const streams = new DingtalkStreams(database, log);
    const imapPass = async () => {
      await streams.reconcile();
      await watchers?.reconcile();
      await pollAllImap(database, log, (id) => watchers?.isLive(id) ?? false);
    };
    super({
      name: 'channels',
      database,
      pollMs,
      unref: true,
      log,
      batch: async (): Promise<PassResult> => ({ handled: await drainOutbox(database) }),
      periodic: { everyMs: Number(process.env.CHIDU_CHANNELS_IMAP_MS ?? 30_000), atStart: true, run: imapPass },
    });
    this.db = database;
    this.watchers = watchers;
    this.streams = streams;
  }
  private readonly streams: DingtalkStreams;
  private readonly db: Database;
  override async start() {
    if (this.listen) {
      this.smtp = await startSmtpListener(this.db, this.listen, this.log);
      this.log.info({ listen: this.listen }, 'SMTP listener started');
    }
    setActiveImapWatchers(this.watchers);
    setActiveDingtalkStreams(this.streams);
    await super.start();
  }
  override async stop() {
    await super.stop();
    setActiveImapWatchers(null);
    await this.watchers?.stop();
    setActiveDingtalkStreams(null);
    await this.streams.stop();
    const s = this.smtp;
    this.smtp = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    closeTransports();
  }
}

export const channelsWorker: WorkerFactory = (deps, log): BackgroundWorker | null =>
  process.env.CHIDU_CHANNELS_WORKER === '0' ? null : new ChannelsWorker(deps.database, log, deps.config.SMTP_LISTEN);
