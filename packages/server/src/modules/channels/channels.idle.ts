/**
 * IMAP IDLE (issue #14, email): every enabled email channel with an IMAP mailbox gets one long-lived connection that
 * sits in IDLE on its mailbox; the server's EXISTS push makes it fetch the new mail at once (the same `fetchNew` and
 * ingest path as the poller, so a mail is still recorded once). A lost connection is retried with back-off (1 s, 2 s,
 * 4 s … at most 60 s) and logged; while a watcher is not connected, the worker's periodic poll covers its mailbox.
 * Servers without IDLE get imapflow's NOOP polling on the same connection.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ImapFlow } from 'imapflow';
import type { Database } from '../../db/client';
import { logChannel } from './channels.ingest';
import { errorKind, imapClient, openSecrets, type EmailConfig } from './channels.mail';
import { channelsRepo, type ChannelRow } from './channels.repo';
import { fetchNew } from './channels.imap';

export const idleBackoffMs = (failuresInARow: number) => Math.min(60_000, 1000 * 2 ** Math.min(failuresInARow, 6));

/** What a watcher depends on: a change (host, user, password, mailbox, enabled) means a new connection. */
const fingerprint = (c: ChannelRow) => JSON.stringify([c.enabled, (c.config as EmailConfig).imap ?? null, c.secrets]);

export class ImapWatcher {
  private client: ImapFlow | null = null;
  private generation = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private again = false;
  /** True while the connection is up and the mailbox selected (the poller then skips this channel). */
  connected = false;
  /** Messages ingested through this watcher (tests, diagnostics). */
  fetched = 0;

  constructor(
    private readonly database: Database,
    readonly channelId: string,
    readonly key: string,
    private readonly log?: FastifyBaseLogger,
  ) {}

  start() {
    void this.connect();
  }

  /** The live connection (tests drop it to see the reconnect). */
  get connection(): ImapFlow | null {
    return this.client;
  }

  private async connect() {
    if (this.stopped) return;
    const gen = ++this.generation;
    try {
      const channel = await channelsRepo.channel(this.database.db, this.channelId);
      const cfg = channel ? (channel.config as EmailConfig).imap : undefined;
      if (!channel || !channel.enabled || !cfg) return;
      const client = await imapClient(cfg, openSecrets(channel), { idle: true });
      this.client = client;
      client.on('exists', () => {
        if (gen === this.generation) this.trigger();
      });
      client.on('close', () => {
        if (gen === this.generation) this.lost(gen, new Error('connection closed'));
      });
      client.on('error', () => undefined); // a 'close' follows
      await client.connect();
      await client.mailboxOpen(cfg.mailbox ?? 'INBOX');
      if (gen !== this.generation || this.stopped) return;
      this.connected = true;
      this.failures = 0;
      await logChannel(this.database, this.channelId, 'info', 'channels.log.imap_idle');
      this.trigger(); // what arrived while we were away
    } catch (err) {
      this.lost(gen, err);
    }
  }

  private lost(gen: number, err: unknown) {
    if (this.stopped || gen !== this.generation || this.timer) return;
    this.generation++;
    this.connected = false;
    const c = this.client;
    this.client = null;
    c?.close();
    const delay = idleBackoffMs(this.failures++);
    this.log?.warn({ channel: this.channelId, err: errorKind(err), retryMs: delay }, 'imap idle connection lost');
    void logChannel(this.database, this.channelId, 'warn', 'channels.log.imap_idle_lost', { seconds: Math.round(delay / 1000), error: errorKind(err) }).catch(
      () => undefined,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  /** Fetch now; a push that arrives during a fetch runs one more fetch after it. */
  trigger() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const client = this.client;
        if (!client || !this.connected) break;
        const gen = this.generation;
        try {
          const channel = await channelsRepo.channel(this.database.db, this.channelId);
          if (!channel) break;
          this.fetched += await fetchNew(this.database, channel, client);
        } catch (err) {
          this.lost(gen, err);
          break;
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  async stop() {
    this.stopped = true;
    this.generation++;
    this.connected = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    if (c) await c.logout().catch(() => c.close());
  }
}

/** The watchers of this process, one per enabled IMAP channel, kept in step with the settings by `reconcile`. */
export class ImapWatchers {
  readonly byChannel = new Map<string, ImapWatcher>();
  private reconciling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly log?: FastifyBaseLogger,
  ) {}

  isLive = (channelId: string) => this.byChannel.get(channelId)?.connected === true;

  /** Starts watchers for new channels, restarts changed ones, stops those of removed or disabled channels. */
  reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = async () => {
      const rows = (await channelsRepo.listChannels(this.database.db, 'email')).filter((c) => c.enabled && (c.config as EmailConfig).imap);
      const want = new Map(rows.map((c) => [c.id, fingerprint(c)]));
      for (const [id, w] of this.byChannel) {
        if (want.get(id) !== w.key) {
          this.byChannel.delete(id);
          await w.stop();
        }
      }
      for (const [id, key] of want) {
        if (this.stopped || this.byChannel.has(id)) continue;
        const w = new ImapWatcher(this.database, id, key, this.log);
        this.byChannel.set(id, w);
        w.start();
      }
    };
    this.reconciling = (this.reconciling ?? Promise.resolve()).then(run, run).catch((err: unknown) => {
      this.log?.warn({ err: errorKind(err) }, 'imap idle reconcile failed');
    });
    return this.reconciling;
  }

  async stop() {
    this.stopped = true;
    await this.reconciling?.catch(() => undefined);
    await Promise.all([...this.byChannel.values()].map((w) => w.stop()));
    this.byChannel.clear();
  }
}

/** In-process: the watchers of the running worker (the channel commands poke it after a change; tests read it). */
let active: ImapWatchers | null = null;
export const activeImapWatchers = () => active;
export const setActiveImapWatchers = (w: ImapWatchers | null) => {
  active = w;
};
/** A channel was created or changed: bring the watchers in step now rather than at the next periodic pass. */
export function channelsChanged() {
  void active?.reconcile();
}
