/**
 * Database faults (issue #19 items 1 and 2), on PostgreSQL with the real server process:
 * - every backend of the database terminated again and again during concurrent creates, replies and survey answers:
 *   the process stays up, nothing acknowledged is lost, the next requests succeed within 2 s, a 5-second standard
 *   still fires on time;
 * - a table locked by another session: creates answer 503 database_busy within the lock timeout, /readyz says so,
 *   and writes work again once the lock is gone.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl, onPostgres } from './harness';
import { loginOver, startProcess, type ServerProc } from './process-harness';
import { sleep, waitFor } from './standards-helpers';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function stop(s: ServerProc) {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGTERM');
  await s.exited;
}

interface Res {
  status: number;
  json: any;
  headers: Headers;
}
const client =
  (base: string, token?: string) =>
  async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> => {
    const res = await fetch(`${base}${path.startsWith('/readyz') ? '' : '/api/v1'}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : null,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  };

async function setup(extraEnv: Record<string, string> = {}) {
  const fresh = await freshDatabaseUrl();
  cleanups.push(fresh.drop);
  const server = await startProcess({ DATABASE_URL: fresh.url, CHIDU_BOOTSTRAP_ADMIN: 'ADM01:Fault-Test-Passw0rd', DATABASE_POOL_SIZE: '10', ...extraEnv });
  cleanups.push(() => stop(server));
  const admin = new pg.Client({ connectionString: fresh.url });
  admin.on('error', () => undefined);
  await admin.connect();
  cleanups.push(() => admin.end());
  const token = await loginOver(server.url, 'ADM01', 'Fault-Test-Passw0rd');
  return { server, admin, dbName: new URL(fresh.url).pathname.slice(1), call: client(server.url, token), anon: client(server.url) };
}

const expectRetryable = (r: Res, codes: string[]) => {
  expect(codes).toContain(r.json?.code);
  expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(JSON.stringify(r.json)).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
};

describe.skipIf(!onPostgres)('database faults on PostgreSQL', () => {
  it('backends terminated again and again under 40 concurrent clients: the process stays up, nothing acknowledged is lost, service resumes within 2 s, a 5 s standard fires on time', async () => {
    const { server, admin, dbName, call, anon } = await setup();
    expect(
      (
        await call('POST', '/standards', {
          code: 'FAULT5',
          name: '故障中五秒',
          encounter: '测试',
          kind: 'hard',
          start: 'ticket.created',
          stop: 'ticket.first_public_reply',
          limitSeconds: 5,
        })
      ).status,
    ).toBe(201);
    const customer = (await call('POST', '/customers', { name: '故障客户', phone: '13700009999' })).json;
    const newTicket = (i: number | string) => ({
      customerId: customer.id,
      type: 'inquiry',
      channel: 'email',
      priority: 'normal',
      subject: `断线测试 ${i}`,
      description: '数据库连接被终止',
    });
    const C = 40;
    // Each client gets a ticket to reply to and a survey link to answer.
    const own: { ticketId: string; token: string }[] = [];
    for (let i = 0; i < C; i++) {
      const t = await call('POST', '/tickets', newTicket(`prep-${i}`));
      expect(t.status).toBe(201);
      const s = await call('POST', `/tickets/${t.json.id}/resolve`, { resolution: '已处理' });
      expect(s.status, JSON.stringify(s.json)).toBe(200);
      const inv = await call('GET', `/tickets/${t.json.id}/surveys`);
      expect(inv.json, JSON.stringify(inv.json)).toHaveLength(1);
      own.push({ ticketId: t.json.id, token: inv.json[0].token });
    }
    // The standard under watch: due 5 s from now, in the middle of the storm.
    const watched = await call('POST', '/tickets', newTicket('watched'));
    const dueAt = Date.parse(watched.json.standards.find((s: { code: string }) => s.code === 'FAULT5').dueAt);

    const created: string[] = [];
    const replies: string[] = [];
    const answered = new Set<string>();
    let repeated = 0;
    const statuses: Record<string, number> = {};
    const unexpected: string[] = [];
    const note = (what: string, r: Res) => {
      statuses[`${what} ${r.status}`] = (statuses[`${what} ${r.status}`] ?? 0) + 1;
      if (r.status === 503) {
        try {
          // While the database storms, requests wait on it and the wait-based shedding (CHIDU_SHED_TARGET_MS) may refuse
          // new ones with `overloaded`: also a retryable 503 with Retry-After, and nothing is acknowledged by it.
          expectRetryable(r, ['database_unavailable', 'database_busy', 'overloaded']);
        } catch {
          unexpected.push(`${what} ${JSON.stringify(r.json)}`);
        }
      } else if (r.status !== (what === 'answer' ? 200 : 201) && !(what === 'answer' && r.status === 409))
        unexpected.push(`${what} ${r.status} ${JSON.stringify(r.json)}`);
    };

    let storming = true;
    let kills = 0;
    const storm = (async () => {
      const until = Date.now() + 9000;
      while (Date.now() < until) {
        const r = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          dbName,
        ]);
        kills += r.rows[0].n;
        // Again and again, at uneven intervals (0.4–1.2 s): a flapping network or a failover that repeats, not a
        // metronome. A transaction needs a new connection and all its statements between two cuts to commit; under
        // 40 clients on a loaded machine that is a few hundred ms, so cuts every 250 ms would let nothing commit.
        await sleep(400 + Math.random() * 800);
      }
      storming = false;
    })();
    let n = 0;
    const clients = own.map(async (mine, c) => {
      while (storming) {
        const t = await call('POST', '/tickets', newTicket(`storm-${c}-${n++}`));
        note('create', t);
        if (t.status === 201) created.push(t.json.id);
        const r = await call('POST', `/tickets/${mine.ticketId}/replies`, { body: `第 ${n} 次回复`, visibility: 'internal' });
        note('reply', r);
        if (r.status === 201) replies.push(r.json.id);
        if (!answered.has(mine.token)) {
          const a = await anon('POST', `/public/surveys/${mine.token}`, { csat: 4, comment: '断线中' });
          note('answer', a);
          if (a.status === 200) answered.add(mine.token);
          if (a.status === 409) {
            answered.add(mine.token);
            repeated++;
          }
        }
      }
    });
    await Promise.all([storm, ...clients]);
    const stormEnded = Date.now();

    // The process is still there, and answers again within 2 s.
    expect(server.proc.exitCode).toBeNull();
    expect(server.proc.signalCode).toBeNull();
    let recoveredAt = 0;
    const tries: string[] = [];
    await waitFor(
      async () => {
        const r = await call('POST', '/tickets', newTicket('after'));
        tries.push(`${Date.now() - stormEnded} ms: ${r.status} ${r.status === 201 ? '' : JSON.stringify(r.json).slice(0, 160)}`);
        if (r.status === 201) {
          created.push(r.json.id);
          recoveredAt = Date.now();
          return true;
        }
        return false;
      },
      15_000,
      50,
    ).catch(async (err: Error) => {
      // What holds the database up: every session of this database, what it waits on and what it last ran.
      const sessions = (
        await admin.query(
          `SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS xact_age, left(query, 200) AS query,
                  (SELECT string_agg(l.locktype || ':' || l.mode || ':' || l.granted, ',') FROM pg_locks l WHERE l.pid = a.pid) AS locks
             FROM pg_stat_activity a WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [dbName],
        )
      ).rows;
      throw new Error(`${err.message}; attempts after the storm:\n${tries.slice(-20).join('\n')}\nsessions:\n${JSON.stringify(sessions, null, 1)}`);
    });
    expect(recoveredAt - stormEnded, tries.join('\n')).toBeLessThan(2000);

    // The storm really hit, writes went through between the kills, and nothing else than 201 / 200 / 503 (/ 409 for
    // an answer repeated after its first attempt committed but its answer was lost with the connection) came back.
    expect(kills).toBeGreaterThan(20);
    expect(Object.entries(statuses).filter(([k]) => k.endsWith(' 503')).length).toBeGreaterThan(0);
    expect(created.length).toBeGreaterThan(C);
    expect(unexpected).toEqual([]);
    console.log(
      `db-faults: ${kills} backends terminated; statuses ${JSON.stringify(statuses)}; ${repeated} repeated answers; recovered ${recoveredAt - stormEnded} ms after the storm`,
    );

    // Every acknowledged write is in the database.
    const has = async (table: string, ids: string[]) =>
      Number((await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])).rows[0].n);
    expect(await has('tickets', created)).toBe(created.length);
    expect(await has('ticket_replies', replies)).toBe(replies.length);
    const answeredRows = Number((await admin.query('SELECT count(*)::int AS n FROM survey_responses')).rows[0].n);
    expect(answeredRows).toBe(answered.size);
    // No half-applied create: every ticket has its creation event and audit row.
    const orphans = (
      await admin.query(`SELECT count(*)::int AS n FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = 'ticket' AND e.aggregate_id = t.id AND e.kind = 'ticket.created')
      OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target_id = t.id::text AND a.action = 'ticket.created')`)
    ).rows[0].n;
    expect(orphans).toBe(0);

    // The 5-second standard fired, on time, despite the storm.
    expect(Date.now()).toBeGreaterThan(dueAt);
    const breach = await waitFor(
      async () => {
        const d = await call('GET', `/tickets/${watched.json.id}`);
        return d.json.timeline.find((e: { kind: string; data: { code?: string } }) => e.kind === 'standard.breached' && e.data.code === 'FAULT5');
      },
      5000,
      100,
    );
    expect(breach.data.late, JSON.stringify(breach.data)).toBe(false);
    expect(breach.data.lagMs).toBeLessThan(2000);
    console.log(`db-faults: the 5 s standard fired ${breach.data.lagMs} ms after its deadline`);
    await stop(server);
  }, 180_000);

  it('a table locked by another session: creates answer 503 database_busy within the lock timeout, /readyz says so, writes resume after', async () => {
    const { server, admin, call } = await setup({ DB_LOCK_TIMEOUT_MS: '1000', READY_FAULT_WINDOW_MS: '3000' });
    const customer = (await call('POST', '/customers', { name: '锁表客户', phone: '13700008888' })).json;
    const newTicket = { customerId: customer.id, type: 'inquiry', channel: 'email', priority: 'normal', subject: '锁表测试', description: '' };
    expect((await call('GET', '/readyz')).status).toBe(200);
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
    const t0 = Date.now();
    const during = await Promise.all(Array.from({ length: 5 }, () => call('POST', '/tickets', newTicket)));
    const took = Date.now() - t0;
    for (const r of during) {
      expect(r.status).toBe(503);
      expectRetryable(r, ['database_busy']);
    }
    expect(took).toBeLessThan(1000 + 2500); // the lock timeout, not the 20 s the lock is held
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.status).toBe('not_ready');
    expect(ready.json.failing).toContain('faults');
    expect(ready.json.checks.faults.last).toBe('database_busy');
    await admin.query('ROLLBACK');
    const after = await call('POST', '/tickets', newTicket);
    expect(after.status).toBe(201);
    await waitFor(async () => (await call('GET', '/readyz')).status === 200, 6000, 200);
    expect(server.proc.exitCode).toBeNull();
    await stop(server);
  }, 60_000);
});
