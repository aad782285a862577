import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeImapWatchers } from '../src/modules/channels/channels.idle';
import { testApp, type TestApp } from './harness';
import { eventually, hasDovecot, plainMail, requireMail, startDovecot, startSmtpSink, type Dovecot, type SmtpSink } from './mail-harness';

/**
 * IMAP IDLE against a real dovecot (issue #14, email): the worker holds the mailbox open in IDLE, so a mail appended
 * becomes a ticket within seconds although the periodic poll is an hour away; a dropped connection is re-opened
 * (back-off) and mail keeps arriving. Asserted by waiting for the outcome, not by timing.
 */
let t: TestApp;
let admin: string;
let dovecot: Dovecot;
let sink: SmtpSink;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

describe.skipIf(!hasDovecot() && !requireMail())('email channel: IMAP IDLE (dovecot)', () => {
  beforeAll(async () => {
    dovecot = await startDovecot();
    sink = await startSmtpSink();
    process.env.CHIDU_CHANNELS_IMAP_MS = '3600000'; // the poll runs once at start: only IDLE can bring later mail
    delete process.env.CHIDU_CHANNELS_IMAP_IDLE;
    t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
    admin = (await t.as(['admin'])).token;
  });
  afterAll(async () => {
    await t?.close();
    await dovecot?.stop();
    await sink?.stop();
    delete process.env.CHIDU_CHANNELS_IMAP_MS;
  });

  const ticketBySubject = (subject: string) => async () => {
    const r = await api('GET', '/tickets?limit=100', admin);
    return (r.json().items as { id: string; subject: string }[]).find((x) => x.subject === subject);
  };

  it('a mail appended to the mailbox becomes a ticket via IDLE; after a dropped connection it reconnects', async () => {
    const res = await api('POST', '/channels', admin, {
      kind: 'email',
      name: '实时收信',
      config: {
        address: 'idle@chidu.test',
        smtp: { host: '127.0.0.1', port: sink.port, secure: false },
        imap: { host: '127.0.0.1', port: dovecot.port, secure: false, user: dovecot.user, password: dovecot.password },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const channelId = res.json().id as string;
    // The create command starts the watcher at once; wait until it is connected (IDLE on INBOX).
    const watcher = await eventually(() => {
      const w = activeImapWatchers()?.byChannel.get(channelId);
      return w?.connected ? w : undefined;
    }, 'watcher connected');

    await dovecot.append(
      plainMail({
        from: 'zhou@customer.example',
        to: 'idle@chidu.test',
        messageId: '<idle-1@customer.example>',
        subject: '空调不制冷',
        body: '会议室空调不制冷。',
      }),
    );
    const first = await eventually(ticketBySubject('空调不制冷'), 'ticket from IDLE push');
    expect(first).toBeTruthy();
    // On a busy machine the worker's start pass (a poll of every mailbox whose watcher is not live yet) can still be
    // running when that mail arrives and take it first. Once it is a ticket that pass is past its fetch, and the next
    // poll is an hour away: a second mail can only come through IDLE.
    await dovecot.append(
      plainMail({
        from: 'zhou@customer.example',
        to: 'idle@chidu.test',
        messageId: '<idle-1b@customer.example>',
        subject: '会议室灯不亮',
        body: '会议室的灯不亮。',
      }),
    );
    expect(await eventually(ticketBySubject('会议室灯不亮'), 'second ticket from IDLE push')).toBeTruthy();
    expect(watcher.fetched).toBeGreaterThanOrEqual(1);

    // The network drops the connection: the watcher reconnects with back-off and picks up what came meanwhile.
    watcher.connection!.close();
    await dovecot.append(
      plainMail({ from: 'zhou@customer.example', to: 'idle@chidu.test', messageId: '<idle-2@customer.example>', subject: '窗户关不上', body: '窗户关不上。' }),
    );
    await eventually(ticketBySubject('窗户关不上'), 'ticket after reconnect');
    await eventually(() => watcher.connected, 'watcher reconnected');
    const log = (await api('GET', `/channels/${channelId}/log`, admin)).json().items as { event: string }[];
    expect(log.some((l) => l.event === 'channels.log.imap_idle_lost')).toBe(true);
    expect(log.filter((l) => l.event === 'channels.log.imap_idle').length).toBeGreaterThanOrEqual(2);

    // Switching the channel off stops its watcher.
    await api('PATCH', `/channels/${channelId}`, admin, { enabled: false });
    await eventually(() => !activeImapWatchers()?.byChannel.has(channelId), 'watcher stopped');
  });
});
