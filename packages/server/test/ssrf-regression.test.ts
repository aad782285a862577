/**
 * Regression (issue #12): webhook URLs written as IPv4-mapped IPv6 literals used to pass the private-address check
 * (`[::ffff:127.0.0.1]` is normalised by the URL parser to `[::ffff:7f00:1]`, whose tail is not an IPv4 address), so
 * the notification test and "send report now" reached loopback — including the server's own port.
 */
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSecret } from '../src/lib/secretbox';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let srv: Server;
let port = 0;
let hits = 0;

beforeAll(async () => {
  t = await testApp();
  srv = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  port = (srv.address() as { port: number }).port;
});
afterAll(async () => {
  srv?.close();
  await t?.close();
});

const waitMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SSRF through IPv4-mapped IPv6 webhook URLs', () => {
  const forms = () => [`http://[::ffff:127.0.0.1]:${port}/hook`, `http://[0:0:0:0:0:ffff:7f00:1]:${port}/hook`, `http://[::ffff:7f00:1]:${port}/hook`];

  it('notification preferences refuse them (422 outbound_refused naming webhook.url)', async () => {
    const me = await t.as(['supervisor']);
    for (const url of forms()) {
      const res = await t.inject('PUT', '/api/v1/notifications/preferences', me.token, { webhook: { enabled: true, url, format: 'generic' } });
      expect(res.statusCode, url).toBe(422);
      expect(res.json()).toMatchObject({ code: 'outbound_refused', errors: [{ path: 'webhook.url' }] });
    }
  });

  it('a stored mapped URL is refused at delivery: POST /notifications/test never reaches loopback', async () => {
    const me = await t.as(['supervisor']);
    await t.database.db.execute(
      sql`INSERT INTO notification_preferences (staff_id, webhook_enabled, webhook_url, webhook_format) VALUES (${me.staff.id}, true, ${sealSecret(forms()[0]!, 'webhook_url')}, 'generic')`,
    );
    const before = hits;
    const res = await t.inject('POST', '/api/v1/notifications/test', me.token);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'outbound_refused', errors: [{ path: 'webhook.url' }] });
    await waitMs(1500);
    expect(hits).toBe(before);
  });

  it("the delivery worker records a refusal as the delivery's error (no request made)", async () => {
    const me = await t.as(['supervisor']);
    await t.database.db.execute(
      sql`INSERT INTO notification_preferences (staff_id, webhook_enabled, webhook_url, webhook_format) VALUES (${me.staff.id}, true, ${sealSecret(forms()[2]!, 'webhook_url')}, 'generic')`,
    );
    const before = hits;
    const { notify } = await import('../src/lib/notify');
    await t.database.transaction((tx) => notify(tx, { recipientId: me.staff.id, kind: 'test', title: 'x', data: {} }));
    let d: { state: string; lastError: string | null }[] = [];
    for (let i = 0; i < 80 && !d.some((x) => x.lastError); i++) {
      await waitMs(100);
      d = (await t.inject('GET', '/api/v1/notifications/deliveries', me.token)).json().items;
    }
    expect(d[0]).toMatchObject({ state: 'pending', lastError: expect.stringMatching(/private or local address/) });
    expect(hits).toBe(before);
  });

  it('scheduled reports refuse them on create and on "send now"', async () => {
    const director = await t.as(['director']);
    for (const target of forms()) {
      const res = await t.inject('POST', '/api/v1/measures/reports', director.token, { name: '日报', frequency: 'daily', channel: 'webhook', target });
      expect(res.statusCode, target).toBe(422);
      expect(res.json()).toMatchObject({ code: 'outbound_refused', errors: [{ path: 'target' }] });
    }
    // A row stored before the fix: sending it now is refused, and loopback sees nothing.
    const id = '01900000-0000-7000-8000-0000000000aa';
    await t.database.db
      .execute(sql`INSERT INTO measure_reports (id, name, frequency, hour, time_zone, channel, target, filters, locale, next_run_at, created_by)
      VALUES (${id}, 'old', 'daily', 8, 'Asia/Shanghai', 'webhook', ${sealSecret(forms()[1]!, 'webhook_url')}, '{}'::jsonb, 'zh-CN', now() + interval '1 day', ${director.staff.id})`);
    const before = hits;
    const sent = await t.inject('POST', `/api/v1/measures/reports/${id}/send`, director.token);
    expect(sent.statusCode).toBe(422);
    expect(sent.json()).toMatchObject({ code: 'outbound_refused', errors: [{ path: 'target' }] });
    expect(hits).toBe(before);
    // The scheduler records the refusal on the report.
    const { runDueReports } = await import('../src/modules/measures/measures.reports.commands');
    expect(await runDueReports(t.database, Date.now() + 2 * 86_400_000)).toBeGreaterThanOrEqual(1);
    const [row] = await t.database.rows<{ last_status: string; last_error: string }>(sql`SELECT last_status, last_error FROM measure_reports WHERE id = ${id}`);
    expect(row).toMatchObject({ last_status: 'failed', last_error: expect.stringMatching(/^webhook target refused: .*private or local address/) });
    expect(hits).toBe(before);
  });
});
