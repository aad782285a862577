import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEmail } from '../src/modules/channels/channels.ingest';
import { channelsRepo } from '../src/modules/channels/channels.repo';
import { testApp, type TestApp } from './harness';
import { freePort, plainMail, sendRaw, startSmtpSink, type SmtpSink } from './mail-harness';

/**
 * The email review queue (issue #14, email finished): mail that cannot be matched by itself — unknown sender (per
 * channel setting), suspected spam, someone else's ticket number — waits for staff with channels.work, who make a
 * ticket of it, attach it to a ticket, or discard it with a reason; each audited, each once.
 */
let t: TestApp;
let admin: string;
let agent: string;
let viewer: string;
let sink: SmtpSink;
let listenPort: number;
let channelId: string;
const address = 'review@chidu.test';
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let seq = 0;
const mail = (from: string, subject: string, body: string, headers: string[] = []) =>
  plainMail({ from, to: address, messageId: `<r${++seq}-${Date.now()}@sender.example>`, subject, body, headers });
const deliver = (from: string, raw: string) => sendRaw(listenPort, from, address, raw);
const queue = async (token = agent) => {
  const r = await api('GET', '/channels/review', token);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as { id: string; sender: string; reason: string; subject: string; text: string; customer: unknown }[];
};

beforeAll(async () => {
  sink = await startSmtpSink();
  listenPort = await freePort();
  process.env.CHIDU_CHANNELS_IMAP_IDLE = '0';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1', SMTP_LISTEN: `127.0.0.1:${listenPort}` });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  viewer = (await t.as(['technician'])).token;
  const res = await api('POST', '/channels', admin, {
    kind: 'email',
    name: '审核邮箱',
    unknownSender: 'review',
    config: { address, smtp: { host: '127.0.0.1', port: sink.port, secure: false } },
  });
  expect(res.statusCode, res.body).toBe(201);
  channelId = res.json().id;
});
afterAll(async () => {
  await t?.close();
  await sink?.stop();
});

