/**
 * 微信客服 (wecom_kf) benchmark on PostgreSQL: messages/s through the real HTTP callback (a listening server, encrypted
 * `kf_msg_or_event` with msg_signature, verified and decrypted) and the kf/sync_msg pull from a local fake WeCom
 * (gettoken + sync_msg paging by cursor) into customers, tickets and customer replies. Each message is followed by one
 * callback, as the platform does; `BENCH_USERS` WeChat users (first message → new customer + ticket, later → reply).
 *   npm run bench -- channels      (BENCH_WECOM_MESSAGES=1000 BENCH_USERS=200 BENCH_CONCURRENCY=8)
 * Target: ≥ 500 messages/s (figures depend on the machine and its load).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../packages/server/src/db/client';
import { buildApp } from '../../packages/server/src/http/app';
import { uuidv7 } from '../../packages/server/src/lib/ids';
import { channelsRepo } from '../../packages/server/src/modules/channels/channels.repo';
import { sealWecomSecrets } from '../../packages/server/src/modules/channels/channels.wecom';
import { freshDatabaseUrl, testConfig } from '../../packages/server/test/harness';

const MESSAGES = Number(process.env.BENCH_WECOM_MESSAGES ?? 1000);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CORP = 'wwBench0000000001';
const KF = 'wkBenchKf0001';
const TOKEN = 'benchToken2026';
const AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

async function fakeWecom() {
  const msgs: Record<string, unknown>[] = [];
  const calls = { token: 0, sync: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      res.writeHead(200, { 'content-type': 'application/json' });
      if (u.pathname === '/cgi-bin/gettoken') {
        calls.token++;
        return res.end(JSON.stringify({ errcode: 0, access_token: 'BENCH-TOKEN', expires_in: 7200 }));
      }
      if (u.pathname === '/cgi-bin/kf/sync_msg') {
        calls.sync++;
        const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cursor?: string; limit?: number };
        const from = Number(b.cursor ?? 0) || 0;
        const page = msgs.slice(from, from + (b.limit ?? 1000));
        const end = from + page.length;
        return res.end(JSON.stringify({ errcode: 0, next_cursor: String(end), has_more: end < msgs.length ? 1 : 0, msg_list: page }));
      }
      res.end(JSON.stringify({ errcode: 404 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, msgs, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function main() {
  process.env.CHIDU_CHANNELS_WORKER = '0';
  const fake = await fakeWecom();
  const { url, drop } = await freshDatabaseUrl();
  const database = await openDatabase({ databaseUrl: url });
  const app = await buildApp({ config: testConfig({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' }), database }, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const id = uuidv7();
    await channelsRepo.insertChannel(database.db, {
      id,
      kind: 'wecom_kf',
      name: '压测微信客服',
      address: null,
      config: { corpId: CORP, openKfId: KF, apiBase: fake.url },
      secrets: sealWecomSecrets({ secret: 'bench-secret', token: TOKEN, encodingAesKey: AES }),
      unknownSender: 'customer',
    });
    let nonce = 0;
    const callback = async () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const n = String(++nonce);
      const inner = `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[SYNC${n}]]></Token><OpenKfId><![CDATA[${KF}]]></OpenKfId></xml>`;
      const enc = wxEncrypt(AES, inner, CORP);
      const q = new URLSearchParams({ msg_signature: getSignature(TOKEN, timestamp, n, enc), timestamp, nonce: n });
      const res = await fetch(`${base}/api/v1/public/channels/wecom/${id}?${q.toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
      });
      if (res.status !== 200) throw new Error(`callback ${res.status} ${await res.text()}`);
    };
    const push = (i: number) =>
      fake.msgs.push({
        msgid: `BENCH${i}`,
        open_kfid: KF,
        external_userid: `wmBenchUser${String(i % USERS).padStart(6, '0')}`,
        send_time: Math.floor(Date.now() / 1000),
        origin: 3,
        msgtype: 'text',
        text: { content: `第 ${i} 条：${i % 3 === 0 ? '楼道灯不亮' : '补充说明'}` },
      });
    push(-1); // warm-up
    await callback();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MESSAGES) {
          push(next++);
          await callback();
        }
      }),
    );
    const ms = performance.now() - t0;
    // Accepted then pulled and ingested by the inbound worker (docs/channels.md "Accept then ingest"): wait until the
    // queue is empty for the end to end time.
    const queued = async () => Number((await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM channel_inbound WHERE status = 'queued'`))[0]!.n);
    while ((await queued()) > 0) await new Promise((r) => setTimeout(r, 5));
    const e2eMs = performance.now() - t0;
    const [c] = await database.rows<{ m: number; t: number; r: number }>(
      sql`SELECT (SELECT count(*) FROM channel_messages WHERE direction = 'in')::int AS m, (SELECT count(*) FROM tickets)::int AS t, (SELECT count(*) FROM ticket_replies)::int AS r`,
    );
    const stored = c!.m - 1;
    console.log(
      `wecom_kf HTTP callback + sync_msg (PostgreSQL, concurrency ${CONCURRENCY}): ${MESSAGES} callbacks accepted in ${(ms / 1000).toFixed(2)} s → ${((MESSAGES / ms) * 1000).toFixed(0)} callbacks/s; ${stored}/${MESSAGES} messages ingested end to end in ${(e2eMs / 1000).toFixed(2)} s → ${((stored / e2eMs) * 1000).toFixed(0)} messages/s; ${c!.t} tickets, ${c!.r} replies; fake: ${fake.calls.sync} sync_msg calls, ${fake.calls.token} gettoken`,
    );
    if (stored !== MESSAGES) throw new Error(`stored ${stored} of ${MESSAGES}`);
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
