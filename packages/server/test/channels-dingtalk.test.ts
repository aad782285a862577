import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dingtalkSign, forgetDingtalkTokens, parseDingtalkMessage, verifyDingtalkSign } from '../src/modules/channels/channels.dingtalk';
import { DingtalkStreams } from '../src/modules/channels/channels.dingtalk.stream';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { APP_KEY, APP_SECRET, startDingtalkFake, type DingtalkFake } from './dingtalk-fake';
import { testApp, type TestApp } from './harness';

/**
 * DingTalk robot channel (issue #14 item 5) against a local fake of the platform (dingtalk-fake.ts): signed HTTP
 * callbacks → customer → ticket / customer reply; replies out through the session webhook while valid, else robot
 * batchSend with the cached token (fetched once for many, refreshed once when refused); forged / stale signatures and
 * redeliveries store nothing; pictures as attachments; the Stream mode (ack frames, reconnect); 工作通知 to mapped staff.
 */

let t: TestApp;
let fake: DingtalkFake;
let admin: string;
let channelId: string;
let callbackPath: string;
const api = (m: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let seq = 0;

const count = async (table: string) => Number((await t.database.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n);
const snapshot = async () => ({
  messages: await count('channel_messages'),
  tickets: await count('tickets'),
  customers: await count('customers'),
  identities: await count('customer_identities'),
  replies: await count('ticket_replies'),
  sessions: await count('dingtalk_sessions'),
});
const waitFor = async (cond: () => boolean | Promise<boolean>, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** A robot message as DingTalk posts it (text unless `extra` says otherwise). */
function robotMessage(o: { staffId: string; text?: string; msgId?: string; expiresIn?: number; extra?: Record<string, unknown> }) {
  const msgId = o.msgId ?? `msg${++seq}${Date.now()}`;
  return {
    conversationId: `cid-${o.staffId}`,
    atUsers: [{ dingtalkId: '$:LWCP_v1:$robot' }],
    chatbotCorpId: 'dingcorp',
    chatbotUserId: '$:LWCP_v1:$robot',
    msgId,
    senderNick: `钉钉${o.staffId}`,
    isAdmin: false,
    senderStaffId: o.staffId,
    sessionWebhookExpiredTime: Date.now() + (o.expiresIn ?? 3600_000),
    createAt: Date.now(),
    senderCorpId: 'dingpartnercorp',
    conversationType: '1',
    senderId: `$:LWCP_v1:$${o.staffId}xyz`,
    sessionWebhook: `${fake.url}/robot/sendBySession?session=s-${o.staffId}`,
    robotCode: APP_KEY,
    msgtype: 'text',
    text: { content: o.text ?? '你好，空调不制冷' },
    ...o.extra,
  };
}
function post(body: unknown, o: { timestamp?: string; sign?: string; path?: string } = {}) {
  const timestamp = o.timestamp ?? String(Date.now());
  const sign = o.sign ?? dingtalkSign(timestamp, APP_SECRET);
  return t.app.inject({
    method: 'POST',
    url: o.path ?? callbackPath,
    headers: { 'content-type': 'application/json', timestamp, sign },
    payload: JSON.stringify(body),
  });
}
const ticketOf = async (staffId: string) =>
  (
    await t.database.rows<{ id: string; number: string; channel: string; subject: string }>(
      sql`SELECT t.id, t.number, t.channel, t.subject FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id
          WHERE i.kind = 'dingtalk_staff_id' AND i.value = ${`dingpartnercorp:${staffId}`} ORDER BY t.created_at DESC LIMIT 1`,
    )
  )[0];

beforeAll(async () => {
  fake = await startDingtalkFake();
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the test drains the outbox and runs the stream connections itself
  process.env.CHIDU_INBOUND_WORKER = '0'; // the test drains the inbound queue itself
  process.env.CHIDU_PUBLIC_URL = 'https://chidu.example.com';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
  delete process.env.CHIDU_PUBLIC_URL;
});
beforeEach(() => forgetDingtalkTokens());

describe('DingTalk callback signature', () => {
  it('sign = Base64(HmacSHA256(appSecret, timestamp + "\\n" + appSecret)), within one hour', () => {
    // The documented construction (机器人接收消息 / 自定义机器人加签), with the docs' sample secret "this is secret".
    const ts = '1577262236757';
    const expected = createHmac('sha256', 'this is secret').update(`${ts}\nthis is secret`).digest('base64');
    expect(dingtalkSign(ts, 'this is secret')).toBe(expected);
    const now = Number(ts) + 1000;
    expect(verifyDingtalkSign('this is secret', ts, expected, now)).toBe(true);
    expect(verifyDingtalkSign('this is secret', ts, expected, Number(ts) + 3600_001)).toBe(false); // stale
    expect(verifyDingtalkSign('another secret', ts, expected, now)).toBe(false);
    expect(verifyDingtalkSign('this is secret', ts, `${expected.slice(0, -2)}A=`, now)).toBe(false);
    expect(verifyDingtalkSign('this is secret', undefined, expected, now)).toBe(false);
  });
  it('parses text, picture and richText messages', () => {
    expect(parseDingtalkMessage({ msgId: 'm', conversationId: 'c', senderId: 's', msgtype: 'picture', content: { downloadCode: 'DL1' } })).toMatchObject({
      msgtype: 'picture',
      pictures: ['DL1'],
      text: '',
    });
    const rich = parseDingtalkMessage({
      msgId: 'm',
      conversationId: 'c',
      senderId: 's',
      msgtype: 'richText',
      content: { richText: [{ text: '看图：' }, { type: 'picture', downloadCode: 'DL2' }] },
    });
    expect(rich).toMatchObject({ msgtype: 'richText', text: '看图：', pictures: ['DL2'] });
    expect(parseDingtalkMessage({ msgtype: 'text' })).toBeNull();
  });
});

describe('dingtalk_robot channel against a fake platform', () => {
  it('admin: create (http) → callbackUrl; secret sealed, never returned; bad input names the field; 测试连接 fetches a token', async () => {
    const bad = await api('POST', '/channels', admin, {
      kind: 'dingtalk_robot',
      name: '钉钉',
      config: { appKey: APP_KEY, appSecret: 'x', robotCode: APP_KEY, mode: 'pull' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('config.mode');
    const res = await api('POST', '/channels', admin, {
      kind: 'dingtalk_robot',
      name: '钉钉服务机器人',
      config: { appKey: APP_KEY, appSecret: APP_SECRET, robotCode: APP_KEY, mode: 'http', apiBase: fake.url },
    });
    expect(res.statusCode).toBe(201);
    channelId = res.json().id;
    callbackPath = new URL(res.json().callbackUrl as string).pathname;
    expect(callbackPath).toBe(`/api/v1/public/channels/dingtalk/${channelId}`);
    const one = (await api('GET', `/channels/${channelId}`, admin)).json();
    expect(one.config).toEqual({ appKey: APP_KEY, robotCode: APP_KEY, mode: 'http', apiBase: fake.url, appSecret: { configured: true } });
    expect((await api('GET', '/channels', admin)).body).not.toContain(APP_SECRET);
    const stored = await t.database.rows<{ secrets: string }>(sql`SELECT secrets FROM channels WHERE id = ${channelId}`);
    expect(stored[0]!.secrets.startsWith('v1:')).toBe(true);
    const calls = fake.tokenCalls;
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: true } });
    expect(fake.tokenCalls).toBe(calls + 1);
  });

  it('a forged or stale signature is refused (403) with nothing stored', async () => {
    const before = await snapshot();
    const body = robotMessage({ staffId: 'forger' });
    expect((await post(body, { sign: dingtalkSign(String(Date.now()), 'wrong-secret') })).statusCode).toBe(403);
    const stale = String(Date.now() - 3600_000 - 5_000);
    expect((await post(body, { timestamp: stale, sign: dingtalkSign(stale, APP_SECRET) })).statusCode).toBe(403);
    expect((await post(body, { sign: '' })).statusCode).toBe(403);
    expect((await post(body, { path: '/api/v1/public/channels/dingtalk/0190f0a0-0000-7000-8000-0000000000ac' })).statusCode).toBe(403);
    expect((await post({ ...body, robotCode: 'someone-else' })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it('HTTP callback in → customer (来自钉钉) → ticket; a redelivered msgId stores nothing; the next message is a reply', async () => {
    const before = await snapshot();
    const first = robotMessage({ staffId: 'u1001', text: '3 号楼电梯异响' });
    const res = await post(first);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    // Accepted and acknowledged: the inbound worker makes the ticket.
    expect(await ticketOf('u1001')).toBeUndefined();
    expect(await drainInbound(t.database)).toBe(1);
    const ticket = await ticketOf('u1001');
    expect(ticket).toMatchObject({ channel: 'dingtalk', subject: '3 号楼电梯异响' });
    const customer = await t.database.rows<{ name: string; tags: string[] }>(
      sql`SELECT c.name, c.tags FROM customers c JOIN tickets t ON t.customer_id = c.id WHERE t.id = ${ticket!.id}`,
    );
    expect(customer[0]).toMatchObject({ name: '钉钉u1001', tags: ['来自钉钉'] });
    const after = await snapshot();
    expect(after).toMatchObject({
      tickets: before.tickets + 1,
      customers: before.customers + 1,
      identities: before.identities + 1,
      sessions: before.sessions + 1,
    });
    const webhook = await t.database.rows<{ session_webhook: string }>(sql`SELECT session_webhook FROM dingtalk_sessions WHERE conversation_id = 'cid-u1001'`);
    expect(webhook[0]!.session_webhook.startsWith('v1:')).toBe(true); // sealed at rest

    expect((await post(first)).statusCode).toBe(200); // DingTalk retried
    expect(await drainInbound(t.database)).toBe(0); // nothing queued: it was ingested before
    expect(await snapshot()).toEqual(after);

    expect((await post(robotMessage({ staffId: 'u1001', text: '还在响' }))).statusCode).toBe(200);
    expect(await drainInbound(t.database)).toBe(1);
    expect(await snapshot()).toMatchObject({ tickets: after.tickets, replies: after.replies + 1 });
  });

  it('an agent reply goes out through the session webhook while it is valid (no token needed)', async () => {
    const ticket = await ticketOf('u1001');
    const tokens = fake.tokenCalls;
    const n = fake.session.length;
    expect((await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '您好，工程师 30 分钟内到。', visibility: 'public' })).statusCode).toBe(201);
    expect(await drainOutbox(t.database)).toBe(1);
    expect(fake.session.slice(n)).toEqual([{ session: 's-u1001', body: { msgtype: 'text', text: { content: '您好，工程师 30 分钟内到。' } } }]);
    expect(fake.tokenCalls).toBe(tokens);
    const out = await api('GET', `/tickets/${ticket!.id}/deliveries`, admin);
    expect(out.json().items[0]).toMatchObject({ status: 'sent' });
  });

  it('after the session expired: robot batchSend with the access token, fetched once for many; refreshed once when refused', async () => {
    expect((await post(robotMessage({ staffId: 'u2002', text: '门禁卡失效', expiresIn: -1000 }))).statusCode).toBe(200);
    await drainInbound(t.database);
    const ticket = await ticketOf('u2002');
    const calls = fake.tokenCalls;
    const n = fake.batch.length;
    for (let i = 1; i <= 5; i++) await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: `处理进度 ${i}`, visibility: 'public' });
    expect(await drainOutbox(t.database)).toBe(5);
    const sent = fake.batch.slice(n);
    expect(sent).toHaveLength(5);
    expect(fake.tokenCalls).toBe(calls + 1); // one token for five messages
    expect(new Set(sent.map((s) => s.token)).size).toBe(1);
    expect(sent[0]!.token).toBe(fake.valid);
    expect(sent[0]!.body).toMatchObject({ robotCode: APP_KEY, userIds: ['u2002'], msgKey: 'sampleText' });
    expect(JSON.parse(sent[0]!.body.msgParam as string)).toEqual({ content: '处理进度 1' });

    fake.expire(); // the platform says the cached token is no longer valid
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '已更换门禁卡', visibility: 'public' });
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '请试用', visibility: 'public' });
    expect(await drainOutbox(t.database)).toBe(2);
    expect(fake.tokenCalls).toBe(calls + 2); // refreshed once, not per message
    expect(fake.batch.slice(n + 5).map((s) => s.token)).toEqual([fake.valid, fake.valid]);
  });

  it('a picture comes in as an attachment (sniffed), downloaded with the robot API', async () => {
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toBuffer();
    fake.files.set('DLCODE-1', png);
    const before = await count('attachments');
    const res = await post(robotMessage({ staffId: 'u3003', extra: { msgtype: 'picture', content: { downloadCode: 'DLCODE-1' } } }));
    expect(res.statusCode).toBe(200);
    expect(await drainInbound(t.database)).toBe(1);
    const ticket = await ticketOf('u3003');
    expect(ticket!.subject).toBe('钉钉消息 [图片]');
    const att = await t.database.rows<{ mime: string; size: number }>(sql`SELECT mime, size FROM attachments WHERE ticket_id = ${ticket!.id}`);
    expect(att).toEqual([{ mime: 'image/png', size: png.length }]);
    expect(await count('attachments')).toBe(before + 1);
  });

  it('Stream mode: a CALLBACK frame → ticket and the ack frame; ping echoed; a dropped socket reconnects', async () => {
    const res = await api('POST', '/channels', admin, {
      kind: 'dingtalk_robot',
      name: '钉钉 Stream',
      config: { appKey: APP_KEY, appSecret: APP_SECRET, robotCode: APP_KEY, mode: 'stream', apiBase: fake.url },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().callbackUrl).toBeUndefined();
    const streams = new DingtalkStreams(t.database);
    try {
      await streams.reconcile();
      const conn = streams.byChannel.get(res.json().id as string)!;
      await waitFor(() => conn.connected, 'the stream connection');
      expect(fake.gatewayCalls).toBe(1);

      const frame = (id: string, data: unknown, type = 'CALLBACK', topic = '/v1.0/im/bot/messages/get') => ({
        specVersion: '1.0',
        type,
        headers: { appId: 'a', connectionId: 'c', contentType: 'application/json', messageId: id, time: String(Date.now()), topic },
        data: typeof data === 'string' ? data : JSON.stringify(data),
      });
      fake.push(frame('ping-1', '{"opaque":"x"}', 'SYSTEM', 'ping'));
      await waitFor(() => fake.acks.some((a) => (a.headers as Record<string, string>).messageId === 'ping-1'), 'the ping echo');
      expect(fake.acks.find((a) => (a.headers as Record<string, string>).messageId === 'ping-1')).toMatchObject({ code: 200, data: '{"opaque":"x"}' });

      fake.push(frame('frame-1', robotMessage({ staffId: 'u4004', text: '车库灯不亮' })));
      await waitFor(() => fake.acks.some((a) => (a.headers as Record<string, string>).messageId === 'frame-1'), 'the ack');
      expect(fake.acks.find((a) => (a.headers as Record<string, string>).messageId === 'frame-1')).toEqual({
        code: 200,
        headers: { contentType: 'application/json', messageId: 'frame-1' },
        message: 'OK',
        data: JSON.stringify({ response: null }),
      });
      expect(await drainInbound(t.database)).toBe(1);
      expect(await ticketOf('u4004')).toMatchObject({ channel: 'dingtalk', subject: '车库灯不亮' });

      fake.sockets[fake.sockets.length - 1]!.terminate(); // the platform drops the connection
      await waitFor(() => fake.gatewayCalls === 2 && conn.connected, 'the reconnect', 15_000);
      const redelivered = robotMessage({ staffId: 'u4004', text: '第二条' });
      fake.push(frame('frame-2', redelivered));
      fake.push(frame('frame-3', redelivered)); // the same msgId again: acknowledged, stored once
      const acked = (id: string) => fake.acks.some((a) => (a.headers as Record<string, string>).messageId === id);
      await waitFor(() => acked('frame-2') && acked('frame-3'), 'both acks');
      expect(await drainInbound(t.database)).toBe(1); // recorded once
      const replies = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ticket_replies WHERE body = '第二条'`);
      expect(replies[0]!.n).toBe(1);
    } finally {
      await streams.stop();
    }
  });

  it('工作通知: a mapped staff member gets notifications as work notices with the right token, refreshed once', async () => {
    expect(
      (
        await api('PATCH', `/channels/${channelId}`, admin, {
          config: { appKey: APP_KEY, robotCode: APP_KEY, mode: 'http', apiBase: fake.url, agentId: '3001' },
        })
      ).statusCode,
    ).toBe(200);
    const sup = await t.as(['supervisor']);
    const bad = await api('PUT', `/channels/dingtalk/staff/${sup.staff.id}`, admin, { userid: 'bad userid!' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('userid');
    expect((await api('PUT', `/channels/dingtalk/staff/${sup.staff.id}`, sup.token, { userid: 'manager01' })).statusCode).toBe(403);
    const put = await api('PUT', `/channels/dingtalk/staff/${sup.staff.id}`, admin, { userid: 'manager01' });
    expect(put.json()).toMatchObject({ staffId: sup.staff.id, userid: 'manager01', enabled: true });
    const list = (await api('GET', '/channels/dingtalk/staff', admin)).json().items as { staffId: string; userid: string | null }[];
    expect(list.find((i) => i.staffId === sup.staff.id)).toMatchObject({ userid: 'manager01' });

    const { notify } = await import('../src/lib/notify');
    const ticket = await ticketOf('u1001');
    const n = fake.notices.length;
    await t.database.transaction((tx) =>
      notify(tx, { recipientId: sup.staff.id, kind: 'ticket.assigned', ticketId: ticket!.id, title: '新工单待处理', data: {} }),
    );
    await waitFor(() => fake.notices.length > n, 'the work notice');
    const sent = fake.notices[n]!;
    expect(sent.token).toBe(fake.oapiValid);
    expect(sent.body).toMatchObject({ agent_id: 3001, userid_list: 'manager01', msg: { msgtype: 'action_card' } });
    expect((sent.body.msg as { action_card: { single_url: string } }).action_card.single_url).toBe(`https://chidu.example.com/tickets/${ticket!.id}`);
    const oapiCalls = fake.oapiTokenCalls;

    fake.expireOapi();
    await t.database.transaction((tx) => notify(tx, { recipientId: sup.staff.id, kind: 'test', title: '第二条', data: {} }));
    await t.database.transaction((tx) => notify(tx, { recipientId: sup.staff.id, kind: 'test', title: '第三条', data: {} }));
    await waitFor(() => fake.notices.length >= n + 3, 'two more work notices');
    expect(fake.oapiTokenCalls).toBe(oapiCalls + 1);
    expect(fake.notices.slice(n + 1).map((x) => x.token)).toEqual([fake.oapiValid, fake.oapiValid]);
    const deliveries = (await api('GET', '/notifications/deliveries', sup.token)).json().items as { channel: string; state: string }[];
    expect(deliveries.filter((d) => d.channel === 'dingtalk_work').every((d) => d.state === 'sent')).toBe(true);
  });
});
