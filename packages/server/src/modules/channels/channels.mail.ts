/**
 * Connections to mail servers: SMTP out (nodemailer, DKIM optional) and IMAP in (imapflow). SMTP and IMAP are not
 * HTTP, but their hosts pass the same address policy as every outbound request (`vetUrl` of src/lib/outbound.ts):
 * a private, loopback or link-local server is refused unless it is on CHIDU_OUTBOUND_ALLOW (on-premises mail
 * servers, and the tests' loopback servers). The connection goes to the vetted address (no DNS rebinding).
 */
import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import { OutboundRefusedError, vetUrl } from '../../lib/outbound';
import { openSecret, sealSecret } from '../../lib/secretbox';
import type { ChannelRow } from './channels.repo';

export interface ServerConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
}
export interface EmailConfig {
  address: string;
  smtp: ServerConfig;
  imap?: (ServerConfig & { mailbox?: string | undefined }) | undefined;
  /** Deliveries per minute this provider accepts (default 60). */
  ratePerMinute?: number | undefined;
  dkim?: { domainName: string; keySelector: string } | undefined;
}
export interface EmailSecrets {
  smtpPassword?: string | undefined;
  imapPassword?: string | undefined;
  dkimPrivateKey?: string | undefined;
}

export const sealSecrets = (s: EmailSecrets): string | null => {
  const clean = Object.fromEntries(Object.entries(s).filter(([, v]) => typeof v === 'string' && v !== ''));
  return Object.keys(clean).length ? sealSecret(JSON.stringify(clean), 'channel_credential') : null;
};
export const openSecrets = (row: Pick<ChannelRow, 'secrets'>): EmailSecrets =>
  row.secrets ? (JSON.parse(openSecret(row.secrets, 'channel_credential')) as EmailSecrets) : {};

/** A mail server's host checked against the outbound address policy; the address to connect to. */
export async function vetMailHost(host: string, port: number): Promise<string> {
  const target = await vetUrl(`http://${host.includes(':') ? `[${host}]` : host}:${port}/`);
  return target.address;
}
export { OutboundRefusedError };

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export async function smtpTransport(cfg: EmailConfig, secrets: EmailSecrets): Promise<Transporter> {
  const address = await vetMailHost(cfg.smtp.host, cfg.smtp.port);
  return nodemailer.createTransport({
    host: address,
    port: cfg.smtp.port,
    secure: cfg.smtp.secure,
    tls: { servername: cfg.smtp.host },
    ...(cfg.smtp.user ? { auth: { user: cfg.smtp.user, pass: secrets.smtpPassword ?? '' } } : {}),
    ...(cfg.dkim && secrets.dkimPrivateKey
      ? { dkim: { domainName: cfg.dkim.domainName, keySelector: cfg.dkim.keySelector, privateKey: secrets.dkimPrivateKey } }
      : {}),
    ...TIMEOUTS,
  });
}

/**
 * An IMAP client (not yet connected). `idle`: a long-lived connection that enters IDLE half a second after each
 * command and restarts it every 4 minutes (below the 5-minute inactivity watchdog); otherwise a short one, no IDLE.
 */
export async function imapClient(cfg: NonNullable<EmailConfig['imap']>, secrets: EmailSecrets, opts: { idle?: boolean } = {}): Promise<ImapFlow> {
  const address = await vetMailHost(cfg.host, cfg.port);
  return new ImapFlow({
    host: address,
    port: cfg.port,
    secure: cfg.secure,
    tls: { servername: cfg.host },
    auth: { user: cfg.user ?? '', pass: secrets.imapPassword ?? '' },
    logger: false,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    ...(opts.idle ? { autoIdleDelay: 500, maxIdleTime: 4 * 60_000, socketTimeout: 5 * 60_000 } : { disableAutoIdle: true, socketTimeout: 60_000 }),
  });
}

/** 测试连接: really connects (SMTP: EHLO + AUTH; IMAP: LOGIN + SELECT). Never throws; the outcome per server. */
export async function testConnections(cfg: EmailConfig, secrets: EmailSecrets) {
  const result: { smtp: { ok: boolean; error?: string }; imap?: { ok: boolean; error?: string } } = { smtp: { ok: false } };
  try {
    const t = await smtpTransport(cfg, secrets);
    await t.verify();
    t.close();
    result.smtp = { ok: true };
  } catch (err) {
    result.smtp = { ok: false, error: errorKind(err) };
  }
  if (cfg.imap) {
    let c: ImapFlow | undefined;
    try {
      c = await imapClient(cfg.imap, secrets);
      await c.connect();
      const lock = await c.getMailboxLock(cfg.imap.mailbox ?? 'INBOX');
      lock.release();
      result.imap = { ok: true };
    } catch (err) {
      result.imap = { ok: false, error: errorKind(err) };
    } finally {
      await c?.logout().catch(() => undefined);
    }
  }
  return result;
}

/** An error reduced to a stable kind the web app words in zh-CN / en (channels.test.error.*). */
export function errorKind(err: unknown): string {
  if (err instanceof OutboundRefusedError) return 'refused_address';
  const e = err as { code?: string; responseCode?: number; authenticationFailed?: boolean; message?: string };
  if (e.authenticationFailed || e.code === 'EAUTH' || e.responseCode === 535) return 'auth_failed';
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? '')) return 'connection_refused';
  if (e.code === 'ETIMEDOUT' || e.code === 'ETIMEOUT' || e.code === 'ESOCKET' || /timeout/i.test(e.message ?? '')) return 'timeout';
  if (e.code === 'ENOTFOUND' || e.code === 'EDNS') return 'not_found';
  if (/certificate|tls|ssl/i.test(e.message ?? '')) return 'tls';
  if (/mailbox|select/i.test(e.message ?? '')) return 'mailbox';
  return 'failed';
}
