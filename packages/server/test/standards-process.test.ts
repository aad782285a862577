import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, onPostgres, WS_MODULE } from './harness';
import { loginOver, startProcess, tempDataDir, type ServerProc } from './process-harness';
import { sleep, waitFor } from './standards-helpers';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function dbEnv(): Promise<Record<string, string>> {
  if (!onPostgres) return { DATA_DIR: tempDataDir() };
  const fresh = await freshDatabaseUrl();
  cleanups.push(fresh.drop);
  return { DATABASE_URL: fresh.url };
}

async function stop(s: ServerProc) {
  if (s.proc.exitCode === null && s.proc.signalCode === null) {
    s.proc.kill('SIGTERM');
  }
  await s.exited;
}

const api = (base: string, token: string) => async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
};

describe('standards engine across processes and restarts', () => {
  it('server down across a deadline: on restart the breach is recorded once, marked late, with the original due time', async () => {
    const env = { ...(await dbEnv()), CHIDU_BOOTSTRAP_ADMIN: 'ADM01:Late-Test-Passw0rd' };
    const first = await startProcess(env);
    const call = api(first.url, await loginOver(first.url, 'ADM01', 'Late-Test-Passw0rd'));
    expect(
      (
        await call('POST', '/standards', {
          code: 'DOWNTIME',
          name: '停机跨越时限',
          encounter: '测试',
          kind: 'hard',
          start: 'ticket.created',
          stop: 'ticket.first_public_reply',
          limitSeconds: 3,
        })
      ).status,
    ).toBe(201);
    const customer = await call('POST', '/customers', { name: '王先生', phone: '13700003333' });
    const ticket = await call('POST', '/tickets', {
      customerId: customer.json.id,
      type: 'inquiry',
      channel: 'email',
      priority: 'normal',
      subject: '停机测试',
      description: '',
    });
    expect(ticket.status).toBe(201);
    const dueAt = Date.parse(ticket.json.standards[0].dueAt);
    await stop(first);
    expect(Date.now()).toBeLessThan(dueAt); // really down before the deadline
    await sleep(Math.max(0, dueAt - Date.now()) + 3000);

    const second = await startProcess(env);
    cleanups.push(() => stop(second));
    const call2 = api(second.url, await loginOver(second.url, 'ADM01', 'Late-Test-Passw0rd'));
    const detail = await waitFor(
      async () => {
        const d = await call2('GET', `/tickets/${ticket.json.id}`);
        return d.json.standards[0].state === 'breached' ? d.json : null;
      },
      10_000,
      50,
    );
    await sleep(1500); // a second pass must not repeat it
    const again = (await call2('GET', `/tickets/${ticket.json.id}`)).json;
    const breaches = again.timeline.filter((e: { kind: string }) => e.kind === 'standard.breached');
    expect(breaches).toHaveLength(1);
    expect(breaches[0].data).toMatchObject({ code: 'DOWNTIME', late: true, dueAt: new Date(dueAt).toISOString() });
    expect(breaches[0].data.lagMs).toBeGreaterThan(2000);
    expect(detail.standards[0]).toMatchObject({ state: 'breached', breachedAt: new Date(dueAt).toISOString(), late: true });
    await stop(second);
  }, 90_000);

  it.skipIf(!onPostgres)(
    'two processes, 10,000 deadlines in the same minute, one SIGKILLed halfway: every breach happens exactly once',
    async () => {
      const { DATABASE_URL } = await dbEnv();
      const env = { DATABASE_URL: DATABASE_URL!, DATABASE_POOL_SIZE: '8' };
      const a = await startProcess(env);
      cleanups.push(() => stop(a));
      const db = new pg.Client({ connectionString: DATABASE_URL });
      await db.connect();
      cleanups.push(() => db.end());
      const N = 10_000;
      await db.query(`
      INSERT INTO standards (id, code, current_version_id, current_version, active) VALUES ('00000000-0000-7000-8000-000000000001', 'BURST', '00000000-0000-7000-8000-000000000002', 1, false);
      INSERT INTO standard_versions (id, standard_id, version, definition) VALUES ('00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000001', 1,
        '{"name":"突发批量","encounter":"测试","kind":"hard","description":null,"measure":"timer","target":0.9,"start":["ticket.created"],"stop":["ticket.first_public_reply"],"pauseWhile":[],"deadline":"duration","limitSeconds":60,"calendarId":null,"calendarSource":"standard","timeZone":"Asia/Shanghai","appliesTo":{},"warnAtPercent":[],"escalation":[],"recurring":false,"maxCycles":null,"sqiWeight":1,"survey":null}');
      INSERT INTO customers (id, name) VALUES ('00000000-0000-7000-8000-000000000003', '批量客户');
      INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, created_by_kind)
        SELECT ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'BURST-' || i, '00000000-0000-7000-8000-000000000003', 'inquiry', 'email', 'normal', 'new', '批量', '', 'system'
        FROM generate_series(1, ${N}) AS i;`);
      // Every deadline falls within ~12 s from now (the same minute), spread evenly.
      await db.query(`
      INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, segment_started_at, due_at, next_action_at, next_action)
        SELECT gen_random_uuid(), '00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-000000000002', 'BURST',
          ('00000000-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid, 'running', now(), 60000, now(),
          now() + make_interval(secs => 3 + i * 9.0 / ${N}), now() + make_interval(secs => 3 + i * 9.0 / ${N}), 'breach'
        FROM generate_series(1, ${N}) AS i`);
      const b = await startProcess(env);
      cleanups.push(() => stop(b));
      const count = async () =>
        Number((await db.query(`SELECT count(*)::int AS n FROM standard_actions WHERE standard_id = '00000000-0000-7000-8000-000000000001'`)).rows[0].n);
      await waitFor(async () => (await count()) >= N / 2, 120_000, 25);
      a.proc.kill('SIGKILL');
      await a.exited;
      const atKill = await count();
      expect(atKill).toBeLessThan(N); // really halfway
      await waitFor(async () => (await count()) >= N, 180_000, 200);
      await sleep(2000); // let any stray duplicate show up
      const r = (
        await db.query(`
      SELECT count(*)::int AS events, count(DISTINCT data->>'instanceId')::int AS distinct_instances
      FROM events WHERE kind = 'standard.breached' AND data->>'code' = 'BURST'`)
      ).rows[0];
      expect(r).toEqual({ events: N, distinct_instances: N });
      const actions = (
        await db.query(
          `SELECT count(*)::int AS n, count(DISTINCT worker)::int AS workers FROM standard_actions WHERE standard_id = '00000000-0000-7000-8000-000000000001'`,
        )
      ).rows[0];
      expect(actions).toEqual({ n: N, workers: 2 });
      const states = (
        await db.query(
          `SELECT state, count(*)::int AS n, count(*) FILTER (WHERE next_action_at IS NOT NULL)::int AS pending FROM standard_instances WHERE code = 'BURST' GROUP BY state`,
        )
      ).rows;
      expect(states).toEqual([{ state: 'breached', n: N, pending: 0 }]);
      await stop(b);
    },
    300_000,
  );

  it.skipIf(!onPostgres)(
    'a notification or ticket event written by one process reaches a WebSocket held by another (LISTEN/NOTIFY)',
    async () => {
      const env = { ...(await dbEnv()), CHIDU_BOOTSTRAP_ADMIN: 'ADM02:Ws-Test-Passw0rd' };
      const a = await startProcess(env);
      cleanups.push(() => stop(a));
      const b = await startProcess(env);
      cleanups.push(() => stop(b));
      const token = await loginOver(a.url, 'ADM02', 'Ws-Test-Passw0rd');
      const callA = api(a.url, token);
      const customer = await callA('POST', '/customers', { name: '赵女士', phone: '13600004444' });
      const ticket = await callA('POST', '/tickets', {
        customerId: customer.json.id,
        type: 'inquiry',
        channel: 'email',
        priority: 'normal',
        subject: '跨进程推送',
        description: '',
      });
      const { WebSocket } = (await import(WS_MODULE)) as {
        WebSocket: new (u: string) => { on(e: string, f: (...x: unknown[]) => void): void; send(s: string): void; close(): void };
      };
      const ws = new WebSocket(`${b.url.replace('http', 'ws')}/api/v1/ws?token=${token}`);
      const msgs: { type: string; [k: string]: unknown }[] = [];
      ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
      await new Promise<void>((r) => ws.on('open', () => r()));
      ws.send(JSON.stringify({ type: 'watch', ticketIds: [ticket.json.id] }));
      await waitFor(() => msgs.find((m) => m.type === 'watching' && (m.ticketIds as string[]).includes(ticket.json.id)));
      expect((await callA('POST', '/notifications/test')).status).toBe(201);
      expect(await waitFor(() => msgs.find((m) => m.type === 'notification' && m.kind === 'test'), 5000)).toMatchObject({
        title: '测试通知 / Test notification',
      });
      expect((await callA('POST', `/tickets/${ticket.json.id}/replies`, { body: '您好，已收到。', visibility: 'public' })).status).toBe(201);
      const ev = await waitFor(() => msgs.find((m) => m.type === 'ticket.event' && m.kind === 'ticket.public_reply'), 5000);
      expect(ev).toMatchObject({ ticketId: ticket.json.id });
      ws.close();
    },
    60_000,
  );
});
