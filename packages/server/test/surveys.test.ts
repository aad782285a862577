import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueInvitations } from '../src/modules/surveys/surveys.commands';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let admin: string;
let teamId: string;
let agent: { staff: { id: string }; token: string };
let sup: { staff: { id: string }; token: string };
let customerId: string;

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  teamId = (await t.team('客服一组')).id;
  agent = await t.as(['agent'], { teamId });
  sup = await t.as(['supervisor'], { teamId });
  await t.database.db.execute(sql`UPDATE teams SET supervisor_id = ${sup.staff.id} WHERE id = ${teamId}`);
  customerId = (await t.inject('POST', '/api/v1/customers', agent.token, { name: '王先生', tier: 'gold' })).json().id;
});
afterAll(async () => {
  await t?.close();
});

async function resolvedTicket(body: Record<string, unknown> = {}) {
  const res = await t.inject('POST', '/api/v1/tickets', agent.token, {
    customerId,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '咨询停车费',
    description: '月卡怎么办理',
    ...body,
  });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已告知办理流程' })).statusCode).toBe(200);
  return id;
}
async function surveyOf(ticketId: string) {
  const res = await t.inject('GET', `/api/v1/tickets/${ticketId}/surveys`, agent.token);
  expect(res.statusCode).toBe(200);
  return res.json<{ id: string; token: string; url: string; state: string }[]>();
}
const timeline = async (id: string) =>
  (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().timeline as { kind: string; data: Record<string, unknown> }[];

describe('survey invitations and public answers (contract)', () => {
  it('resolving invites once; a token answers once; the answer joins the timeline and the customer record', async () => {
    const id = await resolvedTicket();
    const invs = await surveyOf(id);
    expect(invs).toHaveLength(1);
    expect(invs[0]).toMatchObject({ state: 'sent' });
    expect(invs[0]!.url).toBe(`/s/${invs[0]!.token}`);
    const page = await t.inject('GET', `/api/v1/public/surveys/${invs[0]!.token}`);
    expect(page.statusCode).toBe(200);
    expect(page.json().questions[0]).toMatchObject({ kind: 'csat' });
    expect(page.json().questions[0].reasons.length).toBeGreaterThan(0);

    const ok = await t.inject('POST', `/api/v1/public/surveys/${invs[0]!.token}`, undefined, { csat: 5, comment: '很耐心' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ lowScore: false, recoveryOpened: false });
    const again = await t.inject('POST', `/api/v1/public/surveys/${invs[0]!.token}`, undefined, { csat: 1 });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('already_answered');
    expect((await t.inject('GET', `/api/v1/public/surveys/${invs[0]!.token}`)).json().code).toBe('already_answered');

    const ev = (await timeline(id)).filter((e) => e.kind === 'survey.answered');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ surveyId: invs[0]!.id, responseId: ok.json().id, answers: { csat: 5 }, lowScore: false });
    expect((await timeline(id)).map((e) => e.kind)).not.toContain('recovery.opened');
    expect((await surveyOf(id))[0]!.state).toBe('answered');

    const mine = await t.inject('GET', `/api/v1/customers/${customerId}/surveys`, agent.token);
    expect(mine.json().items.map((i: { ticketId: string }) => i.ticketId)).toContain(id);
    const c360 = await t.inject('GET', `/api/v1/customers/${customerId}/360`, agent.token);
    expect(c360.json().timeline.map((e: { kind: string }) => e.kind)).toContain('survey.answered');
  });

  it('refuses forged, malformed, unknown and expired tokens with a code', async () => {
    const id = await resolvedTicket();
    const [inv] = await surveyOf(id);
    const tok = inv!.token;
    const forged = `${tok.slice(0, 23)}${tok[23] === 'A' ? 'B' : 'A'}${tok.slice(24)}`;
    for (const bad of [forged, 'not-a-token', `${'A'.repeat(22)}.${'B'.repeat(22)}`]) {
      const r = await t.inject('POST', `/api/v1/public/surveys/${bad}`, undefined, { csat: 4 });
      expect(r.statusCode).toBe(404);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'not_found', reason: 'invalid_token' });
    }
    await t.database.db.execute(sql`UPDATE survey_invitations SET expires_at = now() - interval '1 minute' WHERE id = ${inv!.id}`);
    const expired = await t.inject('POST', `/api/v1/public/surveys/${tok}`, undefined, { csat: 4 });
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ code: 'gone', reason: 'expired' });
    expect((await t.inject('GET', `/api/v1/public/surveys/${tok}`)).statusCode).toBe(410);
    expect((await surveyOf(id))[0]!.state).toBe('expired');
  });

  it('validates answers: range, at least one answer, named fields', async () => {
    const id = await resolvedTicket();
    const [inv] = await surveyOf(id);
    const r = await t.inject('POST', `/api/v1/public/surveys/${inv!.token}`, undefined, { csat: 9 });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(JSON.stringify(r.json().errors)).toContain('csat');
    const none = await t.inject('POST', `/api/v1/public/surveys/${inv!.token}`, undefined, { comment: 'x' });
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].path).toBe('csat');
  });

  it('rate-limits the public endpoint per token and per address', async () => {
    const id = await resolvedTicket();
    const [inv] = await surveyOf(id);
    process.env.CHIDU_SURVEY_RATE_TOKEN = '3';
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await t.inject('GET', `/api/v1/public/surveys/${inv!.token}`)).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const r = await t.inject('POST', `/api/v1/public/surveys/${inv!.token}`, undefined, { csat: 5 });
      expect(r.statusCode).toBe(429);
      expect(r.json().code).toBe('rate_limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      delete process.env.CHIDU_SURVEY_RATE_TOKEN;
    }
    process.env.CHIDU_SURVEY_RATE_IP = '4';
    try {
      const codes: number[] = [];
      for (let i = 0; i < 6; i++)
        codes.push(
          (await t.app.inject({ method: 'GET', url: `/api/v1/public/surveys/${'Z'.repeat(22)}.${String(i).repeat(22)}`, remoteAddress: '203.0.113.9' }))
            .statusCode,
        );
      expect(codes).toEqual([404, 404, 404, 404, 429, 429]);
      // another address is not affected
      expect(
        (await t.app.inject({ method: 'GET', url: `/api/v1/public/surveys/${'Z'.repeat(22)}.${'Q'.repeat(22)}`, remoteAddress: '203.0.113.10' })).statusCode,
      ).toBe(404);
    } finally {
      delete process.env.CHIDU_SURVEY_RATE_IP;
    }
  });

  it('racing answers on one link: the limit is counted before the token is checked, and only one answer lands', async () => {
    const id = await resolvedTicket();
    const [inv] = await surveyOf(id);
    process.env.CHIDU_SURVEY_RATE_TOKEN = '3';
    try {
      const res = await Promise.all(Array.from({ length: 20 }, () => t.inject('POST', `/api/v1/public/surveys/${inv!.token}`, undefined, { csat: 5 })));
      const by = (code: number) => res.filter((r) => r.statusCode === code).length;
      expect(by(429)).toBe(17);
      expect(res.filter((r) => r.statusCode < 300)).toHaveLength(1);
      expect(by(409)).toBe(2);
    } finally {
      delete process.env.CHIDU_SURVEY_RATE_TOKEN;
    }
  });
});