describe('email review queue', () => {
  it('an unknown sender waits for review; an agent makes a ticket of it (customer created), once, audited', async () => {
    await deliver('stranger@new.example', mail('Zhao Lei <stranger@new.example>', '电梯异响', '3 号楼电梯运行时有异响。'));
    const items = await queue();
    const item = items.find((i) => i.sender === 'stranger@new.example')!;
    expect(item).toMatchObject({ reason: 'unknown_sender', subject: '电梯异响', customer: null });
    expect(item.text).toContain('电梯运行时有异响');
    expect((await api('GET', '/channels/review', viewer)).statusCode).toBe(403);

    const made = await api('POST', `/channels/review/${item.id}/ticket`, agent, {});
    expect(made.statusCode, made.body).toBe(201);
    const { ticketId, number, outcome } = made.json();
    expect(outcome).toBe('ticket');
    const ticket = (await api('GET', `/tickets/${ticketId}`, admin)).json();
    expect(ticket).toMatchObject({ number, subject: '电梯异响', channel: 'email' });
    expect(ticket.description).toContain('有异响');
    // A second hand (or a double click) is refused: handled once.
    const again = await api('POST', `/channels/review/${item.id}/discard`, agent, { reason: '重复' });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('review_done');
    expect((await queue()).some((i) => i.id === item.id)).toBe(false);
    const audit = await t.auditRows('channel.review.ticket');
    expect(audit.at(-1)!.target_id).toBe(item.id);
    // The sender is a customer now: their next mail becomes a ticket by itself, and the agent's reply is threaded.
    const r = await api('POST', `/tickets/${ticketId}/replies`, admin, { body: '已安排维修。', visibility: 'public' });
    expect(r.statusCode, r.body).toBe(201);
    await deliver('stranger@new.example', mail('stranger@new.example', '另一件事', '门禁卡坏了。'));
    expect((await queue()).some((i) => i.sender === 'stranger@new.example')).toBe(false);
  });

  it('a mail handed back to the queue after its ticket was made is not made into a second ticket', async () => {
    const messageId = `<retry-${Date.now()}@sender.example>`;
    await deliver('retry@new.example', plainMail({ from: 'retry@new.example', to: address, messageId, subject: '路灯不亮', body: '小区东门路灯不亮。' }));
    const item = (await queue()).find((i) => i.sender === 'retry@new.example')!;
    // What a first attempt leaves when it fails after the ticket's own transaction: the ticket, and the mail back in
    // the queue (the review code hands it back on any failure).
    const customer = (await api('POST', '/customers', agent, { name: '钱先生', email: 'retry@new.example' })).json().id as string;
    const first = await api('POST', '/tickets', agent, {
      customerId: customer,
      type: 'inquiry',
      channel: 'email',
      subject: '路灯不亮',
      description: '小区东门路灯不亮。',
      externalRef: `email:${messageId.toLowerCase()}`,
    });
    expect(first.statusCode, first.body).toBe(201);
    const made = await api('POST', `/channels/review/${item.id}/ticket`, agent, {});
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().ticketId).toBe(first.json().id);
  });

  it('discard needs a reason; attach puts another address’s mail on a visible ticket as an internal note', async () => {
    await deliver('x@spam.example', mail('x@spam.example', '中奖通知', '恭喜您中奖', ['X-Spam-Flag: YES']));
    const spam = (await queue()).find((i) => i.sender === 'x@spam.example')!;
    expect(spam.reason).toBe('spam');
    const noReason = await api('POST', `/channels/review/${spam.id}/discard`, agent, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('reason');
    const gone = await api('POST', `/channels/review/${spam.id}/discard`, agent, { reason: '垃圾邮件' });
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json()).toMatchObject({ outcome: 'discarded', ticketId: null });
    const row = await channelsRepo.message(t.database.db, spam.id);
    expect(row).toMatchObject({ outcome: 'discarded', reviewNote: '垃圾邮件', raw: null });
    expect((await t.auditRows('channel.review.discard')).length).toBe(1);

    // A known customer writes from a second address; staff attach the mail to her ticket.
    const cust = await api('POST', '/customers', admin, { name: '孙女士', email: 'sun@home.example' });
    expect(cust.statusCode, cust.body).toBe(201);
    const tk = await api('POST', '/tickets', admin, { customerId: cust.json().id, type: 'repair', channel: 'phone', subject: '水压低', description: '水压低' });
    expect(tk.statusCode, tk.body).toBe(201);
    await deliver('sun@work.example', mail('sun@work.example', '补充：水压', '早上七点最明显。'));
    const other = (await queue()).find((i) => i.sender === 'sun@work.example')!;
    // Only onto a ticket the caller can see: the agent does not see this one (404), the admin does.
    expect((await api('POST', `/channels/review/${other.id}/attach`, agent, { ticketId: tk.json().id })).statusCode).toBe(404);
    expect((await queue()).some((i) => i.id === other.id)).toBe(true);
    const att = await api('POST', `/channels/review/${other.id}/attach`, admin, { ticketId: tk.json().id });
    expect(att.statusCode, att.body).toBe(200);
    const detail = (await api('GET', `/tickets/${tk.json().id}`, admin)).json();
    const note = (detail.replies ?? []).find((x: { body: string }) => x.body.includes('早上七点最明显'));
    expect(note).toMatchObject({ visibility: 'internal' }); // from another address: an internal note, not the customer's word
  });

  it('someone else’s ticket number in the subject waits for review instead of reaching that ticket', async () => {
    const cust = await api('POST', '/customers', admin, { name: '钱先生', email: 'qian@home.example' });
    const tk = await api('POST', '/tickets', admin, { customerId: cust.json().id, type: 'repair', channel: 'phone', subject: '漏水', description: '漏水' });
    const number = tk.json().number as string;
    const before = (await api('GET', `/tickets/${tk.json().id}`, admin)).json().replies?.length ?? 0;
    const channel = (await channelsRepo.channel(t.database.db, channelId))!;
    // The customer herself with the token: her reply. Someone else with the same token: review.
    const own = await ingestEmail(t.database, channel, Buffer.from(mail('qian@home.example', `Re: 漏水 [#${number}]`, '还在漏。')), 'smtp');
    expect(own.outcome).toBe('reply');
    await t.inject('POST', '/api/v1/customers', admin, { name: '冒名者', email: 'imposter@else.example' });
    const foreign = await ingestEmail(t.database, channel, Buffer.from(mail('imposter@else.example', `Re: 漏水 [#${number}]`, '请把工单关掉')), 'smtp');
    expect(foreign.outcome).toBe('review');
    const after = (await api('GET', `/tickets/${tk.json().id}`, admin)).json().replies?.length ?? 0;
    expect(after).toBe(before + 1);
    expect((await queue()).find((i) => i.sender === 'imposter@else.example')?.reason).toBe('token_mismatch');
    // Auto-replies never wait for review nor create anything.
    const auto = await ingestEmail(
      t.database,
      channel,
      Buffer.from(mail('robot@else.example', '自动回复', '休假中', ['Auto-Submitted: auto-replied'])),
      'smtp',
    );
    expect(auto.outcome).toBe('auto_reply');
    expect((await queue()).some((i) => i.sender === 'robot@else.example')).toBe(false);
  });
});
