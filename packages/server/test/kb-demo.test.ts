import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/demo/demo';
import { loadDemoKb } from '../src/demo/kb';
import { kbSearchOf } from '../src/modules/kb/search-service';
import { testApp, type TestApp } from './harness';

/** The demo knowledge base of 申城物业: loads once, and its leak procedure answers the demo leak ticket. */
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  expect(await loadDemo(t.database, t.config)).toBe(true);
  await kbSearchOf(t.database)!.reloadAll(); // the app started before the demo rows existed
});
afterAll(async () => {
  await t?.close();
});

describe('demo knowledge base', () => {
  it('is idempotent', async () => {
    const count = async () => (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM kb_items`))[0]!.n;
    const before = await count();
    expect(before).toBeGreaterThanOrEqual(20);
    expect(await loadDemoKb(t.database)).toBe(false);
    expect(await loadDemo(t.database, t.config)).toBe(false);
    expect(await count()).toBe(before);
  });

  it('suggests the leak-repair procedure first for the demo leak ticket, and the script fills the customer name', async () => {
    const token = await t.login('K0001', 'Chidu@2026');
    const [leak] = await t.database.rows<{ id: string }>(sql`SELECT id FROM tickets WHERE subject = '卫生间天花板漏水' ORDER BY id DESC LIMIT 1`);
    expect(leak).toBeDefined();
    const s = (await t.inject('GET', `/api/v1/tickets/${leak!.id}/kb-suggestions`, token)).json();
    expect(s.items.slice(0, 3).map((h: { title: string }) => h.title)).toContain('楼上漏水（天花板滴水）应急处理流程');
    expect(s.scripts[0].title).toBe('漏水报修安抚与上门预约话术');
    const r = (await t.inject('POST', `/api/v1/tickets/${leak!.id}/kb-render`, token, { itemId: s.scripts[0].id })).json();
    expect(r.text.startsWith('李秀英您好')).toBe(true);
    expect(r.filled.客服姓名).toBe('李晓婷');
  });

  it('the help centre shows customer-facing demo articles only', async () => {
    const hits = (await t.inject('GET', `/api/v1/public/kb/search?q=${encodeURIComponent('楼上漏水怎么办')}`)).json().hits as { title: string; kind: string }[];
    expect(hits[0]!.title).toBe('楼上漏水到我家怎么办？');
    expect(hits.every((h) => h.kind !== 'script')).toBe(true);
    expect(hits.map((h) => h.title)).not.toContain('楼上漏水（天花板滴水）应急处理流程'); // internal procedure
    const review = (await t.inject('GET', '/api/v1/kb/reviews', await t.login('S0002', 'Chidu@2026'))).json().items as { title: string }[];
    expect(review.map((i) => i.title)).toContain('小区垃圾分类投放时间');
  });
});