describe('low-score recovery', () => {
  it('CSAT 1 opens a recovery case with three running standards; it closes only with an outcome; all steps on the timeline', async () => {
    const id = await resolvedTicket();
    const [inv] = await surveyOf(id);
    const ans = await t.inject('POST', `/api/v1/public/surveys/${inv!.token}`, undefined, {
      csat: 1,
      reasons: ['响应太慢', '不存在的原因'],
      comment: '等了很久',
    });
    expect(ans.statusCode).toBe(200);
    expect(ans.json()).toMatchObject({ lowScore: true, recoveryOpened: true });

    const rec = await t.inject('GET', `/api/v1/tickets/${id}/recovery`, agent.token);
    expect(rec.statusCode).toBe(200);
    const c = rec.json();
    expect(c.state).toBe('open');
    expect(c.reasons).toEqual(['响应太慢']);
    expect(c.standards.map((s: { code: string }) => s.code).sort()).toEqual(['RECOVERY-CONTACT', 'RECOVERY-REVISIT', 'RECOVERY-SOLUTION']);
    expect(c.standards.every((s: { state: string }) => s.state === 'running')).toBe(true);
    const contact = c.standards.find((s: { code: string }) => s.code === 'RECOVERY-CONTACT');
    expect(Date.parse(contact.dueAt) - Date.parse(contact.startedAt)).toBe(15 * 60 * 1000);

    // the supervisor was told
    const notes = (await t.inject('GET', '/api/v1/notifications', sup.token)).json().items as { kind: string }[];
    expect(notes.map((n) => n.kind)).toContain('recovery.opened');
    // the board shows it
    const board = await t.inject('GET', '/api/v1/recovery-cases', sup.token);
    expect(board.json().items.map((i: { id: string }) => i.id)).toContain(c.id);
    expect((await t.inject('GET', '/api/v1/recovery-cases', agent.token)).statusCode).toBe(403);
    expect(board.json().nextCursor).toBeNull();

    // Closing the ticket does not settle the recovery clocks.
    expect((await t.inject('POST', `/api/v1/tickets/${id}/close`, agent.token)).statusCode).toBe(200);
    expect((await t.inject('GET', `/api/v1/tickets/${id}/recovery`, agent.token)).json().standards.every((s: { state: string }) => s.state === 'running')).toBe(
      true,
    );

    const noOutcome = await t.inject('POST', `/api/v1/recovery-cases/${c.id}/close`, sup.token, { note: '已处理' });
    expect(noOutcome.statusCode).toBe(400);
    expect(noOutcome.json().code).toBe('validation_failed');
    expect(JSON.stringify(noOutcome.json().errors)).toContain('outcome');

    expect((await t.inject('POST', `/api/v1/recovery-cases/${c.id}/contact`, sup.token, { note: '主管已致电客户致歉' })).json().state).toBe('contacted');
    expect((await t.inject('POST', `/api/v1/recovery-cases/${c.id}/solution`, sup.token, { note: '赠送一个月停车费' })).json().state).toBe('solution_proposed');
    expect((await t.inject('POST', `/api/v1/recovery-cases/${c.id}/revisit`, sup.token, { note: '回访客户表示满意' })).json().state).toBe('revisited');
    const closed = await t.inject('POST', `/api/v1/recovery-cases/${c.id}/close`, sup.token, { outcome: 'recovered', sendSurvey: true });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ state: 'closed', outcome: 'recovered' });
    expect(closed.json().followUpSurveyId).toBeTruthy();
    expect(closed.json().standards.map((s: { state: string }) => s.state)).toEqual(['met', 'met', 'met']);
    expect((await t.inject('POST', `/api/v1/recovery-cases/${c.id}/close`, sup.token, { outcome: 'recovered' })).json().code).toBe('conflict');

    const kinds = (await timeline(id)).map((e) => e.kind);
    for (const k of ['survey.answered', 'recovery.opened', 'recovery.contacted', 'recovery.solution_proposed', 'recovery.revisited', 'recovery.closed'])
      expect(kinds).toContain(k);
    const closedEv = (await timeline(id)).find((e) => e.kind === 'recovery.closed')!;
    expect(closedEv.data).toMatchObject({ caseId: c.id, outcome: 'recovered' });
    expect((await timeline(id)).find((e) => e.kind === 'recovery.opened')!.data).toMatchObject({ caseId: c.id });
    expect((await surveyOf(id)).length).toBe(2);
  });

  it('NPS ≤ 6 is low by default; the thresholds are configurable', async () => {
    const tpl = await t.inject('POST', '/api/v1/survey-templates', admin, {
      name: 'NPS 推荐度',
      questions: [{ id: 'nps', kind: 'nps', label: '您向朋友推荐我们的可能性有多大？', required: true }],
      rules: { triggers: ['ticket.resolved'], ticketTypes: ['suggestion'] },
    });
    expect(tpl.statusCode).toBe(201);
    const id = await resolvedTicket({ type: 'suggestion' });
    const invs = await surveyOf(id);
    const nps = invs.find((i) => (i as unknown as { templateId: string }).templateId === tpl.json().id)!;
    expect((await t.inject('PUT', '/api/v1/loops/settings', admin, { lowScore: { npsMax: 4 } })).json().lowScore.npsMax).toBe(4);
    const r = await t.inject('POST', `/api/v1/public/surveys/${nps.token}`, undefined, { nps: 6 });
    expect(r.json().lowScore).toBe(false);
    await t.inject('PUT', '/api/v1/loops/settings', admin, { lowScore: { npsMax: 6 } });
    expect((await t.inject('PUT', '/api/v1/loops/settings', admin, { lowScore: { csatMax: 9 } })).statusCode).toBe(400);
    await t.inject('PATCH', `/api/v1/survey-templates/${tpl.json().id}`, admin, { active: false });
  });
});

