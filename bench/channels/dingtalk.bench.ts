/**
 * DingTalk robot benchmark (issue #14 item 5) on PostgreSQL: signed HTTP outgoing callbacks/s against the real server
 * process (`main.ts`, pool 20), over HTTP with keep-alive and a fixed number of requests in flight. Each callback is
 * verified (HmacSHA256 sign, one-hour window), recorded once by msgId, its session webhook sealed and kept, and becomes
 * a ticket (a sender's first message) or a customer reply (the next ones). A second pass redelivers the same msgIds
 * (DingTalk's retries: verified, nothing stored). Target ≥ 500 callbacks/s.
 *   npm run bench -- channels      (BENCH_DT_SENDERS=100 BENCH_DT_PER_SENDER=10 BENCH_DT_CONCURRENCY=32)
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freshDatabaseUrl } from '../../packages/server/test/harness';
import { startProcess } from '../../packages/server/test/process-harness';
import { api } from '../lib/http';

const PG_URL = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SENDERS = Number(process.env.BENCH_DT_SENDERS ?? 100);
const PER_SENDER = Number(process.env.BENCH_DT_PER_SENDER ?? 10);
const CONCURRENCY = Number(process.env.BENCH_DT_CONCURRENCY ?? 32);
const ADMIN = ['A0001', 'Bench-Admin-Passw0rd!'] as const;
const SECRET = 'bench-dingtalk-app-secret';

const message = (sender: number, n: number, run: string) => ({
  msgId: `msg${run}-${sender}-${n}`,
  msgtype: 'text',
  text: { content: n === 0 ? `会议室 ${sender} 空调不制冷` : `补充说明 ${n}` },
  conversationId: `cid-${sender}`,
  conversationType: '1',
  senderId: `$:LWCP_v1:$bench${sender}`,
  senderStaffId: `staff${sender}`,
  senderCorpId: 'dingbenchcorp',
  senderNick: `压测用户${sender}`,
  robotCode: 'dingbenchapp',
  sessionWebhook: `https://oapi.dingtalk.com/robot/sendBySession?session=bench${sender}`,
  sessionWebhookExpiredTime: Date.now() + 3600_000,
});

/** Posts the bodies with `CONCURRENCY` in flight; returns seconds and the status counts. */
async function fire(url: string, bodies: unknown[]): Promise<{ sec: number; status: Map<number, number> }> {
  const status = new Map<number, number>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const timestamp = String(Date.now());
        const sign = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', timestamp, sign }, body: JSON.stringify(body) });
        await res.arrayBuffer();
        status.set(res.status, (status.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return { sec: (performance.now() - t0) / 1000, status, t0 };
}

async function main() {
  process.env.TEST_DATABASE_URL = PG_URL;
  const f = await freshDatabaseUrl();
  const server = await startProcess(
    { DATABASE_URL: f.url, DATABASE_POOL_SIZE: '20', CHIDU_BOOTSTRAP_ADMIN: ADMIN.join(':'), LOG_LEVEL: 'warn', CHIDU_CHANNELS_WORKER: '0' },
    90_000,
  );
  const db = new pg.Client({ connectionString: f.url });
  await db.connect();
  try {
    const admin = (await api(server.url, null, 'POST', '/api/v1/auth/login', { employeeNo: ADMIN[0], password: ADMIN[1] })).token as string;
    const created = await api(server.url, admin, 'POST', '/api/v1/channels', {
      kind: 'dingtalk_robot',
      name: '压测钉钉机器人',
      config: { appKey: 'dingbenchapp', appSecret: SECRET, robotCode: 'dingbenchapp', mode: 'http' },
    });
    const url = `${server.url}${new URL(created.callbackUrl as string).pathname}`;
    const run = String(Date.now());
    // Warm-up (not counted): one sender, then the measured run — first messages of every sender, then the follow-ups.
    await fire(url, [message(-1, 0, run)]);
    const bodies: unknown[] = [];
    for (let n = 0; n < PER_SENDER; n++) for (let s = 0; s < SENDERS; s++) bodies.push(message(s, n, run));
    const a = await fire(url, bodies);
    // Accepted then ingested (docs/channels.md "Accept then ingest"): the end to end time runs until the server's inbound
    // worker has made every message a ticket or reply.
    while (Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM channel_inbound WHERE status = 'queued'`)).rows[0]!.n) > 0)
      await new Promise((r) => setTimeout(r, 5));
    const e2e = (performance.now() - a.t0) / 1000;
    const counts = (
      await db.query<{ tickets: number; replies: number; messages: number }>(
        `SELECT (SELECT count(*)::int FROM tickets WHERE channel = 'dingtalk') AS tickets,
              (SELECT count(*)::int FROM ticket_replies) AS replies,
              (SELECT count(*)::int FROM channel_messages) AS messages`,
      )
    ).rows[0]!;
    console.log(
      `callbacks: ${bodies.length} signed DingTalk callbacks (${SENDERS} senders × ${PER_SENDER}) → ${JSON.stringify(Object.fromEntries(a.status))} in ${a.sec.toFixed(2)} s = ${(bodies.length / a.sec).toFixed(1)} callbacks/s accepted (${CONCURRENCY} in flight, PostgreSQL); end to end ${e2e.toFixed(2)} s = ${(bodies.length / e2e).toFixed(1)} messages/s; stored ${counts.tickets} tickets, ${counts.replies} replies, ${counts.messages} messages`,
    );
    const b = await fire(url, bodies);
    const after = (await db.query<{ messages: number }>('SELECT count(*)::int AS messages FROM channel_messages')).rows[0]!;
    console.log(
      `redeliveries: ${bodies.length} → ${JSON.stringify(Object.fromEntries(b.status))} in ${b.sec.toFixed(2)} s = ${(bodies.length / b.sec).toFixed(1)} callbacks/s; messages stored ${after.messages} (unchanged: ${after.messages === counts.messages})`,
    );
  } finally {
    await db.end();
    server.proc.kill('SIGTERM');
    await server.exited;
    await f.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
