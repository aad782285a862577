import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/lib/ids';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard, ticketRow, waitFor } from './standards-helpers';

/**
 * Issue #15: manual inspection with evidence and sandwich feedback, appeals timed by the standards engine, and a
 * scripted month for three agents whose composites equal hand-computed values.
 */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let admin: Who, qa: Who, qa2: Who, supervisor: Who, a: Who, b: Who, c: Who;
let card: string;
const api = (m: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const month = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
const feedback = { strength: '开场规范，语气亲切', improvement: '复述确认需求时再慢一点', encouragement: '继续保持，下月争取满分' };

async function ticketOf(owner: string, type = 'inquiry', resolved = false) {
  const snap = await ticketRow(t.database, { ownerId: owner, type, status: resolved ? 'resolved' : 'in_progress' });
  if (resolved) await t.database.rows(sql`UPDATE tickets SET resolved_at = now() WHERE id = ${snap.id}`);
  return snap.id;
}
async function csat(ticketId: string, owner: string, score: number) {
  await t.database.rows(sql`INSERT INTO survey_responses (id, invitation_id, template_id, ticket_id, customer_id, owner_id, csat)
    SELECT ${uuidv7()}, ${uuidv7()}, ${uuidv7()}, id, customer_id, ${owner}, ${score} FROM tickets WHERE id = ${ticketId}`);
}
/** Inspect a ticket with the two-item card: yes/no `a` and 0..4 `b` (weights 50/50). */
async function inspect(token: string, ticketId: string, aScore: number, bScore: number) {
  const open = await api('POST', '/qa/inspections', token, { ticketId, scorecardId: card });
  expect(open.statusCode, open.body).toBe(201);
  const id = open.json().id as string;
  const res = await api('POST', `/qa/inspections/${id}/submit`, token, {
    scores: [
      { item: 'a', score: aScore },
      { item: 'b', score: bScore },
    ],
    feedback,
  });
  expect(res.statusCode, res.body).toBe(200);
  return { id, ...res.json() };
}

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  qa = await t.as(['qa']);
  qa2 = await t.as(['qa']);
  supervisor = await t.as(['supervisor']);
  // The supervisor rules on appeals of the team they supervise (team scope).
  const team = (await t.team('绩效测试组', supervisor.staff.id)).id;
  a = await t.as(['agent'], { teamId: team });
  b = await t.as(['agent'], { teamId: team });
  c = await t.as(['agent'], { teamId: team });
  const res = await api('POST', '/qa/scorecards', qa.token, {
    name: '测试评分表',
    passMark: 60,
    items: [
      { key: 'a', dimension: 'attitude', label: '标准开场白', weight: 50, scale: { kind: 'yesno' } },
      { key: 'b', dimension: 'professional', label: '答复准确', weight: 50, scale: { kind: 'points', max: 4 } },
    ],
  });
  expect(res.statusCode, res.body).toBe(201);
  card = res.json().id;
});
afterAll(async () => t?.close());

