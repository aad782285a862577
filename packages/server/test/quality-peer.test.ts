import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignPeers } from '../src/modules/quality/quality.peer';
import { testApp, type TestApp } from './harness';
import { ticketRow } from './standards-helpers';

/** Issue #15 item 6: peer review (互评) — colleagues' anonymised tickets, never one's own, reviewer hidden. */
let t: TestApp;
type Who = { token: string; staff: { id: string; name?: string } };
let sup: Who, supOther: Who, a: Who, b: Who, c: Who, qa: Who;
let team: string;
const numbers: string[] = [];
const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const items = [
  { key: 'attitude', label: '服务态度' },
  { key: 'solve', label: '解决问题' },
];
const day = 86_400_000;
const round = () => ({
  name: '十二月互评',
  teamId: team,
  perAgent: 2,
  from: new Date(Date.now() - day).toISOString(),
  to: new Date(Date.now() + day).toISOString(),
  items,
});

beforeAll(async () => {
  t = await testApp();
  const admin = await t.as(['admin']);
  team = (await api('POST', '/teams', admin.token, { name: '互评组' })).json().id as string;
  const other = (await api('POST', '/teams', admin.token, { name: '别的组' })).json().id as string;
  sup = await t.as(['supervisor'], { teamId: team });
  supOther = await t.as(['supervisor'], { teamId: other });
  qa = await t.as(['qa']);
  a = await t.as(['agent'], { teamId: team });
  b = await t.as(['agent'], { teamId: team });
  c = await t.as(['agent'], { teamId: team });
  for (const [who, n] of [
    [a, 2],
    [b, 2],
    [c, 1],
  ] as const)
    for (let i = 0; i < n; i++) numbers.push((await ticketRow(t.database, { ownerId: who.staff.id, type: 'inquiry', status: 'resolved' })).number);
});
afterAll(async () => t?.close());

describe('assignment', () => {
  it('never gives a reviewer their own ticket, gives each min(N, colleagues’ tickets), no ticket twice to one reviewer', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let run = 0; run < 50; run++) {
      const reviewers = Array.from({ length: 2 + (run % 5) }, (_, i) => `r${i}`);
      const tickets = Array.from({ length: run % 9 }, (_, i) => ({ id: `t${i}`, ownerId: reviewers[Math.floor(random() * reviewers.length)]! }));
      const perAgent = 1 + (run % 3);
      const out = assignPeers(reviewers, tickets, perAgent, random);
      for (const r of reviewers) {
        const mine = out.filter((x) => x.reviewerId === r);
        expect(mine.every((x) => x.agentId !== r)).toBe(true);
        expect(new Set(mine.map((x) => x.ticketId)).size).toBe(mine.length);
        expect(mine.length).toBe(Math.min(perAgent, tickets.filter((x) => x.ownerId !== r).length));
      }
    }
  });
});

describe('peer review rounds', () => {
  let roundId: string;
  it('a supervisor starts one for their own team; agents and other teams’ supervisors cannot', async () => {
    expect((await api('POST', '/qa/peer-rounds', a.token, round())).statusCode).toBe(403);
    expect((await api('POST', '/qa/peer-rounds', supOther.token, round())).statusCode).toBe(403);
    const res = await api('POST', '/qa/peer-rounds', sup.token, round());
    expect(res.statusCode, res.body).toBe(201);
    roundId = res.json().id;
    expect(res.json().assigned).toBe(6);
    expect(res.json().reviews.every((r: { reviewer: { id: string }; agent: { id: string } }) => r.reviewer.id !== r.agent.id)).toBe(true);
    expect((await api('GET', '/qa/peer-rounds', a.token)).statusCode).toBe(403);
  });

  it('the reviewer sees the colleague’s ticket anonymised and scores it once; nobody else can', async () => {
    const mine = (await api('GET', '/qa/peer-reviews', a.token)).json();
    expect(mine.toReview).toHaveLength(2);
    const text = JSON.stringify(mine.toReview);
    for (const n of numbers) expect(text).not.toContain(n);
    for (const who of [b, c]) expect(text).not.toContain(who.staff.id);
    const first = mine.toReview[0];
    const missing = await api('POST', `/qa/peer-reviews/${first.id}`, a.token, { scores: [{ item: 'attitude', score: 4 }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].path).toBe('scores.solve');
    expect(
      (
        await api('POST', `/qa/peer-reviews/${first.id}`, a.token, {
          scores: [
            { item: 'attitude', score: 6 },
            { item: 'solve', score: 3 },
          ],
        })
      ).statusCode,
    ).toBe(400);
    const scores = [
      { item: 'attitude', score: 4 },
      { item: 'solve', score: 2 },
    ];
    expect((await api('POST', `/qa/peer-reviews/${first.id}`, b.token, { scores })).statusCode).toBe(404);
    expect((await api('POST', `/qa/peer-reviews/${first.id}`, sup.token, { scores })).statusCode).toBe(404);
    const ok = await api('POST', `/qa/peer-reviews/${first.id}`, a.token, { scores, comment: '回复及时' });
    expect(ok.statusCode, ok.body).toBe(200);
    const again = await api('POST', `/qa/peer-reviews/${first.id}`, a.token, { scores });
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('qa_peer_submitted');

    // The colleague sees the scores on their own ticket, not who gave them; the supervisor sees both.
    const rounds = (await api('GET', '/qa/peer-rounds', sup.token)).json().items;
    const review = rounds.find((r: { id: string }) => r.id === roundId).reviews.find((r: { id: string }) => r.id === first.id);
    expect(review.reviewer.id).toBe(a.staff.id);
    const owner = [b, c].find((w) => w.staff.id === review.agent.id)!;
    const got = (await api('GET', '/qa/peer-reviews', owner.token)).json().received;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ scores, comment: '回复及时', ticketNumber: review.ticketNumber });
    expect(JSON.stringify(got)).not.toContain(a.staff.id);
    const result = rounds.find((r: { id: string }) => r.id === roundId).results.find((x: { agentId: string }) => x.agentId === owner.staff.id);
    expect(result).toMatchObject({
      n: 1,
      mean: 3,
      items: [
        { item: 'attitude', mean: 4 },
        { item: 'solve', mean: 2 },
      ],
    });
    expect((await t.auditRows('qa.peer_review_submitted')).length).toBe(1);
  });

  it('a closed round takes no more reviews', async () => {
    expect((await api('POST', `/qa/peer-rounds/${roundId}/close`, qa.token)).statusCode).toBe(200);
    const left = (await api('GET', '/qa/peer-reviews', b.token)).json().toReview[0];
    const res = await api('POST', `/qa/peer-reviews/${left.id}`, b.token, {
      scores: [
        { item: 'attitude', score: 3 },
        { item: 'solve', score: 3 },
      ],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe('qa_peer_closed');
  });
});
