/**
 * /readyz (issue #19 item 2): 200 with every check named when ready; 503 naming the failing check when the standards
 * deadline worker lags (a due deadline nobody fires) or requests recently met a database fault; /healthz stays 200.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineLagMs, recordDbFault } from '../src/lib/health';
import { testApp, type TestApp } from './harness';
import { ticketRow } from './standards-helpers';

let t: TestApp;
const workerEnv = process.env.CHIDU_STANDARDS_WORKER;
beforeAll(async () => {
  process.env.CHIDU_STANDARDS_WORKER = '0'; // nobody fires deadlines in this app
  t = await testApp({ READY_DEADLINE_LAG_MS: '5000', READY_FAULT_WINDOW_MS: '1000' });
});
afterAll(async () => {
  if (workerEnv === undefined) delete process.env.CHIDU_STANDARDS_WORKER;
  else process.env.CHIDU_STANDARDS_WORKER = workerEnv;
  await t?.close();
});

describe('/readyz', () => {
  it('ready: database, migrations, deadlines and faults checks pass', async () => {
    const r = await t.inject('GET', '/readyz');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.status).toBe('ready');
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.migrations).toMatchObject({ ok: true });
    expect(body.checks.migrations.applied).toBe(body.checks.migrations.expected);
    expect(body.checks.deadlines).toMatchObject({ ok: true, lagMs: 0 });
    expect(body.checks.faults).toEqual({ ok: true });
  });

  it('not ready when a due deadline waits longer than READY_DEADLINE_LAG_MS; /healthz stays ok', async () => {
    const snap = await ticketRow(t.database);
    await t.database.rows(sql`
      INSERT INTO standards (id, code, current_version_id, current_version, active) VALUES ('00000000-0000-7000-8000-0000000000a1', 'LAG', '00000000-0000-7000-8000-0000000000a2', 1, false)`);
    await t.database.rows(sql`
      INSERT INTO standard_versions (id, standard_id, version, definition) VALUES ('00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-0000000000a1', 1,
        '{"name":"滞后","encounter":"测试","kind":"hard","description":null,"measure":"timer","target":0.9,"start":["ticket.created"],"stop":["ticket.first_public_reply"],"pauseWhile":[],"deadline":"duration","limitSeconds":60,"calendarId":null,"calendarSource":"standard","timeZone":"Asia/Shanghai","appliesTo":{},"warnAtPercent":[],"escalation":[],"recurring":false,"maxCycles":null,"sqiWeight":1,"survey":null}')`);
    await t.database.rows(sql`
      INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, segment_started_at, due_at, next_action_at, next_action)
      VALUES (gen_random_uuid(), '00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-0000000000a2', 'LAG', ${snap.id}, 'running',
        now() - interval '2 minutes', 60000, now() - interval '2 minutes', now() - interval '1 minute', now() - interval '1 minute', 'breach')`);
    expect(await deadlineLagMs(t.database)).toBeGreaterThan(55_000);
    const r = await t.inject('GET', '/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json()).toMatchObject({ status: 'not_ready', failing: ['deadlines'], checks: { deadlines: { ok: false, thresholdMs: 5000 } } });
    expect((await t.inject('GET', '/healthz')).statusCode).toBe(200);
    await t.database.rows(sql`UPDATE standard_instances SET next_action_at = NULL WHERE code = 'LAG'`);
    expect((await t.inject('GET', '/readyz')).statusCode).toBe(200);
  });

  it('not ready for READY_FAULT_WINDOW_MS after a request met a database fault', async () => {
    recordDbFault('busy');
    const r = await t.inject('GET', '/readyz');
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ failing: ['faults'], checks: { faults: { ok: false, last: 'database_busy' } } });
    await new Promise((res) => setTimeout(res, 1100));
    expect((await t.inject('GET', '/readyz')).statusCode).toBe(200);
  });
});