describe('scorecards', () => {
  it('ships five zh-CN templates; adopting one gives an editable, versioned scorecard', async () => {
    const list = (await api('GET', '/qa/scorecard-templates', qa.token)).json();
    expect(list.items.map((x: { key: string }) => x.key)).toEqual(['phone', 'counter', 'chat', 'field', 'environment']);
    const adopted = await api('POST', '/qa/scorecard-templates/phone/adopt', qa.token);
    expect(adopted.statusCode, adopted.body).toBe(201);
    expect(adopted.json()).toMatchObject({ name: '电话服务质检表', version: 1, templateKey: 'phone' });
    expect(adopted.json().items.some((i: { critical: boolean }) => i.critical)).toBe(true);
    const patched = await api('PATCH', `/qa/scorecards/${adopted.json().id}`, qa.token, { passMark: 85 });
    expect(patched.json()).toMatchObject({ passMark: 85, version: 2 });
    expect((await api('POST', '/qa/scorecards', a.token, { name: 'x', passMark: 1, items: [] })).statusCode).toBe(403);
  });

  it('a running inspection keeps its version; a critical zero vetoes the score', async () => {
    const card2 = (
      await api('POST', '/qa/scorecards', qa.token, {
        name: '否决测试',
        passMark: 60,
        items: [
          { key: 'x', dimension: 'process', label: '隐私', weight: 10, scale: { kind: 'yesno' }, critical: true },
          { key: 'y', dimension: 'attitude', label: '语气', weight: 90, scale: { kind: 'points', max: 5 }, allowNa: true },
        ],
      })
    ).json().id;
    const ticket = await ticketOf(c.staff.id);
    const id = (await api('POST', '/qa/inspections', qa.token, { ticketId: ticket, scorecardId: card2 })).json().id;
    await api('PATCH', `/qa/scorecards/${card2}`, qa.token, {
      items: [{ key: 'z', dimension: 'process', label: '新项', weight: 1, scale: { kind: 'yesno' } }],
    });
    const got = (await api('GET', `/qa/inspections/${id}`, qa.token)).json();
    expect(got.scorecard).toMatchObject({ version: 1 });
    expect(got.scorecard.items.map((i: { key: string }) => i.key)).toEqual(['x', 'y']);
    const res = await api('POST', `/qa/inspections/${id}/submit`, qa.token, {
      scores: [
        { item: 'x', score: 0 },
        { item: 'y', score: 5 },
      ],
      feedback,
    });
    expect(res.json()).toMatchObject({ score: 0, passed: false, vetoed: true });
    // Cleanup for the month: this inspection belongs to C, who must have none in the scripted month.
    await t.database.rows(sql`DELETE FROM qa_inspections WHERE id = ${id}`);
  });
});

