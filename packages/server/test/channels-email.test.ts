import iconv from 'iconv-lite';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsRepo } from '../src/modules/channels/channels.repo';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { pollImap } from '../src/modules/channels/channels.worker';
import { testApp, type TestApp } from './harness';
import { freePort, hasDovecot, requireMail, sendRaw, startDovecot, startSmtpSink, type Dovecot, type SmtpSink } from './mail-harness';

/**
 * Email channel against real servers (issue #14 item 2): dovecot (IMAP), the built-in SMTP listener, and an SMTP
 * sink as the customers' mailbox. Messages in → tickets once → agent replies → threaded mail out → customer replies
 * → same ticket. Auto-replies create nothing.
 */
let t: TestApp;
let admin: string;
let agent: string;
let sink: SmtpSink;
let listenPort: number;
let photo: Buffer;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

const gbkSubject = (s: string) => `=?GBK?B?${iconv.encode(s, 'gbk').toString('base64')}?=`;

function customerMail(o: {
  from: string;
  to: string;
  messageId: string;
  subject: string;
  body: string;
  inReplyTo?: string;
  photo?: Buffer;
  headers?: string[];
}) {
  const b = 'b-' + o.messageId.replace(/\W/g, '');
  const lines = [
    `From: =?UTF-8?B?${Buffer.from('王女士').toString('base64')}?= <${o.from}>`,
    `To: ${o.to}`,
    `Subject: ${o.subject}`,
    `Message-ID: ${o.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=GBK',
    'Content-Transfer-Encoding: base64',
    '',
    iconv.encode(o.body, 'gbk').toString('base64'),
  ];
  if (o.photo)
    lines.push(
      `--${b}`,
      'Content-Type: image/png; name="leak.png"',
      'Content-Disposition: attachment; filename="leak.png"',
      'Content-Transfer-Encoding: base64',
      '',
      o.photo.toString('base64'),
    );
  lines.push(`--${b}--`, '');
  return lines.join('\r\n');
}

beforeAll(async () => {
  sink = await startSmtpSink();
  listenPort = await freePort();
  photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .png()
    .toBuffer();
  process.env.CHIDU_CHANNELS_POLL_MS = '100';
  process.env.CHIDU_CHANNELS_IMAP_IDLE = '0'; // this file drives the poller itself (pollImap); channels-idle.test.ts covers IDLE
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1', SMTP_LISTEN: `127.0.0.1:${listenPort}` });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

async function makeChannel(address: string, imap?: Dovecot) {
  const res = await api('POST', '/channels', admin, {
    kind: 'email',
    name: '物业客服邮箱',
    config: {
      address,
      smtp: { host: '127.0.0.1', port: sink.port, secure: false, user: 'svc', password: 'smtp-secret' },
      ...(imap ? { imap: { host: '127.0.0.1', port: imap.port, secure: false, user: imap.user, password: imap.password } } : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function ticketOf(id: string) {
  const r = await api('GET', `/tickets/${id}`, admin);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

/** The full round trip, given how mail reaches Chidu (IMAP poll or the SMTP listener). */
async function roundTrip(channelId: string, address: string, customer: string, deliver: (raw: string) => Promise<void>) {
  const sent0 = sink.messages.length;
  const first = customerMail({
    from: customer,
    to: address,
    messageId: `<m1-${channelId}@customer.example>`,
    subject: gbkSubject('厨房漏水，请尽快处理'),
    body: '您好，厨房水管漏水了，照片见附件。\n\n-- \n王女士\n手机 13800138000',
    photo,
  });
  await deliver(first);
  await deliver(first); // delivered twice: still one ticket
  const msgs = await t.database.db.execute(`select ticket_id, outcome from channel_messages where channel_id = '${channelId}' and direction = 'in'`);
  const rows = (msgs as { rows: { ticket_id: string; outcome: string }[] }).rows;
  expect(rows).toHaveLength(1);
  expect(rows[0]!.outcome).toBe('ticket');
  const ticketId = rows[0]!.ticket_id;
  const ticket = await ticketOf(ticketId);
  expect(ticket.subject).toBe('厨房漏水，请尽快处理');
  expect(ticket.channel).toBe('email');
  expect(ticket.description).toContain('厨房水管漏水了');
  expect(ticket.description).not.toContain('13800138000'); // signature trimmed
  expect(ticket.attachments).toEqual([expect.objectContaining({ filename: 'leak.png', mime: 'image/png', size: photo.length })]);

  // The agent replies through the API → the customer's mailbox gets a threaded reply.
  const reply = await api('POST', `/tickets/${ticketId}/replies`, admin, { body: '王女士您好，维修师傅今天下午 3 点上门。', visibility: 'public' });
  expect(reply.statusCode, reply.body).toBe(201);
  await drainOutbox(t.database);
  const out = await sink.waitFor(sent0 + 1);
  expect(out.inReplyTo).toBe(`<m1-${channelId}@customer.example>`);
  expect(out.subject).toContain(`[#${ticket.number}]`);
  expect(out.text).toContain('维修师傅今天下午 3 点上门');
  expect(out.html).toContain('维修师傅');
  expect(out.headers.get('auto-submitted')).toBe('auto-replied');
  const deliveries = (await api('GET', `/tickets/${ticketId}/deliveries`, admin)).json();
  expect(deliveries.items[0]).toMatchObject({ status: 'sent', kind: 'reply' });
  expect(deliveries.items[0].recipient).not.toBe(customer); // masked

  // The customer answers the reply (quoted history below) → same ticket.
  const answer = customerMail({
    from: customer,
    to: address,
    messageId: `<m2-${channelId}@customer.example>`,
    subject: gbkSubject(`回复：${out.subject}`),
    inReplyTo: out.messageId!,
    body: '好的，下午我在家。\n\n在 2026年12月5日 写道：\n> 王女士您好，维修师傅今天下午 3 点上门。',
  });
  await deliver(answer);
  const after = await ticketOf(ticketId);
  const texts = (after.replies ?? after.thread ?? []).map((r: { body: string }) => r.body);
  expect(texts).toContain('好的，下午我在家。');

  // An auto-reply from the customer creates nothing and sends nothing.
  const ticketsBefore = (await api('GET', '/tickets?limit=100', admin)).json().items.length;
  await deliver(
    customerMail({
      from: customer,
      to: address,
      messageId: `<auto-${channelId}@customer.example>`,
      subject: '自动回复：我正在休假',
      body: '我正在休假，回来后回复。',
      headers: ['Auto-Submitted: auto-replied', 'X-Autoreply: yes'],
    }),
  );
  expect((await api('GET', '/tickets?limit=100', admin)).json().items.length).toBe(ticketsBefore);
  await drainOutbox(t.database);
  expect(sink.messages.length).toBe(sent0 + 1);
  return ticketId;
}

describe('email channel: configuration', () => {
  it('creates a channel, never returns secrets, refuses bad input by field, is admin only', async () => {
    const bad = await api('POST', '/channels', admin, {
      kind: 'email',
      name: 'x',
      config: { address: 'not-mail', smtp: { host: 'h', port: 25, secure: false } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('config.address');
    expect((await api('POST', '/channels', agent, {})).statusCode).toBe(403);
    const id = await makeChannel('config@chidu.test');
    const got = await api('GET', `/channels/${id}`, admin);
    expect(got.body).not.toContain('smtp-secret');
    expect(got.json().config.smtp.password).toEqual({ configured: true });
    const row = await channelsRepo.channel(t.database.db, id);
    expect(row!.secrets).toMatch(/^v1:/);
    expect(row!.secrets).not.toContain('smtp-secret');
    // The test button really connects: the sink answers; a closed port is reported as such.
    expect((await api('POST', `/channels/${id}/test`, admin)).json()).toEqual({ smtp: { ok: true } });
    const closed = await freePort();
    await api('PATCH', `/channels/${id}`, admin, { config: { address: 'config@chidu.test', smtp: { host: '127.0.0.1', port: closed, secure: false } } });
    expect((await api('POST', `/channels/${id}/test`, admin)).json()).toEqual({ smtp: { ok: false, error: 'connection_refused' } });
    const log = (await api('GET', `/channels/${id}/log`, admin)).json();
    expect(log.items[0].text).toContain('测试连接');
  });
});

describe('email channel: round trip via the built-in SMTP listener', () => {
  it('mail in → one ticket → threaded reply out → reply lands on the same ticket; auto-replies create nothing', async () => {
    const address = 'service@chidu.test';
    const channelId = await makeChannel(address);
    const deliver = (raw: string) => sendRaw(listenPort, 'wang@customer.example', address, raw);
    await roundTrip(channelId, address, 'wang@customer.example', deliver);
    // Mail for an address that is not a channel is refused at RCPT.
    await expect(sendRaw(listenPort, 'x@customer.example', 'nobody@chidu.test', 'Subject: x\r\n\r\nx')).rejects.toThrow();
  });
});

describe.skipIf(!hasDovecot() && !requireMail())('email channel: round trip via IMAP (dovecot)', () => {
  it('mail in → one ticket → threaded reply out → reply lands on the same ticket; restart does not re-import', async () => {
    const dovecot = await startDovecot();
    try {
      const address = 'imap@chidu.test';
      const channelId = await makeChannel(address, dovecot);
      const poll = async () => {
        const c = await channelsRepo.channel(t.database.db, channelId);
        await pollImap(t.database, c!);
      };
      const deliver = async (raw: string) => {
        await dovecot.append(raw);
        await poll();
      };
      expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ smtp: { ok: true }, imap: { ok: true } });
      await roundTrip(channelId, address, 'li@customer.example', deliver);
      // Forget the UID state (a restart with a lost cursor): the redelivered mails are still no-ops.
      await channelsRepo.setImapState(t.database.db, channelId, 0, 0);
      const before = (await api('GET', '/tickets?limit=100', admin)).json().items.length;
      await poll();
      expect((await api('GET', '/tickets?limit=100', admin)).json().items.length).toBe(before);
    } finally {
      await dovecot.stop();
    }
  });
});
