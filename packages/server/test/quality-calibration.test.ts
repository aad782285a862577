import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { icc21, stdevP } from '../src/modules/quality/calibration';
import { testApp, type TestApp } from './harness';
import { ticketRow } from './standards-helpers';

/** Issue #15 item 6: calibration sessions (校准): blind scoring, spread, consensus, deviations and agreement. */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let lead: Who, qa1: Who, qa2: Who, sup: Who, supOut: Who, agent: Who;
let card: string;
let t1: string, t2: string;
const api = (m: 'GET' | 'POST' | 'PUT', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const due = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const items = [
  { key: 'greet', dimension: 'attitude', label: '问候', weight: 1, scale: { kind: 'yesno' } },
  { key: 'accuracy', dimension: 'professional', label: '答复准确', weight: 1, scale: { kind: 'points', max: 4 } },
];
const sc = (greet: number, accuracy: number) => [
  { item: 'greet', score: greet },
  { item: 'accuracy', score: accuracy },
];

beforeAll(async () => {
  t = await testApp();
  lead = await t.as(['qa']);
  qa1 = await t.as(['qa']);
  qa2 = await t.as(['qa']);
  sup = await t.as(['supervisor']);
  supOut = await t.as(['supervisor']);
  agent = await t.as(['agent']);
  const res = await api('POST', '/qa/scorecards', lead.token, { name: '校准评分表', passMark: 60, items });
  expect(res.statusCode, res.body).toBe(201);
  card = res.json().id;
  t1 = (await ticketRow(t.database, { ownerId: agent.staff.id, type: 'inquiry', status: 'resolved' })).id;
  t2 = (await ticketRow(t.database, { ownerId: agent.staff.id, type: 'inquiry', status: 'resolved' })).id;
});
afterAll(async () => t?.close());

describe('the formulas', () => {
  it('ICC(2,1) of Shrout & Fleiss (1979), table 2: 6 targets × 4 judges → 0.29', () => {
    // BMS 11.24, JMS 32.49, EMS 1.02: (11.24 − 1.02) / (11.24 + 3·1.02 + 4·(32.49 − 1.02)/6) = 0.2897
    const m = [
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ];
    expect(icc21(m)).toBeCloseTo(0.2897, 3);
    // Perfect agreement with target variance: 1; no variance at all: undefined.
    expect(
      icc21([
        [1, 1],
        [3, 3],
        [5, 5],
      ]),
    ).toBeCloseTo(1, 9);
    expect(
      icc21([
        [2, 2],
        [2, 2],
      ]),
    ).toBeNull();
    expect(icc21([[1, 2]])).toBeNull();
  });
  it('population standard deviation', () => {
    expect(stdevP([4, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3), 9);
    expect(stdevP([1, 1])).toBe(0);
  });
});

describe('calibration sessions', () => {
  let id: string;

  it('only a QA lead (qa.manage) starts one; agents neither start nor see sessions', async () => {
    const body = { name: '十二月校准', scorecardId: card, ticketIds: [t1, t2], inspectorIds: [qa1.staff.id, qa2.staff.id, sup.staff.id], dueAt: due() };
    expect((await api('POST', '/qa/calibrations', agent.token, body)).statusCode).toBe(403);
    expect((await api('POST', '/qa/calibrations', sup.token, body)).statusCode).toBe(403);
    expect((await api('GET', '/qa/calibrations', agent.token)).statusCode).toBe(403);
    // An agent is no inspector; one inspector is not a calibration; the ticket's owner never scores it.
    const bad = await api('POST', '/qa/calibrations', lead.token, { ...body, inspectorIds: [qa1.staff.id, agent.staff.id] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('inspectorIds.1');
    expect((await api('POST', '/qa/calibrations', lead.token, { ...body, inspectorIds: [qa1.staff.id] })).statusCode).toBe(400);
    const res = await api('POST', '/qa/calibrations', lead.token, body);
    expect(res.statusCode, res.body).toBe(201);
    id = res.json().id;
    expect(res.json().state).toBe('open');
    expect(res.json().results).toBeNull();
    expect((await api('GET', `/qa/calibrations/${id}`, agent.token)).statusCode).toBe(403);
  });

  it('is blind while open: nobody, the lead included, sees another inspector’s scores', async () => {
    const bad = await api('POST', `/qa/calibrations/${id}/scores`, qa1.token, { ticketId: t1, scores: sc(1, 5) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('scores.accuracy');
    expect((await api('POST', `/qa/calibrations/${id}/scores`, supOut.token, { ticketId: t1, scores: sc(1, 4) })).statusCode).toBe(403);
    expect((await api('POST', `/qa/calibrations/${id}/scores`, lead.token, { ticketId: t1, scores: sc(1, 4) })).statusCode).toBe(403);
    const mine = await api('POST', `/qa/calibrations/${id}/scores`, qa1.token, { ticketId: t1, scores: sc(1, 4) });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().mine).toEqual([{ ticketId: t1, scores: sc(1, 4) }]);
    for (const who of [qa2, sup, lead, supOut]) {
      const seen = (await api('GET', `/qa/calibrations/${id}`, who.token)).json();
      expect(seen.results).toBeNull();
      expect(seen.mine).toEqual([]);
      expect(seen.inspectors.find((i: { id: string }) => i.id === qa1.staff.id).scored).toBe(1);
    }
    // The list shows progress only.
    const list = (await api('GET', '/qa/calibrations', sup.token)).json();
    expect(list.items.find((s: { id: string }) => s.id === id).agreementMad).toBeNull();
    expect(list.candidates).toEqual([]);
    expect((await api('GET', '/qa/calibrations', lead.token)).json().candidates.map((c: { id: string }) => c.id)).toContain(sup.staff.id);
  });

  it('closes when the last score is in, with the spread, consensus and deviations computed by hand', async () => {
    const post = (who: Who, ticketId: string, s: ReturnType<typeof sc>) => api('POST', `/qa/calibrations/${id}/scores`, who.token, { ticketId, scores: s });
    for (const [who, ticket, s] of [
      [qa1, t2, sc(1, 2)],
      [qa2, t1, sc(1, 2)],
      [qa2, t2, sc(1, 2)],
      [sup, t1, sc(0, 3)],
    ] as const)
      expect((await post(who, ticket, s)).json().state).toBe('open');
    const last = await post(sup, t2, sc(1, 4));
    expect(last.statusCode, last.body).toBe(200);
    const r = last.json();
    expect(r.state).toBe('closed');
    const res = r.results;
    const item = (ticket: string, key: string) =>
      res.tickets.find((x: { ticketId: string }) => x.ticketId === ticket).items.find((i: { item: string }) => i.item === key);
    // T1 greet 1,1,0: mean 2/3, σ = √(2/9) = 0.471; accuracy 4,2,3: mean 3, σ = √(2/3) = 0.816.
    expect(item(t1, 'greet')).toMatchObject({ low: 0, high: 1, stdev: 0.471, consensus: 0.667, reference: false });
    expect(item(t1, 'accuracy')).toMatchObject({ low: 2, high: 4, stdev: 0.816, consensus: 3 });
    // T2 greet 1,1,1: σ 0; accuracy 2,2,4: mean 8/3, σ = √(8/9) = 0.943.
    expect(item(t2, 'greet')).toMatchObject({ low: 1, high: 1, stdev: 0, consensus: 1 });
    expect(item(t2, 'accuracy')).toMatchObject({ low: 2, high: 4, stdev: 0.943, consensus: 2.667 });
    // Deviations on 0–100: qa1 33.33 + 25 + 0 + 16.67 → 18.75; qa2 the same; sup 66.67 + 0 + 0 + 33.33 → 25.
    const mad = (who: Who) => res.inspectors.find((i: { inspectorId: string }) => i.inspectorId === who.staff.id).mad;
    expect([mad(qa1), mad(qa2), mad(sup)]).toEqual([18.75, 18.75, 25]);
    expect(res.mad).toBe(20.83); // 250 / 12
    // ICC(2,1) over the 4 ticket×item targets (0–100): MSR 746.53, MSC 364.58, MSE 1475.69 → −729.17 / 2864.58.
    expect(res.icc).toBe(-0.255);
    // Totals by the scorecard rule: T1 qa1 (1 + 4/4)/2 = 100, qa2 (1 + 2/4)/2 = 75, sup (0 + 3/4)/2 = 37.5; consensus 70.8.
    const t1r = res.tickets.find((x: { ticketId: string }) => x.ticketId === t1);
    expect(t1r.totals.map((x: { score: number }) => x.score)).toEqual([100, 75, 37.5]);
    expect(t1r.consensusTotal).toBe(70.8);
    // Everyone with qa.view now sees the results; scoring again is refused.
    expect((await api('GET', `/qa/calibrations/${id}`, supOut.token)).json().results.mad).toBe(20.83);
    const again = await post(qa1, t1, sc(1, 4));
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('qa_calibration_closed');
    const agreement = (await api('GET', '/qa/calibrations/agreement', sup.token)).json().items.find((s: { id: string }) => s.id === id);
    expect(agreement).toMatchObject({ mad: 20.83, icc: -0.255, inspectors: 3, tickets: 2 });
  });

  it('the lead’s reference score becomes the consensus and the agreement is recomputed', async () => {
    expect((await api('PUT', `/qa/calibrations/${id}/reference`, sup.token, { ticketId: t1, scores: sc(1, 4) })).statusCode).toBe(403);
    const res = await api('PUT', `/qa/calibrations/${id}/reference`, lead.token, { ticketId: t1, scores: sc(1, 4) });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json().results;
    // T1 against 1 / 4: qa1 0, 0; qa2 0, 50; sup 100, 25; T2 as before.
    const mad = (who: Who) => r.inspectors.find((i: { inspectorId: string }) => i.inspectorId === who.staff.id).mad;
    expect([mad(qa1), mad(qa2), mad(sup)]).toEqual([4.17, 16.67, 39.58]);
    expect(r.mad).toBe(20.14); // 241.67 / 12
    expect(r.tickets[0].items[0]).toMatchObject({ consensus: 1, reference: true });
    const agreement = (await api('GET', '/qa/calibrations/agreement', lead.token)).json().items.find((s: { id: string }) => s.id === id);
    expect(agreement.mad).toBe(20.14);
    expect((await t.auditRows('qa.calibration_created')).length).toBe(1);
    expect((await t.auditRows('qa.calibration_scored')).length).toBe(6);
    expect((await t.auditRows('qa.calibration_closed')).length).toBe(1);
    expect((await t.auditRows('qa.calibration_reference')).length).toBe(1);
  });

  it('the lead may close early; references stay the lead’s while open', async () => {
    const body = { name: '提前结束', scorecardId: card, ticketIds: [t1], inspectorIds: [qa1.staff.id, qa2.staff.id], dueAt: due() };
    const s = (await api('POST', '/qa/calibrations', lead.token, body)).json().id as string;
    await api('PUT', `/qa/calibrations/${s}/reference`, lead.token, { ticketId: t1, scores: sc(1, 3) });
    expect((await api('GET', `/qa/calibrations/${s}`, qa1.token)).json().references).toEqual([]);
    expect((await api('GET', `/qa/calibrations/${s}`, lead.token)).json().references).toHaveLength(1);
    // qa1 holds qa.manage too, but scores this session: no references for them while it is open.
    expect((await api('PUT', `/qa/calibrations/${s}/reference`, qa1.token, { ticketId: t1, scores: sc(0, 0) })).statusCode).toBe(403);
    await api('POST', `/qa/calibrations/${s}/scores`, qa1.token, { ticketId: t1, scores: sc(1, 1) });
    expect((await api('POST', `/qa/calibrations/${s}/close`, sup.token)).statusCode).toBe(403);
    const closed = await api('POST', `/qa/calibrations/${s}/close`, lead.token);
    expect(closed.statusCode, closed.body).toBe(200);
    // Only qa1 scored: deviations |1−1| = 0 and |1−3|/4 = 50 → 25; qa2 has none; no ICC with one rater's column.
    expect(closed.json().results.inspectors.map((i: { mad: number | null }) => i.mad)).toEqual([25, null]);
    expect(closed.json().results.icc).toBeNull();
    expect((await api('GET', `/qa/calibrations/${s}`, qa2.token)).json().references).toHaveLength(1);
  });
});
