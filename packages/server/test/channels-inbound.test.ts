import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsInboundWorker, drainInbound, ingestPass, MAX_ATTEMPTS } from '../src/modules/channels/channels.inbound';
import { plainSignature } from '../src/modules/channels/channels.wechat';
import { testApp, type TestApp } from './harness';

/**
 * Accept then ingest (issue #14) for WeChat Official Account callbacks: the request only verifies and records; the
 * inbound worker makes tickets and replies in order per sender (concurrent passes never make a sender's second message
 * a second ticket), retries a failure with back-off, keeps a message after the last attempt (dead) without blocking the
 * sender's later ones, takes a message back from a crashed worker once its lease has passed, and is woken at once.
 */
const APP_ID = 'wx0123456789abcde0';
const TOKEN = 'inboundToken2026';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

let t: TestApp;
let admin: string;
let channelId: string;
let callbackPath: string;
let server: http.Server;
const media = new Map<string, Buffer>();
let seq = 9_100_000_000_000_000_000n;
let nonce = 0;

async function startFake(): Promise<string> {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const json = (v: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (u.pathname === '/cgi-bin/token') return json({ access_token: 'TOKEN-1', expires_in: 7200 });
      if (u.pathname === '/cgi-bin/media/get') {
        const m = media.get(u.searchParams.get('media_id') ?? '');
        if (!m) return json({ errcode: 40007, errmsg: 'invalid media_id' });
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(m);
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const xmlOf = (openid: string, body: string) =>
  `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>${body}<MsgId>${++seq}</MsgId></xml>`;
const text = (openid: string, content: string) => xmlOf(openid, `<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>`);
const image = (openid: string, mediaId: string) =>
  xmlOf(openid, `<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId>`);

async function post(xml: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const n = String(++nonce);
  const q = new URLSearchParams({ timestamp, nonce: n, signature: plainSignature(TOKEN, timestamp, n) });
  const res = await t.app.inject({ method: 'POST', url: `${callbackPath}?${q.toString()}`, headers: { 'content-type': 'text/xml' }, payload: xml });
  expect(res.statusCode).toBe(200);
  expect(res.body).toBe('success');
}

const ticketsOf = (openid: string) =>
  t.database.rows<{ id: string; description: string }>(
    sql`SELECT t.id, t.description FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid} ORDER BY t.id`,
  );
const repliesOf = async (ticketId: string) =>
  (await t.database.rows<{ body: string }>(sql`SELECT body FROM ticket_replies WHERE ticket_id = ${ticketId} ORDER BY created_at, id`)).map((r) => r.body);
const queued = () =>
  t.database.rows<{ status: string; attempts: number; last_error: string | null; due: boolean; sender: string }>(
    sql`SELECT status, attempts, last_error, next_attempt_at <= now() AS due, sender FROM channel_inbound WHERE channel_id = ${channelId} ORDER BY id`,
  );

beforeAll(async () => {
  const base = await startFake();
  process.env.CHIDU_CHANNELS_WORKER = '0';
  process.env.CHIDU_INBOUND_WORKER = '0'; // the tests drive the passes themselves (one test starts a worker)
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  const res = await t.inject('POST', '/api/v1/channels', admin, {
    kind: 'wechat_oa',
    name: '接入队列服务号',
    config: { appId: APP_ID, appSecret: 'secret-inbound', token: TOKEN, encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', apiBase: base },
  });
  expect(res.statusCode).toBe(201);
  channelId = res.json().id;
  callbackPath = `/api/v1/public/channels/wechat/${channelId}`;
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
});

describe('WeChat callbacks: accept then ingest', () => {
  it('answers before ingesting; concurrent passes keep one sender in order (one ticket, replies in order)', async () => {
    const senders = ['oOrder_A_0001', 'oOrder_B_0002', 'oOrder_C_0003'];
    for (let i = 1; i <= 6; i++) for (const s of senders) await post(text(s, `${s} 第${i}条`));
    expect(await ticketsOf(senders[0]!)).toEqual([]);
    expect((await queued()).length).toBe(18);
    // Four workers at once (as four processes would): each claims only a sender's oldest queued message.
    await Promise.all([drainInbound(t.database), drainInbound(t.database), drainInbound(t.database), drainInbound(t.database)]);
    expect(await queued()).toEqual([]);
    for (const s of senders) {
      const tickets = await ticketsOf(s);
      expect(tickets.length).toBe(1);
      expect(tickets[0]!.description).toBe(`${s} 第1条`);
      expect(await repliesOf(tickets[0]!.id)).toEqual([2, 3, 4, 5, 6].map((i) => `${s} 第${i}条`));
    }
  });

  it('a failure is retried with back-off; the sender waits meanwhile; the message is never lost', async () => {
    const openid = 'oRetry_0001';
    await post(image(openid, 'MEDIA_LATER'));
    await post(text(openid, '图片看到了吗？'));
    expect(await ingestPass(t.database)).toBe(1); // only the oldest of the sender is claimable
    const [first, second] = await queued();
    expect(first).toMatchObject({ status: 'queued', attempts: 1, due: false });
    expect(first!.last_error).toContain('40007');
    expect(second).toMatchObject({ status: 'queued', attempts: 0 });
    // Not due yet: nothing is done, the text waits behind the photo.
    expect(await drainInbound(t.database)).toBe(0);
    expect(await ticketsOf(openid)).toEqual([]);
    const recorded = await t.database.rows(sql`SELECT 1 FROM channel_messages WHERE channel_id = ${channelId} AND sender = ${openid}`);
    expect(recorded).toEqual([]); // the failed attempt left no record that would hide the retry as a duplicate

    // The platform has the media now; the back-off has passed: the photo becomes the ticket, the text its reply.
    media.set('MEDIA_LATER', PNG);
    await t.database.rows(sql`UPDATE channel_inbound SET next_attempt_at = now() WHERE channel_id = ${channelId}`);
    expect(await drainInbound(t.database)).toBe(2);
    const [ticket] = await ticketsOf(openid);
    expect(await repliesOf(ticket!.id)).toEqual(['图片看到了吗？']);
    const [att] = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attachments WHERE ticket_id = ${ticket!.id}`);
    expect(Number(att!.n)).toBe(1);
    expect(await queued()).toEqual([]);
  });

  it(`after ${MAX_ATTEMPTS} attempts the message is kept as dead and the sender's next message goes on`, async () => {
    const openid = 'oDead_0001';
    await post(image(openid, 'MEDIA_NEVER'));
    await post(text(openid, '还在吗？'));
    await t.database.rows(
      sql`UPDATE channel_inbound SET attempts = ${MAX_ATTEMPTS - 1} WHERE sender = ${openid} AND attempts = 0 AND payload->>'msgType' = 'image'`,
    );
    expect(await ingestPass(t.database)).toBe(1);
    expect(await queued()).toMatchObject([
      { status: 'dead', attempts: MAX_ATTEMPTS, sender: openid },
      { status: 'queued', sender: openid },
    ]);
    await drainInbound(t.database);
    const tickets = await ticketsOf(openid);
    expect(tickets.map((x) => x.description)).toEqual(['还在吗？']);
    expect(await queued()).toMatchObject([{ status: 'dead' }]);
    await t.database.rows(sql`DELETE FROM channel_inbound WHERE status = 'dead'`);
  });

  it('a worker that crashed mid-ingest: the message is taken again once its lease has passed (its stale record removed)', async () => {
    const openid = 'oCrash_0001';
    await post(text(openid, '电梯停了'));
    const [row] = await t.database.rows<{ id: string; external_id: string }>(sql`SELECT id, external_id FROM channel_inbound WHERE sender = ${openid}`);
    // Claimed and half-done by a process that died: leased (now expired), its channel_messages record left 'received'.
    await t.database.rows(sql`UPDATE channel_inbound SET attempts = 1, locked_until = now() - interval '1 second' WHERE id = ${row!.id}`);
    await t.database.rows(
      sql`INSERT INTO channel_messages (id, channel_id, direction, external_id, outcome, sender) VALUES (${row!.id}, ${channelId}, 'in', ${row!.external_id}, 'received', ${openid})`,
    );
    expect(await drainInbound(t.database)).toBe(1);
    expect((await ticketsOf(openid)).map((x) => x.description)).toEqual(['电梯停了']);
    const [rec] = await t.database.rows<{ outcome: string }>(sql`SELECT outcome FROM channel_messages WHERE external_id = ${row!.external_id}`);
    expect(rec!.outcome).toBe('ticket');
  });

  it('the running worker is woken by the accept: the ticket follows the answer within moments', async () => {
    // Polling once a minute: only the wake-up can bring the ticket within seconds.
    delete process.env.CHIDU_INBOUND_WORKER;
    process.env.CHIDU_INBOUND_POLL_MS = '60000';
    const worker = channelsInboundWorker({ database: t.database, config: t.config }, t.app.log);
    process.env.CHIDU_INBOUND_WORKER = '0';
    if (!worker) throw new Error('the inbound worker is off');
    delete process.env.CHIDU_INBOUND_POLL_MS;
    await worker.start();
    try {
      const openid = 'oWake_0001';
      const t0 = Date.now();
      await post(text(openid, '门禁卡坏了'));
      while (!(await ticketsOf(openid)).length && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 20));
      expect((await ticketsOf(openid)).length).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
