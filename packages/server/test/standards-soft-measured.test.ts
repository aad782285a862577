/**
 * Issue #13 items 4 and 5: a soft standard judged by the mean of the answers (5, 5, 4 → 4.67 < 4.8 → not met) or by
 * the share of answers ≥ threshold, with a minimum sample (样本不足: neither met nor failed); a measured standard
 * judged by a rate of the measures engine (numerator / denominator) against its target.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainMeasures } from '../src/modules/measures/worker';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, ticketRow, waitFor } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let teamA: string;
const tz = 'Asia/Shanghai';
const DAY = 86_400_000;
const localDate = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
const RANGE = () => `from=${localDate(Date.now() - DAY)}&to=${localDate(Date.now() + DAY)}&tz=${encodeURIComponent(tz)}`;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  teamA = (await t.team('一组')).id;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function create(body: Record<string, unknown>) {
  const res = await t.inject('POST', '/api/v1/standards', admin.token, { encounter: '银行大堂', ...body });
  expect(res.statusCode, res.body).toBe(201);
  const made: { id: string; survey: unknown; rate: unknown } = res.json();
  return made;
}
const answer = async (csat: number) =>
  event(
    t.database,
    await ticketRow(t.database, { teamId: teamA }),
    'survey.answered',
    {},
    { surveyId: 's', responseId: `r${csat}${Math.random()}`, answers: { csat } },
  );
const compliance = async (id: string) => {
  await drainMeasures(t.database);
  // Another process's worker may hold queue rows (SKIP LOCKED): wait until every queued ticket is applied.
  await waitFor(async () => (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM measure_queue`))[0]!.n === 0);
  const res = await t.inject('GET', `/api/v1/standards/${id}/compliance?${RANGE()}`, admin.token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('soft standards: mean or share', () => {
  it('answers 5, 5, 4 → mean 4.67 < 4.8 → not met; below the minimum sample: 样本不足', async () => {
    await deactivateAll(t.database);
    const mean = await create({
      code: 'SOFT-MEAN',
      name: '满意度 ≥ 4.8',
      kind: 'soft',
      measure: 'survey',
      target: 0.9,
      survey: { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 3 },
    });
    expect(mean.survey).toEqual({ measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 3 });
    const share = await create({
      code: 'SOFT-SHARE',
      name: '满意 4 分以上占比',
      kind: 'soft',
      measure: 'survey',
      target: 0.9,
      survey: { measure: 'csat', threshold: 4 },
    });
    expect(share.survey).toEqual({ measure: 'csat', aggregate: 'share', threshold: 4, minSample: 1 }); // today's behaviour is the default

    await answer(5);
    await answer(5);
    let c = await compliance(mean.id);
    expect(c.soft).toMatchObject({ aggregate: 'mean', value: 5, count: 2, insufficientSample: true, met: null });
    expect(c.meetsTarget).toBeNull();

    await answer(4);
    c = await compliance(mean.id);
    expect(c.soft.value).toBeCloseTo(14 / 3, 12);
    expect(c.soft).toMatchObject({ aggregate: 'mean', numerator: 14, count: 3, goal: 4.8, scaleMax: 5, insufficientSample: false, met: false });
    expect(c.meetsTarget).toBe(false);
    // The same answers as a share of answers ≥ 4: 3/3 = 100 % ≥ 90 % → met.
    const s = await compliance(share.id);
    expect(s.soft).toMatchObject({ aggregate: 'share', value: 1, numerator: 3, count: 3, goal: 0.9, met: true });
    // The summary lists both with their judgement.
    const sum = (await t.inject('GET', `/api/v1/standards/compliance?${RANGE()}`, admin.token)).json();
    expect(sum.items.find((i: { code: string }) => i.code === 'SOFT-MEAN')).toMatchObject({ measure: 'survey', meetsTarget: false });
  });

  it('the bank satisfaction template measures the mean; a mean above the scale is refused', async () => {
    const res = await t.inject('POST', '/api/v1/standards/templates/bank-satisfaction-4-8/adopt', admin.token, {});
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().survey).toMatchObject({ measure: 'csat', aggregate: 'mean', threshold: 4.8 });
    const bad = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'SOFT-BAD',
      name: 'x',
      encounter: 'x',
      kind: 'soft',
      survey: { measure: 'csat', aggregate: 'mean', threshold: 6 },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('survey.threshold');
  });
});

describe('measured standards: a rate of the measures engine', () => {
  it('FCR and first-time fix as numerator / denominator against the target', async () => {
    await deactivateAll(t.database);
    const fcr = await create({
      code: 'M-FCR',
      name: '首问解决率 ≥ 90%',
      kind: 'hard',
      measure: 'operating_data',
      target: 0.9,
      rate: { metric: 'fcr', period: 'month' },
    });
    const ftf = await create({
      code: 'M-FTF',
      name: '一次修好',
      kind: 'hard',
      measure: 'operating_data',
      target: 0.5,
      rate: { metric: 'firstTimeFix', period: 'month' },
    });
    expect(fcr.rate).toEqual({ metric: 'fcr', period: 'month', minSample: 1 });
    // Two resolved tickets: one at first contact, one reopened before it was resolved again.
    for (const reopen of [0, 1]) {
      const s = await ticketRow(t.database, { teamId: teamA });
      await t.database.rows(sql`UPDATE tickets SET resolved_at = now(), reopen_count = ${reopen}, staff_public_reply_count = 1 WHERE id = ${s.id}`);
      await event(t.database, s, 'ticket.resolved', { status: 'resolved' });
    }
    const c = await compliance(fcr.id);
    expect(c.measured).toMatchObject({ metric: 'fcr', numerator: 1, denominator: 2, value: 0.5, target: 0.9, met: false });
    expect(c.meetsTarget).toBe(false);
    const f = await compliance(ftf.id);
    expect(f.measured).toMatchObject({ metric: 'firstTimeFix', numerator: 1, denominator: 2, value: 0.5, met: true });
    // A rate belongs to an operating-data standard only.
    const bad = await t.inject('POST', '/api/v1/standards', admin.token, {
      code: 'M-BAD',
      name: 'x',
      encounter: 'x',
      kind: 'hard',
      measure: 'audit',
      rate: { metric: 'fcr' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
