import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';
import { ticketRow } from './standards-helpers';

/**
 * Issue #15 item 10 and Permissions: the QA dashboard, the inspection / appeal lists and the peer rounds follow
 * "supervisors see their teams, qa and directors everything"; every figure drills down to the inspections behind
 * it (the count of the list equals the figure), also as .csv / .xlsx.
 */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let qa: Who, director: Who, supA: Who, supB: Who, a1: Who, a2: Who, b1: Who, b2: Who;
let teamA: string, teamB: string, card: string;
const ids: Record<string, string[]> = {};
const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const month = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
const range = () => `from=${month()}&to=${month()}`;
const feedback = { strength: '语气亲切', improvement: '复述需求', encouragement: '继续保持' };

async function inspect(agent: Who, x: number, y: number | null) {
  const ticket = (await ticketRow(t.database, { ownerId: agent.staff.id, type: 'inquiry', status: 'resolved' })).id;
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
  (ids[agent.staff.id] ??= []).push(id);
  return id;
}

beforeAll(async () => {
  t = await testApp();
  qa = await t.as(['qa']);
  director = await t.as(['director']);
  supA = await t.as(['supervisor']);
  // Team A is supervised by supA (who is no member of it); supB is a member of team B.
  teamA = (await t.team('质检看板A组', supA.staff.id)).id;
  teamB = (await t.team('质检看板B组')).id;
  supB = await t.as(['supervisor'], { teamId: teamB });
  a1 = await t.as(['agent'], { teamId: teamA });
  a2 = await t.as(['agent'], { teamId: teamA });
  b1 = await t.as(['agent'], { teamId: teamB });
  b2 = await t.as(['agent'], { teamId: teamB });
  const res = await api('POST', '/qa/scorecards', qa.token, {
    name: '看板钻取评分表',
    passMark: 60,
    items: [
      { key: 'x', dimension: 'attitude', label: '标准开场白', weight: 40, scale: { kind: 'yesno' } },
      { key: 'y', dimension: 'process', label: '复述确认', weight: 60, scale: { kind: 'points', max: 5 }, allowNa: true },
    ],
  });
  expect(res.statusCode, res.body).toBe(201);
  card = res.json().id;
  await t.database.rows(sql`DELETE FROM qa_appeals`);
  await t.database.rows(sql`DELETE FROM qa_inspections`);
  await inspect(a1, 1, 5);
  const low = await inspect(a1, 0, 4);
  await inspect(a2, 1, null);
  await inspect(b1, 0, 1);
  const bLow = await inspect(b2, 1, 2);
  for (const [who, id] of [
    [a1, low],
    [b2, bLow],
  ] as const) {
    const filed = await api('POST', `/qa/inspections/${id}/appeal`, who.token, { reason: '请复核' });
    expect(filed.statusCode, filed.body).toBe(201);
  }
});
afterAll(async () => t?.close());

