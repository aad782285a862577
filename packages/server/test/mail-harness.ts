/**
 * Real mail servers for the channel tests (no mocks):
 * - a private dovecot (IMAP) started as a child process with a generated config in a temp dir: a non-privileged
 *   port on 127.0.0.1, passdb/userdb from a static file, maildirs under the temp dir;
 * - an SMTP sink (smtp-server) that keeps every message it receives, parsed: the customers' mailbox for outgoing mail.
 * `hasDovecot()` is false when dovecot is not installed: the IMAP tests skip then — unless REQUIRE_MAIL=1 (CI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p));
export const hasDovecot = () => DOVECOT !== undefined;
export const requireMail = () => process.env.REQUIRE_MAIL === '1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  /** Deliver a raw message into the user's INBOX (IMAP APPEND). */
  append(raw: Buffer | string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  if (!DOVECOT) throw new Error('dovecot is not installed (apt-get install -y dovecot-imapd)');
  const dir = mkdtempSync(path.join(tmpdir(), 'chidu-dovecot-'));
  const port = await freePort();
  const info = userInfo();
  // As root (CI containers), dovecot's login and mail processes must run as unprivileged users.
  const asRoot = info.uid === 0;
  const me = asRoot ? { username: 'dovenull', internal: 'dovecot' } : { username: info.username, internal: info.username };
  const mailUid = asRoot ? 65534 : info.uid;
  const mailGid = asRoot ? 65534 : info.gid;
  const user = 'service';
  const password = 'test-password';
  mkdirSync(path.join(dir, 'run'));
  mkdirSync(path.join(dir, 'mail'));
  if (asRoot) {
    chmodSync(dir, 0o755);
    chownSync(path.join(dir, 'mail'), mailUid, mailGid);
  }
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${dir}/mail/%u\n`);
  const conf = `
dovecot_config_version = 2.4.0
dovecot_storage_version = 2.4.0
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = ${me.username}
default_internal_user = ${me.internal}
default_internal_group = ${me.internal}
auth_allow_cleartext = yes
ssl = no
mail_driver = maildir
mail_path = ${dir}/mail/%{user}
passdb passwd-file {
  passwd_file_path = ${dir}/users
}
userdb passwd-file {
  passwd_file_path = ${dir}/users
}
service imap-login {
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  const legacy = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = ${me.username}
default_internal_user = ${me.internal}
default_internal_group = ${me.internal}
disable_plaintext_auth = no
ssl = no
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
  const file = path.join(dir, 'dovecot.conf');
  const proc = await (async () => {
    for (const text of [legacy, conf]) {
      writeFileSync(file, text);
      const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (child.exitCode !== null) break;
        if (await canConnect(port)) return child;
      }
      child.kill('SIGTERM');
      if (text === conf) throw new Error(`dovecot did not start: ${out}`);
    }
    throw new Error('unreachable');
  })();
  const client = () => new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
  return {
    port,
    user,
    password,
    async append(raw) {
      const c = client();
      await c.connect();
      try {
        await c.append('INBOX', raw);
      } finally {
        await c.logout();
      }
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface SmtpSink {
  port: number;
  messages: ParsedMail[];
  /** Resolves with the next message once `count` messages are there. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail>;
  stop(): Promise<void>;
}

/** An SMTP server that keeps what it receives (the customers' side of outgoing mail). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, cb) {
      cb(null, { user: 'ok' });
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then(
        (m) => {
          messages.push(m);
          cb();
        },
        (err: Error) => cb(err),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    messages,
    async waitFor(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) throw new Error(`SMTP sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages[count - 1]!;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Send a raw message to an SMTP server (the built-in listener) as a mail client would. */
export async function sendRaw(port: number, from: string, to: string, raw: Buffer | string) {
  const nodemailer = (await import('nodemailer')).default;
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope: { from, to: [to] }, raw });
  } finally {
    t.close();
  }
}

/** A plain UTF-8 customer mail (headers as given), for the ingest tests. */
export function plainMail(o: { from: string; to: string; messageId: string; subject: string; body: string; headers?: string[] }): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`,
    `Message-ID: ${o.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(o.body).toString('base64'),
    '',
  ].join('\r\n');
}

/** Waits until `probe` returns a value other than undefined/false (checked every 100 ms), or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
