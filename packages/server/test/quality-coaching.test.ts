import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowItems } from '../src/modules/quality/quality.coaching';
import type { ScorecardItem } from '../src/modules/quality/scorecard';
import { testApp, type TestApp } from './harness';
import { ticketRow } from './standards-helpers';

/** Issue #15 item 9: low QA items produce coaching tasks for the agent's supervisors. */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let qa: Who, sup: Who, supOther: Who, a: Who, b: Who;
let card: string;
const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const feedback = { strength: '语气亲切', improvement: '复述需求', encouragement: '继续保持' };

const items: ScorecardItem[] = [
  { key: 'open', dimension: 'process', label: '标准开场白', weight: 20, scale: { kind: 'yesno' }, allowNa: false, critical: false },
  { key: 'tone', dimension: 'attitude', label: '语气亲切', weight: 40, scale: { kind: 'points', max: 5 }, allowNa: true, critical: false },
  { key: 'neg', dimension: 'attitude', label: '未使用否定用语', weight: 40, scale: { kind: 'yesno' }, allowNa: false, critical: true },
];

async function inspect(agent: string, scores: [number | null, number | null, number | null]) {
  const ticket = (await ticketRow(t.database, { ownerId: agent, type: 'inquiry', status: 'in_progress' })).id;
  const open = await api('POST', '/qa/inspections', qa.token, { ticketId: ticket, scorecardId: card });
  expect(open.statusCode, open.body).toBe(201);
  const id = open.json().id as string;
  const res = await api('POST', `/qa/inspections/${id}/submit`, qa.token, {
    scores: items.map((it, i) => ({ item: it.key, score: scores[i] })),
    feedback,
  });
  expect(res.statusCode, res.body).toBe(200);
  return id;
}

beforeAll(async () => {
  t = await testApp();
  const admin = await t.as(['admin']);
  const team = (await api('POST', '/teams', admin.token, { name: '辅导测试组' })).json().id as string;
  const other = (await api('POST', '/teams', admin.token, { name: '另一组' })).json().id as string;
  qa = await t.as(['qa']);
  sup = await t.as(['supervisor'], { teamId: team });
  supOther = await t.as(['supervisor'], { teamId: other });
  a = await t.as(['agent'], { teamId: team });
  b = await t.as(['agent'], { teamId: team });
  const res = await api('POST', '/qa/scorecards', qa.token, {
    name: '辅导测试评分表',
    passMark: 60,
    items: items.map(({ key, dimension, label, weight, scale, allowNa, critical }) => ({ key, dimension, label, weight, scale, allowNa, critical })),
  });
  expect(res.statusCode, res.body).toBe(201);
  card = res.json().id;
});
afterAll(async () => t?.close());

describe('low items', () => {
  it('are those below 60 % of their maximum, or a zero on a critical item; N/A never counts', () => {
    expect(
      lowItems(items, [
        { item: 'open', score: 1 },
        { item: 'tone', score: 3 },
        { item: 'neg', score: 1 },
      ]),
    ).toEqual([]);
    expect(
      lowItems(items, [
        { item: 'open', score: 0 },
        { item: 'tone', score: 2 },
        { item: 'neg', score: 0 },
      ]).map((l) => [l.item, l.score, l.max, l.critical]),
    ).toEqual([
      ['open', 0, 1, false],
      ['tone', 2, 5, false],
      ['neg', 0, 1, true],
    ]);
    expect(lowItems(items, [{ item: 'tone', score: null }])).toEqual([]);
  });
});

describe('coaching tasks', () => {
  it('open one task per inspection with low items, tell the team supervisor, and close with a note', async () => {
    const clean = await inspect(a.staff.id, [1, 5, 1]);
    const low = await inspect(a.staff.id, [0, 2, 1]);
    const list = (await api('GET', '/qa/coaching?state=open', sup.token)).json().items as {
      id: string;
      inspectionId: string;
      items: { item: string }[];
      agent: { id: string };
    }[];
    expect(list.find((c) => c.inspectionId === clean)).toBeUndefined();
    const task = list.find((c) => c.inspectionId === low)!;
    expect(task.agent.id).toBe(a.staff.id);
    expect(task.items.map((i) => i.item)).toEqual(['open', 'tone']);

    // The team's supervisor is told; the other team's is not.
    const told = await t.database.rows<{ recipient_id: string }>(sql`SELECT recipient_id FROM notifications WHERE kind = 'qa.coaching'`);
    expect(told.map((r) => r.recipient_id)).toEqual([sup.staff.id]);
    const note = (await api('GET', '/notifications', sup.token)).json();
    expect(JSON.stringify(note)).toContain('需要辅导：标准开场白、语气亲切');

    // The agent sees their own task (read only), the teammate sees none of it.
    expect((await api('GET', '/qa/coaching', a.token)).json().items.map((c: { id: string }) => c.id)).toContain(task.id);
    expect((await api('GET', '/qa/coaching', b.token)).json().items).toEqual([]);
    expect((await api('GET', `/qa/coaching?agentId=${a.staff.id}`, b.token)).json().items).toEqual([]);
    expect((await api('POST', `/qa/coaching/${task.id}/complete`, a.token, { note: '我自己学了' })).statusCode).toBe(403);

    // Bad input names the field; the supervisor closes it once.
    const bad = await api('POST', `/qa/coaching/${task.id}/complete`, sup.token, { note: '  ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('note');
    const done = await api('POST', `/qa/coaching/${task.id}/complete`, sup.token, { note: '一对一复听录音，演练标准开场白三遍' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done', note: '一对一复听录音，演练标准开场白三遍', doneBy: { id: sup.staff.id } });
    const again = await api('POST', `/qa/coaching/${task.id}/complete`, sup.token, { note: '再辅导' });
    expect(again.statusCode).toBe(409);
    // a supervisor of another team does not find it (team scope)
    const other = await api('POST', `/qa/coaching/${task.id}/complete`, supOther.token, { note: '再辅导' });
    expect(other.statusCode).toBe(404);
    expect(again.json().reason ?? again.json().code).toBeTruthy();
    expect((await api('GET', '/qa/coaching?state=open', sup.token)).json().items.find((c: { id: string }) => c.id === task.id)).toBeUndefined();
    expect((await t.auditRows('qa.coaching_done')).length).toBe(1);
  });

  it('a critical zero alone opens a task', async () => {
    const id = await inspect(b.staff.id, [1, null, 0]);
    const task = (await api('GET', `/qa/coaching?agentId=${b.staff.id}`, qa.token)).json().items.find((c: { inspectionId: string }) => c.inspectionId === id);
    expect(task.items).toEqual([{ item: 'neg', label: '未使用否定用语', dimension: 'attitude', score: 0, max: 1, critical: true }]);
  });
});
