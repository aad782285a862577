/**
 * Alerts of measured and soft standards: the current period's value below target (with the minimum sample) tells the
 * owners (supervisors, directors) once in that period, and once more when it recovers; too small a sample tells nobody.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainMeasures } from '../src/modules/measures/worker';
import { checkStandardAlerts, periodStart } from '../src/modules/progress/progress.alerts';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, standard, ticketRow } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let supervisor: { staff: { id: string }; token: string };
let agent: { staff: { id: string }; token: string };

beforeAll(async () => {
  process.env.CHIDU_STANDARD_ALERTS = '0'; // the test drives the check itself
  t = await testApp();
  admin = await t.as(['admin']);
  supervisor = await t.as(['supervisor']);
  agent = await t.as(['agent']);
});
afterAll(async () => {
  await t?.close();
  delete process.env.CHIDU_STANDARD_ALERTS;
});

async function resolved(reopenCount: number) {
  const s = await ticketRow(t.database);
  await t.database.rows(sql`UPDATE tickets SET resolved_at = now(), reopen_count = ${reopenCount}, staff_public_reply_count = 1 WHERE id = ${s.id}`);
  await event(t.database, s, 'ticket.resolved', { status: 'resolved' });
}
const told = (recipientId: string, kind: string) =>
  t.database.rows<{ title: string; data: Record<string, unknown> }>(
    sql`SELECT title, data FROM notifications WHERE recipient_id = ${recipientId} AND kind = ${kind}`,
  );

describe('measured standard alerts', () => {
  it('below target → owners told once per period; recovered → told once more; the agent hears nothing', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'FTF-DAY',
      name: '一次修好率',
      measure: 'operating_data',
      target: 0.6,
      rate: { metric: 'firstTimeFix', period: 'day', minSample: 2 },
    });
    await resolved(1);
    await drainMeasures(t.database);
    // one ticket: below the minimum sample of 2 — 样本不足, nobody is told
    expect((await checkStandardAlerts(t.database)).find((o) => o.code === 'FTF-DAY')).toMatchObject({ below: null, told: null });
    await resolved(0);
    await drainMeasures(t.database);
    expect((await checkStandardAlerts(t.database)).find((o) => o.code === 'FTF-DAY')).toMatchObject({ value: 0.5, below: true, told: 'below' });
    expect((await checkStandardAlerts(t.database)).find((o) => o.code === 'FTF-DAY')).toMatchObject({ below: true, told: null });
    const below = await told(supervisor.staff.id, 'standard.below_target');
    expect(below).toHaveLength(1);
    expect(below[0]!.data).toMatchObject({ code: 'FTF-DAY', period: 'day', value: 0.5, target: 0.6 });
    // the title renders in the reader's language
    const inbox = (await t.inject('GET', '/api/v1/notifications', supervisor.token, undefined, { 'accept-language': 'zh-CN' })).json().items as {
      kind: string;
      title: string;
    }[];
    expect(inbox.find((n) => n.kind === 'standard.below_target')?.title).toBe('服务标准「一次修好率」低于目标：50.0%（目标 60.0%）');
    await resolved(0);
    await resolved(0);
    await drainMeasures(t.database);
    expect((await checkStandardAlerts(t.database)).find((o) => o.code === 'FTF-DAY')).toMatchObject({ value: 0.75, below: false, told: 'recovered' });
    expect((await checkStandardAlerts(t.database)).find((o) => o.code === 'FTF-DAY')).toMatchObject({ below: false, told: null });
    expect(await told(supervisor.staff.id, 'standard.recovered')).toHaveLength(1);
    expect(await told(agent.staff.id, 'standard.below_target')).toHaveLength(0);
  });

  it('periods start at local midnight, on Monday, on the 1st (Asia/Shanghai)', () => {
    const at = Date.parse('2026-12-03T02:00:00Z'); // Thursday 10:00 in Shanghai
    expect(new Date(periodStart('day', at, 'Asia/Shanghai')).toISOString()).toBe('2026-12-02T16:00:00.000Z');
    expect(new Date(periodStart('week', at, 'Asia/Shanghai')).toISOString()).toBe('2026-11-29T16:00:00.000Z');
    expect(new Date(periodStart('month', at, 'Asia/Shanghai')).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  });
});