describe('team scoping', () => {
  it('a supervisor sees only the figures of the teams they supervise or belong to; qa and directors see all', async () => {
    const of = async (who: Who) => {
      const res = await api('GET', `/qa/stats?${range()}`, who.token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const a = await of(supA);
    expect(a.n).toBe(3);
    expect(a.agents.map((x: { agent: { id: string } }) => x.agent.id).sort()).toEqual([a1.staff.id, a2.staff.id].sort());
    expect(a.teams.map((x: { teamId: string }) => x.teamId)).toEqual([teamA]);
    expect(a.appeals.filed).toBe(1);
    const b = await of(supB);
    expect(b.n).toBe(2);
    expect(b.teams.map((x: { teamId: string }) => x.teamId)).toEqual([teamB]);
    // Asking for the other team's figures gives nothing.
    expect((await api('GET', `/qa/stats?${range()}&teamId=${teamB}`, supA.token)).json().n).toBe(0);
    for (const all of [qa, director]) expect((await of(all)).n).toBe(5);
  });

  it('the inspection and appeal lists of a supervisor hold only their teams’ agents', async () => {
    const list = async (who: Who, url: string) => {
      const res = await api('GET', url, who.token);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { agentId?: string; agent?: { id: string } }[]).map((x) => x.agentId ?? x.agent!.id);
    };
    const teamAAgents = new Set([a1.staff.id, a2.staff.id]);
    const ofA = await list(supA, '/qa/inspections?limit=200');
    expect(ofA).toHaveLength(3);
    expect(ofA.every((x) => teamAAgents.has(x))).toBe(true);
    expect(await list(supA, `/qa/inspections?agentId=${b1.staff.id}`)).toEqual([]);
    expect(await list(qa, '/qa/inspections?limit=200')).toHaveLength(5);
    expect(await list(director, '/qa/inspections?limit=200')).toHaveLength(5);
    expect(await list(supA, '/qa/appeals')).toEqual([a1.staff.id]);
    expect(await list(supB, '/qa/appeals')).toEqual([b2.staff.id]);
    expect((await list(qa, '/qa/appeals')).sort()).toEqual([a1.staff.id, b2.staff.id].sort());
    // An agent still sees only their own.
    expect(await list(a2, '/qa/inspections?mine=agent')).toHaveLength(1);
    // One inspection by id: another team's is not found for a supervisor.
    const one = async (who: Who, id: string) => (await api('GET', `/qa/inspections/${id}`, who.token)).statusCode;
    expect(await one(supA, ids[b1.staff.id]![0]!)).toBe(404);
    expect(await one(supA, ids[a2.staff.id]![0]!)).toBe(200);
    expect(await one(supB, ids[b1.staff.id]![0]!)).toBe(200);
    expect(await one(director, ids[a2.staff.id]![0]!)).toBe(200);
    expect(await one(qa, ids[b1.staff.id]![0]!)).toBe(200);
  });

  it('a supervisor lists only their teams’ peer rounds', async () => {
    const day = 86_400_000;
    const res = await api('POST', '/qa/peer-rounds', supB.token, {
      name: 'B组互评',
      teamId: teamB,
      perAgent: 1,
      from: new Date(Date.now() - day).toISOString(),
      to: new Date(Date.now() + day).toISOString(),
      items: [{ key: 'attitude', label: '服务态度' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const rounds = async (who: Who) => ((await api('GET', '/qa/peer-rounds', who.token)).json().items as { id: string }[]).map((r) => r.id);
    expect(await rounds(supB)).toContain(res.json().id);
    expect(await rounds(qa)).toContain(res.json().id);
    expect(await rounds(director)).toContain(res.json().id);
    expect(await rounds(supA)).not.toContain(res.json().id);
  });
});

describe('drill-down', () => {
  const drill = async (who: Who, q: string) => {
    const res = await api('GET', `/qa/stats/inspections?${range()}${q}`, who.token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ total: number; items: { id: string; agent: { id: string }; appeal: string | null }[] }>();
  };

  it('the list behind every figure has as many inspections as the figure counts', async () => {
    const s = (await api('GET', `/qa/stats?${range()}`, qa.token)).json();
    expect((await drill(qa, '')).total).toBe(s.n);
    for (const a of s.agents) {
      const d = await drill(qa, `&agentId=${a.agent.id}`);
      expect(d.total).toBe(a.n);
      expect(d.items.map((x) => x.id).sort()).toEqual([...ids[a.agent.id]!].sort());
    }
    for (const x of s.teams) expect((await drill(qa, `&teamId=${x.teamId}`)).total).toBe(x.n);
    for (const m of s.months) expect((await drill(qa, `&month=${m.month}`)).total).toBe(m.n);
    // process: a2's y was N/A, so 4 of 5 inspections count.
    expect(s.dimensions.find((d: { dimension: string }) => d.dimension === 'process').n).toBe(4);
    for (const d of s.dimensions) expect((await drill(qa, `&dimension=${d.dimension}`)).total).toBe(d.n);
    for (const i of s.items) {
      const q = `&item=${i.item}&label=${encodeURIComponent(i.label)}`;
      expect((await drill(qa, q)).total).toBe(i.n);
      expect((await drill(qa, `${q}&failed=true`)).total).toBe(i.failed);
    }
    // x failed for a1's second and b1's; y (ratio < 0.6) for b1 (1/5) and b2 (2/5).
    expect(s.items.map((i: { item: string; failed: number }) => [i.item, i.failed]).sort()).toEqual([
      ['x', 2],
      ['y', 2],
    ]);
    const appeals = await drill(qa, '&appeal=filed');
    expect(appeals.total).toBe(s.appeals.filed);
    expect(appeals.items.every((x) => x.appeal === 'open')).toBe(true);
    expect((await drill(qa, '&appeal=open')).total).toBe(s.appeals.open);
    expect((await drill(qa, '&appeal=revised')).total).toBe(s.appeals.revised);
  });

  it('follows the same scope: a supervisor drills into no other team', async () => {
    expect((await drill(supA, `&agentId=${b1.staff.id}`)).total).toBe(0);
    expect((await drill(supA, '')).total).toBe(3);
    expect((await drill(supA, '&appeal=filed')).items.map((x) => x.agent.id)).toEqual([a1.staff.id]);
    expect((await api('GET', `/qa/stats/inspections?${range()}`, a1.token)).statusCode).toBe(403);
    const bad = await api('GET', `/qa/stats/inspections?${range()}&dimension=taste`, qa.token);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('dimension');
  });

  it('exports the drill-down list as .csv and .xlsx', async () => {
    const csv = await t.inject('GET', `/api/v1/qa/stats/export?format=csv&table=inspections&${range()}&agentId=${a1.staff.id}`, qa.token);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toBe('提交日期,工号,坐席,班组,得分,合格,申诉');
    expect(lines).toHaveLength(1 + 2);
    expect(lines.filter((l) => l.endsWith(',待裁决'))).toHaveLength(1);
    const xlsx = await t.inject('GET', `/api/v1/qa/stats/export?format=xlsx&table=inspections&lang=en&${range()}`, supB.token);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain('inspections.xlsx');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });
});

describe('automatic-hit rates per rule', () => {
  it('are scoped to a supervisor’s teams and drill down to as many hits as they count', async () => {
    const customerId = (await api('POST', '/customers', a1.token, { name: '钱先生', phone: '13800007777' })).json().id as string;
    for (const who of [a1, b1]) {
      const ticket = await api('POST', '/tickets', who.token, {
        customerId,
        type: 'repair',
        channel: 'chat',
        priority: 'normal',
        subject: '漏水',
        description: '楼上漏水',
      });
      expect(ticket.statusCode, ticket.body).toBe(201);
      const reply = await api('POST', `/tickets/${ticket.json().id}/replies`, who.token, { body: '这个我不知道，您问问别人吧。', visibility: 'public' });
      expect(reply.statusCode, reply.body).toBe(201);
    }
    const rule = 'forbidden.dont_know';
    const hitsOf = async (who: Who) => {
      const s = await api('GET', '/qa/hits/stats', who.token);
      expect(s.statusCode, s.body).toBe(200);
      return (s.json().rules as { rule: string; hits: number }[]).find((r) => r.rule === rule)?.hits ?? 0;
    };
    const started = Date.now();
    while ((await hitsOf(qa)) < 2 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect(await hitsOf(qa)).toBe(2);
    expect(await hitsOf(director)).toBe(2);
    expect(await hitsOf(supA)).toBe(1);
    expect(await hitsOf(supB)).toBe(1);
    for (const who of [qa, supA, supB]) {
      const list = await api('GET', `/qa/hits?rule=${rule}&limit=200`, who.token);
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json().items).toHaveLength(await hitsOf(who));
    }
    const ofA = (await api('GET', `/qa/hits?rule=${rule}`, supA.token)).json().items as { authorName: string }[];
    const a1Name = (await api('GET', `/qa/inspections?agentId=${a1.staff.id}&limit=1`, qa.token)).json().items[0].agent.name as string;
    expect(ofA.map((h) => h.authorName)).toEqual([a1Name]);
    // The drill-down exports as .csv / .xlsx: the same rows, in the same scope.
    const exported = async (who: Who) => {
      const csv = await t.inject('GET', `/api/v1/qa/hits/export?format=csv&rule=${rule}`, who.token);
      expect(csv.statusCode, csv.body).toBe(200);
      return csv.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
    };
    expect(await exported(qa)).toHaveLength(1 + 2);
    const rowsA = await exported(supA);
    expect(rowsA[0]).toBe('时间,工单号,坐席,规则,级别,命中内容,建议话术');
    expect(rowsA).toHaveLength(1 + 1);
    expect(rowsA[1]).toContain(a1Name);
    expect(rowsA[1]).toContain(rule);
    const xlsx = await t.inject('GET', `/api/v1/qa/hits/export?format=xlsx&lang=en&rule=${rule}`, supB.token);
    expect(xlsx.headers['content-disposition']).toContain('.xlsx');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await t.inject('GET', `/api/v1/qa/hits/export?format=csv`, a1.token)).statusCode).toBe(403);
  });
});

describe('team scoping of commands: ruling appeals, coaching tasks', () => {
  it("a supervisor cannot rule on another team's appeal or close another team's coaching task (404), nor list them", async () => {
    const appeals = (await api('GET', '/qa/appeals', qa.token)).json().items as { id: string; agent: { id: string } }[];
    const bAppeal = appeals.find((a) => a.agent.id === b2.staff.id)!;
    expect(bAppeal).toBeDefined();
    const ruling = { decision: 'upheld', reason: '评分依据充分' };
    const denied = await api('POST', `/qa/appeals/${bAppeal.id}/rule`, supA.token, ruling);
    expect(denied.statusCode, denied.body).toBe(404);
    const ruled = await api('POST', `/qa/appeals/${bAppeal.id}/rule`, supB.token, ruling);
    expect(ruled.statusCode, ruled.body).toBe(200);

    const all = (await api('GET', '/qa/coaching', qa.token)).json().items as { id: string; agent: { id: string } }[];
    const bTask = all.find((c) => c.agent.id === b1.staff.id || c.agent.id === b2.staff.id);
    expect(bTask, 'a coaching task of team B from its low inspections').toBeDefined();
    const seenByA = (await api('GET', '/qa/coaching', supA.token)).json().items as { agent: { id: string } }[];
    expect(seenByA.length).toBeGreaterThan(0);
    expect(seenByA.every((c) => c.agent.id === a1.staff.id || c.agent.id === a2.staff.id)).toBe(true);
    const closeA = await api('POST', `/qa/coaching/${bTask!.id}/complete`, supA.token, { note: '已辅导' });
    expect(closeA.statusCode, closeA.body).toBe(404);
    const closeB = await api('POST', `/qa/coaching/${bTask!.id}/complete`, supB.token, { note: '已辅导' });
    expect(closeB.statusCode, closeB.body).toBe(200);
  });
});

describe('team scoping of the performance composite', () => {
  it("a supervisor's ranking lists their teams' agents only, and another team's agent's composite is not found", async () => {
    const ranked = async (who: Who) =>
      ((await api('GET', `/performance/ranking?month=${month()}`, who.token)).json().items as { agent: { id: string } }[]).map((r) => r.agent.id);
    const forA = await ranked(supA);
    expect(forA).toEqual(expect.arrayContaining([a1.staff.id, a2.staff.id]));
    expect(forA).not.toContain(b1.staff.id);
    expect(forA).not.toContain(b2.staff.id);
    expect(await ranked(director)).toEqual(expect.arrayContaining([a1.staff.id, b1.staff.id]));
    expect((await api('GET', `/performance?month=${month()}&agentId=${b1.staff.id}`, supA.token)).statusCode).toBe(404);
    expect((await api('GET', `/performance?month=${month()}&agentId=${a1.staff.id}`, supA.token)).statusCode).toBe(200);
    expect((await api('GET', `/performance?month=${month()}&agentId=${b1.staff.id}`, supB.token)).statusCode).toBe(200);
  });
});