describe('templates, rules, soft standards', () => {
  it('validates templates and names the field', async () => {
    const bad = await t.inject('POST', '/api/v1/survey-templates', admin, {
      name: 'x',
      questions: [
        { id: 'a', kind: 'choice', label: '选一个', options: ['仅一个'] },
        { id: 'a', kind: 'csat', label: '满意度' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['questions[0].options', 'questions[1].id']));
    expect(
      (await t.inject('POST', '/api/v1/survey-templates', agent.token, { name: 'x', questions: [{ id: 'csat', kind: 'csat', label: 'x' }] })).statusCode,
    ).toBe(403);
    const body = { name: '幂等模板', active: false, questions: [{ id: 'csat', kind: 'csat', label: '满意度' }] };
    const first = await t.inject('POST', '/api/v1/survey-templates', admin, body, { 'idempotency-key': 'tpl-1' });
    const again = await t.inject('POST', '/api/v1/survey-templates', admin, body, { 'idempotency-key': 'tpl-1' });
    expect(first.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect((await t.inject('GET', '/api/v1/survey-templates', admin)).json().items.filter((x: { name: string }) => x.name === '幂等模板')).toHaveLength(1);
  });

  it('a 7-day revisit is scheduled and sent by the worker when due; at most one per customer per N days', async () => {
    const tpl = await t.inject('POST', '/api/v1/survey-templates', admin, {
      name: '7 天回访',
      questions: [{ id: 'ces', kind: 'ces', label: '办理是否省心？' }],
      rules: { triggers: ['ticket.resolved'], delaySeconds: 7 * 86400, ticketTypes: ['order'], minDaysBetween: 30 },
    });
    expect(tpl.statusCode).toBe(201);
    const a = await resolvedTicket({ type: 'order' });
    const inv = (await surveyOf(a)).find((i) => (i as unknown as { templateId: string }).templateId === tpl.json().id)!;
    expect(inv).toMatchObject({ state: 'scheduled', token: null, url: null });
    const b = await resolvedTicket({ type: 'order' });
    expect((await surveyOf(b)).filter((i) => (i as unknown as { templateId: string }).templateId === tpl.json().id)).toHaveLength(0);
    // two workers at once (two processes): each scheduled invitation is sent exactly once
    const later = new Date(Date.now() + 8 * 86400_000);
    const [n1, n2] = await Promise.all([sendDueInvitations(t.database, later), sendDueInvitations(t.database, later)]);
    expect(n1 + n2).toBeGreaterThanOrEqual(1);
    const sentEvents = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM events WHERE kind = 'survey.sent' AND data->>'surveyId' = ${inv.id}`,
    );
    expect(sentEvents[0]!.n).toBe(1);
    const sent = (await surveyOf(a)).find((i) => i.id === inv.id)!;
    expect(sent.state).toBe('sent');
    expect(sent.token).toBeTruthy();
    expect((await timeline(a)).filter((e) => e.kind === 'survey.sent').map((e) => e.data.surveyId)).toContain(inv.id);
    await t.inject('PATCH', `/api/v1/survey-templates/${tpl.json().id}`, admin, { active: false });
  });

  it('answers to a question linked to a soft standard give its compliance rate vs target, by agent', async () => {
    const std = await t.inject('POST', '/api/v1/standards', admin, {
      code: 'EXPLAIN-FEES',
      name: '收费前解释费用',
      encounter: '上门维修',
      kind: 'soft',
      measure: 'survey',
      target: 0.95,
    });
    expect(std.statusCode).toBe(201);
    const tpl = await t.inject('POST', '/api/v1/survey-templates', admin, {
      name: '上门维修回访',
      questions: [
        { id: 'csat', kind: 'csat', label: '满意度', required: true },
        { id: 'fees', kind: 'choice', label: '师傅开工前解释了收费吗？', options: ['是', '否'], standardId: std.json().id, agree: { options: ['是'] } },
      ],
      rules: { triggers: ['ticket.resolved'], ticketTypes: ['emergency'] },
    });
    expect(tpl.statusCode).toBe(201);
    for (const fee of ['是', '是', '否']) {
      const id = await resolvedTicket({ type: 'emergency' });
      const inv = (await surveyOf(id)).find((i) => (i as unknown as { templateId: string }).templateId === tpl.json().id)!;
      const r = await t.inject('POST', `/api/v1/public/surveys/${inv.token}`, undefined, { csat: 5, answers: { fees: fee } });
      expect(r.statusCode).toBe(200);
    }
    const bad = (await surveyOf(await resolvedTicket({ type: 'emergency' }))).find(
      (i) => (i as unknown as { templateId: string }).templateId === tpl.json().id,
    )!;
    expect((await t.inject('POST', `/api/v1/public/surveys/${bad.token}`, undefined, { csat: 5, answers: { fees: '也许' } })).json().errors[0].path).toBe(
      'answers.fees',
    );
    const res = await t.inject('GET', `/api/v1/surveys/soft-compliance?by=agent&standardId=${std.json().id}`, sup.token);
    expect(res.statusCode).toBe(200);
    const item = res.json().items[0];
    expect(item).toMatchObject({ code: 'EXPLAIN-FEES', agree: 2, total: 3, target: 0.95, meetsTarget: false });
    expect(item.rate).toBeCloseTo(2 / 3);
    expect(item.breakdown).toEqual([expect.objectContaining({ key: agent.staff.id, agree: 2, total: 3 })]);
  });
});
