/**
 * Chat and WeChat channel benchmark (issue #14) on PostgreSQL, over real HTTP to the app on 127.0.0.1:
 * (1) inbound messages/s through the webhook routes — the generic `POST /api/v1/inbound/chat` (HMAC-signed, handled in
 *     the request: it answers with the ticket) and the WeChat Official Account callback, plain (signature) and safe mode
 *     (msg_signature + AES: accept then ingest, so the accept rate and the end-to-end rate are reported apart) — each
 *     run a mix of new customers (a new ticket) and returning ones (a reply on their open ticket), `BENCH_CONCURRENCY`
 *     at a time;
 * (2) outbound drain rate of the channel outbox for WeChat (customer-service messages to a local fake of the platform)
 *     and SMS (Aliyun SendSms to a local fake), one worker.
 *   npm run bench -- channels   (BENCH_WEBHOOKS=300 BENCH_CONCURRENCY=16 BENCH_RETURNING=0.5 BENCH_OUTBOX=300)
 * Needs TEST_DATABASE_URL (or the default local PostgreSQL).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../packages/server/src/db/client';
import { buildApp } from '../../packages/server/src/http/app';
import { uuidv7 } from '../../packages/server/src/lib/ids';
import { configureOutbound, parseAllowList } from '../../packages/server/src/lib/outbound';
import { sealSecret } from '../../packages/server/src/lib/secretbox';
import { channelsInboundWorker } from '../../packages/server/src/modules/channels/channels.inbound';
import { drainOutbox } from '../../packages/server/src/modules/channels/channels.outbox';
import { channelsRepo } from '../../packages/server/src/modules/channels/channels.repo';
import { plainSignature, sealWechatSecrets } from '../../packages/server/src/modules/channels/channels.wechat';
import { freshDatabaseUrl, testConfig } from '../../packages/server/test/harness';

const N = Number(process.env.BENCH_WEBHOOKS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RETURNING = Number(process.env.BENCH_RETURNING ?? 0.5);
const OUTBOX = Number(process.env.BENCH_OUTBOX ?? 300);
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const APP_ID = 'wxbench000000001';
const TOKEN = 'benchToken2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** A local fake of the WeChat API (token, custom/send) and of Aliyun SendSms, counting what it received. */
async function startFake() {
  const got = { wx: 0, sms: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      res.writeHead(200, { 'content-type': 'application/json' });
      if (u.pathname === '/cgi-bin/token') return res.end(JSON.stringify({ access_token: 'BENCH', expires_in: 7200 }));
      if (u.pathname === '/cgi-bin/message/custom/send') {
        got.wx++;
        return res.end('{"errcode":0,"errmsg":"ok"}');
      }
      if (u.searchParams.get('Action') === 'SendSms') {
        got.sms++;
        return res.end(JSON.stringify({ Code: 'OK', Message: 'OK', BizId: `b${got.sms}`, RequestId: 'r' }));
      }
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The i-th message's customer: a returning one (of the first few) with probability RETURNING, else a new one. */
const who = (run: string, i: number) => (i >= 20 && (i * 7919) % 100 < RETURNING * 100 ? `${run}-${i % 20}` : `${run}-${i}`);

/**
 * Sends N messages, CONCURRENCY at a time: the accept rate (answers/s, p50/p99 of the answer). With `settled` (accept
 * then ingest: the WeChat callback), also the end-to-end rate: from the first send until the last message became a
 * ticket or reply (the inbound queue empty).
 */
async function runInbound(label: string, send: (i: number) => Promise<number>, settled?: () => Promise<boolean>) {
  await send(-1); // warm-up
  if (settled) while (!(await settled())) await new Promise((r) => setTimeout(r, 5));
  let next = 0;
  const codes = new Map<number, number>();
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        const code = await send(i);
        lat.push(performance.now() - s);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
    }),
  );
  const sec = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!.toFixed(0);
  console.log(
    `${label}: ${N} messages (${Math.round(RETURNING * 100)}% returning) → ${JSON.stringify(Object.fromEntries(codes))} accepted in ${sec.toFixed(2)} s = ${(N / sec).toFixed(1)} msg/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (concurrency ${CONCURRENCY})`,
  );
  if (!settled) return;
  while (!(await settled())) await new Promise((r) => setTimeout(r, 5));
  const e2e = (performance.now() - t0) / 1000;
  console.log(`${label}: end to end (last message a ticket/reply) ${e2e.toFixed(2)} s = ${(N / e2e).toFixed(1)} msg/s`);
}

