import { DEFAULT_RULES } from '@chidu/core/inspection/index';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { criticalHitTicketIds } from '../src/modules/inspection/inspection.repo';
import { testApp, type TestApp } from './harness';

/** Automatic inspection (#15 item 2): dry run, every staff message inspected within seconds, rules administration, access. */
let t: TestApp;
let teamA: string;
let agentA: { staff: { id: string }; token: string };
let agentB: { staff: { id: string }; token: string };
let qa: string;
let customerId: string;
const api = (m: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

beforeAll(async () => {
  t = await testApp();
  teamA = (await t.team('客服一组')).id;
  agentA = await t.as(['agent'], { teamId: teamA });
  agentB = await t.as(['agent'], { teamId: teamA });
  qa = (await t.as(['qa'])).token;
  customerId = (await api('POST', '/customers', agentA.token, { name: '王女士', phone: '13800002222' })).json().id;
});
afterAll(async () => t?.close());

const newTicket = async (token: string, type = 'repair') =>
  (await api('POST', '/tickets', token, { customerId, type, channel: 'chat', priority: 'normal', subject: '热水器不出热水', description: '昨天开始' })).json()
    .id as string;

async function hitsWithin(ticketId: string, token: string, ms: number, until: (items: unknown[]) => boolean) {
  const started = Date.now();
  for (;;) {
    const res = await api('GET', `/tickets/${ticketId}/qa-hits`, token);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { replyId: string; rule: string; start: number; end: number; excerpt: string; suggestion?: string }[];
    if (until(items) || Date.now() - started > ms) return { items, elapsed: Date.now() - started };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('automatic inspection', () => {
  it('POST /qa/check: a dry run with UTF-16 spans and the suggested wording; stores nothing', async () => {
    const text = '这个我不知道，这不归我管。';
    const res = await api('POST', '/qa/check', agentA.token, { text, channel: 'chat', ticketType: 'complaint' });
    expect(res.statusCode, res.body).toBe(200);
    const hits = res.json().hits as { rule: string; start: number; end: number; excerpt: string; suggestion?: string }[];
    const dontKnow = hits.find((h) => h.rule === 'forbidden.dont_know')!;
    expect(text.slice(dontKnow.start, dontKnow.end)).toBe('不知道');
    expect(dontKnow.suggestion).toBeTruthy();
    expect(hits.map((h) => h.rule)).toContain('forbidden.not_my_job');
    const rows = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM qa_hits`);
    expect(rows[0]!.n).toBe(0);
    const bad = await api('POST', '/qa/check', agentA.token, { text: 1, channel: 'fax' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('channel');
  });

  it("a new reply's hits are visible on the ticket within 2 s; agents see the hits on their own replies", async () => {
    const id = await newTicket(agentA.token);
    const reply = await api('POST', `/tickets/${id}/replies`, agentA.token, { body: '这个我不知道，您问问别人吧。', visibility: 'public' });
    expect(reply.statusCode, reply.body).toBe(201);
    const { items, elapsed } = await hitsWithin(id, agentA.token, 2000, (i) => i.length > 0);
    expect(elapsed).toBeLessThan(2000);
    const h = items.find((x) => x.rule === 'forbidden.dont_know')!;
    expect(h).toMatchObject({ excerpt: expect.stringContaining('不知道'), suggestion: expect.any(String) });
    // the first public reply without 您好 misses the opening
    expect(items.map((x) => x.rule)).toContain('required.opening');
    // a teammate who can read the ticket does not see another agent's hits; QA sees them all
    expect((await api('GET', `/tickets/${id}/qa-hits`, agentB.token)).json().items).toEqual([]);
    expect((await api('GET', `/tickets/${id}/qa-hits`, qa)).json().items.length).toBe(items.length);
  });

  it('inspects notes (phone logs) too, checks the closing when the ticket resolves, and feeds the sampling of critical hits', async () => {
    const id = await newTicket(agentA.token);
    const complaint = await newTicket(agentA.token, 'complaint');
    const from = new Date(Date.now() - 1000);
    await api('POST', `/tickets/${complaint}/replies`, agentA.token, { body: '您好，已安排保洁明天上午重新打扫。', visibility: 'public' });
    // the staff's own words in a note (业主说… would be the customer's words, reported speech, not the staff's)
    await api('POST', `/tickets/${id}/replies`, agentA.token, { body: '已电话联系业主。不想办就算了，随便你。', visibility: 'internal' });
    await api('POST', `/tickets/${id}/replies`, agentA.token, { body: '您好，师傅电话13912345678，已安排明天上午上门。', visibility: 'public' });
    const resolved = await api('POST', `/tickets/${id}/resolve`, agentA.token, { resolution: '已修复' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect((await hitsWithin(complaint, qa, 3000, (i) => i.length > 0)).items.map((x) => x.rule)).toEqual(['empathy.complaint']);
    const want = ['forbidden.rude', 'pii.phone', 'required.closing'];
    const { items } = await hitsWithin(id, qa, 3000, (i) => want.every((w) => (i as { rule: string }[]).some((x) => x.rule === w)));
    expect(items.map((x) => x.rule)).toEqual(expect.arrayContaining(want));
    // a note is not sent to the customer: no opening/closing/pii rules on it
    expect(items.filter((x) => x.rule === 'required.opening')).toEqual([]);
    const ids = await criticalHitTicketIds(t.database.db, from, new Date(Date.now() + 1000));
    expect(ids).toContain(id);
  });

  it('the shipped rules in qa_rules are the core defaults (migration 0052), and the dry run reads them in context', async () => {
    const rows = (await api('GET', '/qa/rules', qa)).json().items as { code: string; phrases: string[]; pattern: string | null; exceptions: string[] }[];
    for (const d of DEFAULT_RULES) {
      const r = rows.find((x) => x.code === d.code);
      expect(r, d.code).toBeDefined();
      expect({ phrases: r!.phrases, pattern: r!.pattern, exceptions: r!.exceptions }, d.code).toEqual({
        phrases: d.phrases,
        pattern: d.pattern,
        exceptions: d.exceptions,
      });
    }
    const check = async (text: string) =>
      ((await api('POST', '/qa/check', qa, { text, audience: 'internal' })).json().hits as { rule: string }[]).map((h) => h.rule);
    expect(await check('早就跟您说过了，要先预约。')).toEqual(['forbidden.blame']);
    expect(await check('这个价格我们没法再降了。')).toEqual(['forbidden.cannot']);
    expect(await check('业主来电表示“下次不能再拖了”，已催促工程部。')).toEqual([]);
  });

  it('rules: QA edits a phrase list and the dry run follows; a bad regex is refused naming pattern; audited', async () => {
    const rules = (await api('GET', '/qa/rules', qa)).json().items as { id: string; code: string; phrases: string[]; version: number }[];
    expect(rules.length).toBeGreaterThanOrEqual(10);
    const dk = rules.find((r) => r.code === 'forbidden.dont_know')!;
    const text = '这事我摸不着头脑。';
    expect((await api('POST', '/qa/check', qa, { text })).json().hits).toEqual([]);
    const put = await api('PUT', `/qa/rules/${dk.id}`, qa, { phrases: [...dk.phrases, '摸不着头脑'] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().version).toBe(dk.version + 1);
    expect((await api('POST', '/qa/check', qa, { text })).json().hits.map((h: { rule: string }) => h.rule)).toEqual(['forbidden.dont_know']);
    const bad = await api('POST', '/qa/rules', qa, { code: 'custom.evil', name: '坏正则', kind: 'regex', severity: 'minor', pattern: '(?<=a)b' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('pattern');
    const noPattern = await api('PUT', `/qa/rules/${dk.id}`, qa, { kind: 'regex' });
    expect(noPattern.statusCode).toBe(400);
    const created = await api('POST', '/qa/rules', qa, {
      code: 'custom.wechat_id',
      name: '发送个人微信号',
      kind: 'regex',
      severity: 'major',
      pattern: '微信号?[:：]?\\s*[A-Za-z][-_A-Za-z0-9]{5,19}',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect((await api('POST', '/qa/check', qa, { text: '加我微信号：zhou_kf2024' })).json().hits[0].rule).toBe('custom.wechat_id');
    expect((await api('DELETE', `/qa/rules/${created.json().id}`, qa)).statusCode).toBe(204);
    expect((await t.auditRows('qa.rule.update')).length).toBeGreaterThanOrEqual(1);
    expect((await t.auditRows('qa.rule.delete')).length).toBe(1);
  });

  it('access: agents cannot edit rules or list others; hit rates per rule for QA', async () => {
    expect((await api('POST', '/qa/rules', agentA.token, {})).statusCode).toBe(403);
    expect((await api('GET', '/qa/hits/stats', agentA.token)).statusCode).toBe(403);
    const mineRes = await api('GET', '/qa/hits', agentB.token);
    expect(mineRes.statusCode, mineRes.body).toBe(200);
    const mine = mineRes.json();
    expect(mine.items).toEqual([]);
    const all = (await api('GET', '/qa/hits?limit=2', qa)).json();
    expect(all.items).toHaveLength(2);
    expect(all.nextCursor).toBeTruthy();
    expect(all.items[0]).toMatchObject({ ticketNumber: expect.stringMatching(/^GD/), authorName: expect.any(String) });
    const stats = (await api('GET', '/qa/hits/stats', qa)).json();
    expect(stats.messages).toBeGreaterThanOrEqual(3);
    const dk = stats.rules.find((r: { rule: string }) => r.rule === 'forbidden.dont_know');
    expect(dk).toMatchObject({ hits: 1, replies: 1, name: expect.any(String) });
    expect(dk.rate).toBeCloseTo(1 / stats.messages);
  });
});
