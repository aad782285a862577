import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qaStats } from '../src/modules/quality/quality.stats';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard, ticketRow, waitFor } from './standards-helpers';

/** Issue #15 item 10: the QA dashboard (by dimension, item, agent, team, month; most-failed items; appeals) and its export. */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let admin: Who, qa: Who, qa2: Who, a: Who, b: Who;
let card: string;
const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const feedback = { strength: '语气亲切', improvement: '复述需求', encouragement: '继续保持' };
const month = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);

async function inspect(agent: string, x: number, y: number) {
  const ticket = (await ticketRow(t.database, { ownerId: agent, type: 'inquiry', status: 'in_progress' })).id;
  const open = await api('POST', '/qa/inspections', qa.token, { ticketId: ticket, scorecardId: card });
  expect(open.statusCode, open.body).toBe(201);
  const id = open.json().id as string;
  const res = await api('POST', `/qa/inspections/${id}/submit`, qa.token, {
    scores: [
      { item: 'x', score: x },
      { item: 'y', score: y },
    ],
    feedback,
  });
  expect(res.statusCode, res.body).toBe(200);
  return id;
}

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  qa = await t.as(['qa']);
  qa2 = await t.as(['qa']);
  a = await t.as(['agent']);
  b = await t.as(['agent']);
  const res = await api('POST', '/qa/scorecards', qa.token, {
    name: '看板测试评分表',
    passMark: 60,
    items: [
      { key: 'x', dimension: 'attitude', label: '标准开场白', weight: 40, scale: { kind: 'yesno' } },
      { key: 'y', dimension: 'process', label: '复述确认', weight: 60, scale: { kind: 'points', max: 5 } },
    ],
  });
  card = res.json().id;
  await t.database.rows(sql`DELETE FROM qa_appeals`);
  await t.database.rows(sql`DELETE FROM qa_inspections`);
});
afterAll(async () => t?.close());

describe('QA dashboard', () => {
  it('gives hand-computed figures by dimension, item, agent and appeal outcome', async () => {
    // a: x=1,y=5 → 100; x=0,y=4 → 48. b: x=1,y=2 → 64.
    await inspect(a.staff.id, 1, 5);
    const low = await inspect(a.staff.id, 0, 4);
    await inspect(b.staff.id, 1, 2);
    const filed = await api('POST', `/qa/inspections/${low}/appeal`, a.token, { reason: '开场白已说' });
    expect(filed.statusCode, filed.body).toBe(201);
    const ruled = await api('POST', `/qa/appeals/${filed.json().appealId}/rule`, qa2.token, { decision: 'revised', score: 88, reason: '录音证实' });
    expect(ruled.statusCode, ruled.body).toBe(200);

    const res = await api('GET', `/qa/stats?from=${month()}&to=${month()}`, qa.token);
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    // final scores 100, 88 (revised), 64
    expect(s).toMatchObject({ n: 3, average: 84, passRate: 100 });
    expect(s.dimensions.find((d: { dimension: string }) => d.dimension === 'attitude')).toEqual({ dimension: 'attitude', n: 3, average: 66.7 });
    expect(s.dimensions.find((d: { dimension: string }) => d.dimension === 'process')).toEqual({ dimension: 'process', n: 3, average: 73.3 });
    // x failed once of 3 (33.3 %), y (2/5 = 40 %) once of 3: the tie is broken by the key.
    expect(s.items.map((i: { item: string; failed: number; failRate: number }) => [i.item, i.failed, i.failRate])).toEqual([
      ['x', 1, 33.3],
      ['y', 1, 33.3],
    ]);
    expect(s.agents.map((x: { agent: { id: string }; n: number; average: number }) => [x.agent.id, x.n, x.average])).toEqual([
      [a.staff.id, 2, 94],
      [b.staff.id, 1, 64],
    ]);
    expect(s.months).toEqual([{ month: month(), n: 3, average: 84, passRate: 100 }]);
    expect(s.appeals).toEqual({ filed: 1, rate: 33.3, open: 0, upheld: 0, revised: 1, averageChange: 40 });
  });

  it('exports the figures as .csv (BOM, zh-CN headings) and .xlsx', async () => {
    const csv = await t.inject('GET', `/api/v1/qa/stats/export?format=csv&table=items&from=${month()}&to=${month()}`, qa.token);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('评分项,维度,质检数,平均分,未达标次数,未达标率（%）');
    expect(csv.body).toContain('标准开场白,服务态度,3');
    const xlsx = await t.inject('GET', `/api/v1/qa/stats/export?format=xlsx&lang=en`, qa.token);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('refuses agents and bad input', async () => {
    expect((await api('GET', '/qa/stats', a.token)).statusCode).toBe(403);
    const bad = await api('GET', '/qa/stats?from=2026-13', qa.token);
    expect(bad.statusCode).toBe(400);
    const reversed = await api('GET', '/qa/stats?from=2026-05&to=2026-04', qa.token);
    expect(reversed.statusCode).toBe(400);
    expect(JSON.stringify(reversed.json())).toContain('from');
  });

  it('shows an appeal’s ruling clock (a standard started by qa.appeal_filed)', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'QA-APPEAL-STATS',
      name: '申诉裁决（测试）',
      start: 'qa.appeal_filed',
      stop: 'qa.appeal_ruled',
      limitSeconds: 3600,
      calendarId: null,
    });
    const id = await inspect(b.staff.id, 0, 1);
    const filed = await api('POST', `/qa/inspections/${id}/appeal`, b.token, { reason: '请复核' });
    expect(filed.statusCode, filed.body).toBe(201);
    // The engine starts the clock from the event (a worker): wait for it.
    const mine = await waitFor(
      async () => {
        const list = (await api('GET', '/qa/appeals?state=open', qa2.token)).json();
        const x = list.items.find((y: { id: string }) => y.id === filed.json().appealId);
        return x?.ruling ? x : null;
      },
      15_000,
      100,
    );
    expect(mine.ruling).toMatchObject({ state: 'running' });
    expect(new Date(mine.ruling.dueAt).getTime() - new Date(mine.createdAt).getTime()).toBeGreaterThan(3_500_000);
    await deactivateAll(t.database);
  });
});

describe('qaStats (pure)', () => {
  it('leaves N/A items out and counts nothing on an empty period', () => {
    expect(qaStats([], [])).toMatchObject({ n: 0, average: null, passRate: null, items: [], appeals: { filed: 0, rate: null } });
    const items = [{ key: 'k', dimension: 'environment' as const, label: 'L', weight: 1, scale: { kind: 'yesno' as const }, allowNa: true, critical: false }];
    const s = qaStats([{ id: '1', agentId: 'a', teamId: null, score: 100, passed: true, scores: [{ item: 'k', score: null }], items, month: '2026-01' }], []);
    expect(s.items).toEqual([]);
    expect(s.dimensions.find((d) => d.dimension === 'environment')).toEqual({ dimension: 'environment', n: 0, average: null });
  });
});