async function main() {
  configureOutbound({ allow: parseAllowList('127.0.0.1') });
  const fake = await startFake();
  const { url, drop } = await freshDatabaseUrl();
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the bench drains the outbox itself
  process.env.CHIDU_INBOUND_WORKER = '0'; // … and runs the inbound worker itself (below), to pause it for one run
  const config = testConfig({ CHIDU_WEBHOOK_SECRET: SECRET, CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  const database = await openDatabase({ databaseUrl: url });
  const app = await buildApp({ config, database }, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  delete process.env.CHIDU_INBOUND_WORKER;
  const inbound = channelsInboundWorker({ database, config }, app.log);
  if (!inbound) throw new Error('inbound worker off');
  await inbound.start();
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const wxId = uuidv7();
    await channelsRepo.insertChannel(database.db, {
      id: wxId,
      kind: 'wechat_oa',
      name: '压测服务号',
      config: { appId: APP_ID, apiBase: fake.url, ratePerMinute: 100_000 },
      secrets: sealWechatSecrets({ appSecret: 's', token: TOKEN, encodingAesKey: AES_KEY }),
      unknownSender: 'customer',
    });
    const smsId = uuidv7();
    await channelsRepo.insertChannel(database.db, {
      id: smsId,
      kind: 'sms_aliyun',
      name: '压测短信',
      config: {
        keyId: 'k',
        signName: '尺度',
        templates: { survey_invite: 'SMS_1' },
        apiBase: fake.url,
        ratePerMinute: 100_000,
        perNumberPerDay: 100,
        dailyCap: 1_000_000,
      },
      secrets: sealSecret(JSON.stringify({ keySecret: 'secret', receiptToken: 'tok' }), 'channel_credential'),
      unknownSender: 'customer',
    });

    // 1a. Generic chat webhook, HMAC-signed: answered with the ticket; then with `Prefer: respond-async` (accepted, then
    // ingested by the app's channels-inbound worker, in order per conversation).
    const queueEmpty = async () =>
      Number((await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM channel_inbound WHERE status = 'queued'`))[0]!.n) === 0;
    const chat = (run: string, prefer?: string) => async (i: number) => {
      const c = who(run, i);
      const body = JSON.stringify({
        conversationId: `conv-${c}`,
        customer: { name: `访客${c}`, externalId: c },
        subject: '咨询',
        text: `第 ${i} 条：请问物业费怎么交？`,
      });
      const res = await fetch(`${base}/api/v1/inbound/chat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-chidu-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
          ...(prefer ? { prefer } : {}),
        },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    await runInbound('inbound /inbound/chat', chat('chat'));
    await runInbound('inbound /inbound/chat (Prefer: respond-async)', chat('chatasync', 'respond-async'), queueEmpty);

    // 1b/1c. WeChat callbacks, plain and safe mode: accepted, then ingested by the app's channels-inbound worker.
    const xml = (openid: string, i: number) =>
      `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[第 ${i} 条：楼道灯不亮]]></Content><MsgId>${Date.now()}${String(i + 1000).padStart(6, '0')}${Math.floor(Math.random() * 1e6)}</MsgId></xml>`;
    let nonce = 0;
    for (const mode of ['plain', 'aes'] as const) {
      await runInbound(
        `inbound WeChat callback (${mode})`,
        async (i) => {
          const openid = `o${mode}_${who('wx', i)}`;
          const timestamp = String(Math.floor(Date.now() / 1000));
          const n = String(++nonce);
          const q = new URLSearchParams({ timestamp, nonce: n, signature: plainSignature(TOKEN, timestamp, n) });
          let body = xml(openid, i);
          if (mode === 'aes') {
            const enc = wxEncrypt(AES_KEY, body, APP_ID);
            q.set('encrypt_type', 'aes');
            q.set('msg_signature', getSignature(TOKEN, timestamp, n, enc));
            body = `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
          }
          const res = await fetch(`${base}/api/v1/public/channels/wechat/${wxId}?${q.toString()}`, {
            method: 'POST',
            headers: { 'content-type': 'text/xml' },
            body,
          });
          await res.arrayBuffer();
          return res.status;
        },
        queueEmpty,
      );
    }
    // 1d. Accept only (the ingest worker paused, as when it runs in another process), then the queue drained.
    await inbound.stop();
    await runInbound('inbound WeChat callback (plain, ingest worker paused)', async (i) => {
      const openid = `opaused_${who('wx', i)}`;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const n = String(++nonce);
      const q = new URLSearchParams({ timestamp, nonce: n, signature: plainSignature(TOKEN, timestamp, n) });
      const res = await fetch(`${base}/api/v1/public/channels/wechat/${wxId}?${q.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: xml(openid, i),
      });
      await res.arrayBuffer();
      return res.status;
    });
    await runInbound('inbound /inbound/chat (Prefer: respond-async, ingest worker paused)', chat('chatpaused', 'respond-async'));
    const d0 = performance.now();
    await inbound.start();
    while (!(await queueEmpty())) await new Promise((r) => setTimeout(r, 5));
    const dsec = (performance.now() - d0) / 1000;
    console.log(`inbound queue drained by one worker: ${2 * (N + 1)} messages in ${dsec.toFixed(2)} s = ${((2 * (N + 1)) / dsec).toFixed(1)} msg/s`);
    await inbound.stop();
    const [counts] = await database.rows<{ tickets: number; customers: number }>(
      sql`SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM customers) AS customers`,
    );
    console.log(`after inbound: ${counts!.tickets} tickets, ${counts!.customers} customers`);

    // 2. Outbound drain: WeChat customer-service messages (the users just wrote: inside the window) and SMS.
    const openids = (await database.rows<{ value: string }>(sql`SELECT value FROM customer_identities WHERE kind = 'wechat_openid' LIMIT 50`)).map(
      (r) => r.value,
    );
    for (const [label, channelId, mk] of [
      ['WeChat', wxId, (i: number) => ({ recipient: openids[i % openids.length]!, payload: { subject: '回复', body: `您好，第 ${i} 条回复。` } })],
      [
        'SMS',
        smsId,
        (i: number) => ({
          recipient: `1370000${String(i).padStart(4, '0')}`,
          payload: { template: 'survey_invite', subject: 's', values: { number: `B${i}`, url: 'https://x/s/1' } },
        }),
      ],
    ] as const) {
      for (let i = 0; i < OUTBOX; i++) await channelsRepo.enqueue(database.db, { id: uuidv7(), channelId, kind: 'reply', ...mk(i) });
      const before = label === 'WeChat' ? fake.got.wx : fake.got.sms;
      const t1 = performance.now();
      let drained = 0;
      for (;;) {
        const k = await drainOutbox(database, new Date(), 50);
        if (!k) break;
        drained += k;
      }
      const sec = (performance.now() - t1) / 1000;
      const at = (label === 'WeChat' ? fake.got.wx : fake.got.sms) - before;
      const states = await database.rows<{ status: string; n: number }>(
        sql`SELECT status, count(*)::int AS n FROM channel_outbox WHERE channel_id = ${channelId} GROUP BY status`,
      );
      console.log(
        `outbox ${label}: ${drained} drained (${states.map((r) => `${r.status} ${r.n}`).join(', ')}), ${at} received by the fake in ${sec.toFixed(2)} s = ${(drained / sec).toFixed(1)} deliveries/s (one worker)`,
      );
    }
  } finally {
    await app.close();
    await database.close();
    await drop();
    await fake.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