describe('manual inspection', () => {
  it('needs all three sandwich fields (400 naming each), valid evidence, and never one’s own work', async () => {
    const ticket = await ticketOf(a.staff.id);
    const id = (await api('POST', '/qa/inspections', qa.token, { ticketId: ticket, scorecardId: card })).json().id;
    const bad = await api('POST', `/qa/inspections/${id}/submit`, qa.token, { scores: [], feedback: { strength: '好' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('feedback.improvement');
    expect(bad.body).toContain('feedback.encouragement');
    const unscored = await api('POST', `/qa/inspections/${id}/submit`, qa.token, { scores: [{ item: 'a', score: null }], feedback });
    expect(unscored.statusCode).toBe(400);
    expect(unscored.body).toContain('scores.a');
    expect(unscored.body).toContain('scores.b');
    const wrongEvidence = await api('POST', `/qa/inspections/${id}/submit`, qa.token, {
      scores: [
        { item: 'a', score: 1, evidence: { replyId: uuidv7(), start: 0, end: 2 } },
        { item: 'b', score: 4 },
      ],
      feedback,
    });
    expect(wrongEvidence.statusCode).toBe(400);
    expect(wrongEvidence.body).toContain('evidence.replyId');
    // The qa account owning a ticket may not inspect it.
    const own = await ticketOf(qa.staff.id);
    const self = await api('POST', '/qa/inspections', qa.token, { ticketId: own, scorecardId: card });
    expect(self.statusCode).toBe(409);
    expect(self.json().reason).toBe('qa_own_work');
    await t.database.rows(sql`DELETE FROM qa_inspections WHERE id = ${id}`);
    await t.database.rows(sql`DELETE FROM tickets WHERE id IN (${ticket}, ${own})`);
  });

  it('quotes a reply span as evidence; the agent sees it, another agent does not; a QA inspector cannot change tickets', async () => {
    const ticket = await ticketOf(c.staff.id);
    const replyId = uuidv7();
    await t.database.rows(
      sql`INSERT INTO ticket_replies (id, ticket_id, author_kind, author_id, visibility, body) VALUES (${replyId}, ${ticket}, 'staff', ${c.staff.id}, 'public', '您好，很高兴为您服务')`,
    );
    const id = (await api('POST', '/qa/inspections', qa.token, { ticketId: ticket, scorecardId: card })).json().id;
    const res = await api('POST', `/qa/inspections/${id}/submit`, qa.token, {
      scores: [
        { item: 'a', score: 1, evidence: { replyId, start: 0, end: 2 } },
        { item: 'b', score: 4 },
      ],
      feedback,
    });
    expect(res.json()).toMatchObject({ score: 100, passed: true });
    const mine = (await api('GET', '/qa/inspections?mine=agent', c.token)).json();
    expect(mine.items[0].scores[0].evidence.quote).toBe('您好');
    expect(mine.items[0].feedback).toEqual(feedback);
    expect((await api('GET', `/qa/inspections/${id}`, a.token)).statusCode).toBe(404);
    expect((await api('GET', '/qa/inspections', a.token)).json().items.some((i: { id: string }) => i.id === id)).toBe(false);
    expect((await api('POST', `/qa/inspections/${id}/appeal`, a.token, { reason: 'x' })).statusCode).toBe(404);
    const ack = await api('POST', `/qa/inspections/${id}/acknowledge`, c.token);
    expect(ack.json()).toMatchObject({ state: 'acknowledged' });
    expect((await api('POST', `/tickets/${ticket}/replies`, qa.token, { body: '质检员回复', visibility: 'public' })).statusCode).toBe(403);
    await t.database.rows(sql`DELETE FROM qa_inspections WHERE id = ${id}`);
    await t.database.rows(sql`DELETE FROM tickets WHERE id = ${ticket}`);
  });
});

describe('appeals', () => {
  it('an appeal not ruled in time breaches its standard and escalates like any standard', async () => {
    await deactivateAll(t.database);
    await standard(t, admin.token, {
      code: 'QA-APPEAL-TEST',
      name: '质检申诉裁决（测试 2 秒）',
      start: 'qa.appeal_filed',
      stop: 'qa.appeal_ruled',
      limitSeconds: 2,
      calendarId: null,
      escalation: [{ afterBreachSeconds: 0, notifyRole: 'supervisor' }],
    });
    const ticket = await ticketOf(c.staff.id);
    const insp = await inspect(qa.token, ticket, 0, 2);
    const filed = await api('POST', `/qa/inspections/${insp.id}/appeal`, c.token, { reason: '开场白已说，录音第 3 秒' });
    expect(filed.statusCode, filed.body).toBe(201);
    const breached = await waitFor(
      async () => (await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${ticket} AND kind = 'standard.breached'`))[0],
      15_000,
      50,
    );
    expect(breached.kind).toBe('standard.breached');
    // The original inspector may not rule; a second inspector may.
    const appealId = filed.json().appealId;
    const own = await api('POST', `/qa/appeals/${appealId}/rule`, qa.token, { decision: 'upheld', reason: '维持' });
    expect(own.statusCode).toBe(409);
    expect(own.json().reason).toBe('qa_rule_own_inspection');
    const ruled = await api('POST', `/qa/appeals/${appealId}/rule`, qa2.token, { decision: 'revised', score: 75, reason: '录音证实已说开场白' });
    expect(ruled.json()).toMatchObject({ state: 'revised', scoreBefore: 25, scoreAfter: 75 });
    const kinds = (await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${ticket} ORDER BY id`)).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['qa.appeal_filed', 'standard.breached', 'ticket.escalated', 'qa.appeal_ruled']));
    await deactivateAll(t.database);
    await t.database.rows(sql`DELETE FROM qa_inspections WHERE id = ${insp.id}`);
    await t.database.rows(sql`DELETE FROM qa_appeals WHERE id = ${appealId}`);
    await t.database.rows(sql`DELETE FROM tickets WHERE id = ${ticket}`);
  });
});

describe('performance composite: a scripted month for three agents', () => {
  it('equals the hand-computed values, and follows the weights', async () => {
    // Agent A: 4 tickets (1 complaint, resolved); inspections 100 and 25; CSAT 5, 4, 2; proposals: 1 adopted.
    const a1 = await ticketOf(a.staff.id);
    const a2 = await ticketOf(a.staff.id);
    await ticketOf(a.staff.id);
    await ticketOf(a.staff.id, 'complaint', true);
    await inspect(qa.token, a1, 1, 4);
    await inspect(qa.token, a2, 0, 2);
    await csat(a1, a.staff.id, 5);
    await csat(a1, a.staff.id, 4);
    await csat(a2, a.staff.id, 2);
    // Agent B: 2 complaints, not resolved; one inspection 87.5 appealed and revised to 95; CSAT 5; a declined proposal.
    const b1 = await ticketOf(b.staff.id, 'complaint');
    await ticketOf(b.staff.id, 'complaint');
    const ib = await inspect(qa.token, b1, 1, 3);
    expect(ib.score).toBe(87.5);
    const appeal = (await api('POST', `/qa/inspections/${ib.id}/appeal`, b.token, { reason: '客户要求的方案已给出' })).json().appealId;
    expect((await api('POST', `/qa/appeals/${appeal}/rule`, supervisor.token, { decision: 'revised', score: 95, reason: '方案正确' })).statusCode).toBe(200);
    await csat(b1, b.staff.id, 5);
    // Agent C: 3 tickets, no complaint, no inspection, no survey; 2 proposals adopted.
    for (let i = 0; i < 3; i++) await ticketOf(c.staff.id);
    const propose = async (who: Who, title: string) => (await api('POST', '/proposals', who.token, { title, body: '具体做法……' })).json().id as string;
    const review = async (id: string, decision: string) =>
      expect((await api('POST', `/proposals/${id}/review`, supervisor.token, { decision })).statusCode).toBe(200);
    await review(await propose(a, '高峰期增加回电坐席'), 'adopted');
    await review(await propose(b, '取消纸质登记'), 'declined');
    await review(await propose(c, '知识库加入地漏话术'), 'adopted');
    await review(await propose(c, '投诉首访模板'), 'adopted');
    expect((await api('POST', `/proposals/${await propose(supervisor, '自荐')}/review`, supervisor.token, { decision: 'adopted' })).statusCode).toBe(409);

    const perf = async (who: Who, as = supervisor) => {
      const res = await api('GET', `/performance?month=${month()}&agentId=${who.staff.id}`, as.token);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const pa = await perf(a);
    expect(pa.parts).toEqual({
      qa: { score: 62.5, numerator: 125, denominator: 2 },
      satisfaction: { score: 66.7, numerator: 2, denominator: 3 },
      complaints: { score: 87.5, numerator: 3.5, denominator: 4 },
      proposals: { score: 50, numerator: 1, denominator: 2 },
    });
    expect(pa.weights).toEqual({ qa: 0.4, satisfaction: 0.3, complaints: 0.2, proposals: 0.1 });
    expect(pa.score).toBe(67.5); // 0.4×62.5 + 0.3×66.7 + 0.2×87.5 + 0.1×50 = 25 + 20.01 + 17.5 + 5
    const pb = await perf(b);
    expect(pb.parts.qa).toEqual({ score: 95, numerator: 95, denominator: 1 });
    expect(pb.parts.complaints).toEqual({ score: 0, numerator: 0, denominator: 2 });
    expect(pb.score).toBe(68); // 0.4×95 + 0.3×100 + 0 + 0
    const pc = await perf(c);
    expect(pc.parts.qa.score).toBeNull();
    expect(pc.parts.satisfaction.score).toBeNull();
    expect(pc.score).toBe(100); // (0.2×100 + 0.1×100) / 0.3
    // The agent sees their own, not another's.
    expect((await perf(a, a)).score).toBe(67.5);
    expect((await api('GET', `/performance?month=${month()}&agentId=${b.staff.id}`, a.token)).statusCode).toBe(404);
    const ranking = (await api('GET', `/performance/ranking?month=${month()}`, supervisor.token)).json();
    const order = ranking.items
      .filter((r: { agent: { id: string } }) => [a, b, c].some((w) => w.staff.id === r.agent.id))
      .map((r: { score: number }) => r.score);
    expect(order).toEqual([100, 68, 67.5]);
    // Weights: admin only, must add up to 1.
    expect((await api('PUT', '/performance/weights', supervisor.token, { qa: 0.25, satisfaction: 0.25, complaints: 0.25, proposals: 0.25 })).statusCode).toBe(
      403,
    );
    const sum = await api('PUT', '/performance/weights', admin.token, { qa: 0.5, satisfaction: 0.5, complaints: 0.5, proposals: 0 });
    expect(sum.statusCode).toBe(400);
    expect(sum.body).toContain('qa');
    expect((await api('PUT', '/performance/weights', admin.token, { qa: 0.25, satisfaction: 0.25, complaints: 0.25, proposals: 0.25 })).statusCode).toBe(200);
    expect((await perf(a)).score).toBe(66.7); // (62.5 + 66.7 + 87.5 + 50) / 4 = 66.675
  });
});
