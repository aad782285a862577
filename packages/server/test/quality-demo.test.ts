import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/demo/demo';
import { loadDemoQuality } from '../src/demo/quality';
import { testApp, type TestApp } from './harness';

/** The demo's quality data (src/demo/quality.ts): a month of inspections, one appeal pending and one ruled, proposals, a queue. */
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  expect(await loadDemo(t.database, t.config)).toBe(true);
}, 180_000);
afterAll(async () => t?.close());

const rows = <T>(q: ReturnType<typeof sql>) => t.database.rows<T>(q);

describe('demo quality', () => {
  it('has a month of submitted inspections by the QA inspector, never of their own work', async () => {
    const [c] = await rows<{ n: number; own: number; nofb: number }>(
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE agent_id = inspector_id)::int AS own, count(*) FILTER (WHERE feedback IS NULL)::int AS nofb
          FROM qa_inspections WHERE submitted_at IS NOT NULL`,
    );
    expect(c!.n).toBeGreaterThanOrEqual(15);
    expect(c!.own).toBe(0);
    expect(c!.nofb).toBe(0);
  });

  it('has one appeal pending and one ruled, and proposals in each state', async () => {
    const appeals = await rows<{ state: string }>(sql`SELECT state FROM qa_appeals ORDER BY state`);
    expect(appeals.map((a) => a.state)).toEqual(['open', 'revised']);
    const states = await rows<{ state: string }>(sql`SELECT DISTINCT state FROM qa_proposals ORDER BY state`);
    expect(states.map((s) => s.state)).toEqual(['adopted', 'declined', 'submitted']);
    const [q] = await rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM qa_samples WHERE state = 'queued'`);
    expect(q!.n).toBeGreaterThan(0);
  });

  it('loads once', async () => {
    expect(await loadDemoQuality(t.database)).toBe(0);
  });
});
