/**
 * Issue #18 item 1 — the survey reaches the customer: the staff panel (status, link, QR, deliveries), the resend
 * rules, the portal's rating card (own request only), the answers list (filters, scope, bad input → 400).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSurveySender } from '../src/modules/surveys/surveys.delivery';
import { testApp, type TestApp } from './harness';

let t: TestApp;
let teamId: string;
let otherTeamId: string;
let agent: { staff: { id: string }; token: string };
let outsider: { staff: { id: string }; token: string };
let sup: { staff: { id: string }; token: string };

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  teamId = (await t.team('客服一组')).id;
  otherTeamId = (await t.team('维修班组')).id;
  agent = await t.as(['agent'], { teamId });
  outsider = await t.as(['agent'], { teamId: otherTeamId });
  sup = await t.as(['supervisor'], { teamId });
  await t.database.db.execute(sql`UPDATE teams SET supervisor_id = ${sup.staff.id} WHERE id = ${teamId}`);
});
afterAll(async () => {
  registerSurveySender('sms', null);
  await t?.close();
});

/** A customer signed in on the portal (phone + one-time code; the demo shows the code). */
async function portalCustomer(phone: string) {
  const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode as string;
  const res = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code });
  expect(res.statusCode).toBe(200);
  return { token: res.json().token as string, customerId: res.json().customer.id as string };
}

async function resolvedTicket(customerId: string, subject = '门禁卡失灵') {
  const res = await t.inject('POST', '/api/v1/tickets', agent.token, {
    customerId,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject,
    description: '刷卡没有反应',
    teamId,
    ownerId: agent.staff.id,
  });
  expect(res.statusCode).toBe(201);
  const id = res.json().id as string;
  expect((await t.inject('POST', `/api/v1/tickets/${id}/resolve`, agent.token, { resolution: '已重新写卡' })).statusCode).toBe(200);
  return id;
}
const panel = async (id: string, token = agent.token) => t.inject('GET', `/api/v1/tickets/${id}/survey`, token);

describe('staff survey panel', () => {
  it('after resolve shows the link, a QR code, the preview and the delivery; opening and answering change the status', async () => {
    const c = await portalCustomer('13955550001');
    const id = await resolvedTicket(c.customerId);
    const res = await panel(id);
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p.invitation).toMatchObject({ status: 'sent', channel: 'link', templateName: '服务满意度调查' });
    expect(p.invitation.url).toMatch(/^http:\/\/[^/]+\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(p.invitation.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(p.invitation.preview.questions[0]).toMatchObject({ kind: 'csat' });
    expect(p.invitation.deliveries).toEqual([expect.objectContaining({ channel: 'link', state: 'available', reason: 'auto' })]);
    expect(p.resend).toMatchObject({ allowed: true, reason: null });

    // The customer opens the link: status "opened".
    expect((await t.inject('GET', `/api/v1/public/surveys/${p.invitation.token}`)).statusCode).toBe(200);
    expect((await panel(id)).json().invitation.status).toBe('opened');

    expect((await t.inject('POST', `/api/v1/public/surveys/${p.invitation.token}`, undefined, { csat: 2, comment: '等太久' })).statusCode).toBe(200);
    const after = (await panel(id)).json();
    expect(after.invitation).toMatchObject({ status: 'answered', response: { csat: 2, comment: '等太久', lowScore: true } });
    expect(after.invitation.recovery).toMatchObject({ state: 'open' });
    expect(after.resend).toMatchObject({ allowed: false, reason: 'answered' });
  });

  it('never shows the link to someone who cannot see the ticket; a customer cannot call it', async () => {
    const c = await portalCustomer('13955550002');
    const id = await resolvedTicket(c.customerId);
    const res = await panel(id, outsider.token);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('/s/');
    expect((await panel(id, c.token)).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, outsider.token)).statusCode).toBe(404);
  });
});

describe('resend', () => {
  it('keeps the link while open, is limited, audited and on the timeline; an expired survey gets a new link', async () => {
    const c = await portalCustomer('13955550003');
    const id = await resolvedTicket(c.customerId);
    const first = (await panel(id)).json().invitation;
    const r1 = await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, agent.token);
    expect(r1.statusCode).toBe(200);
    expect(r1.json().invitation.token).toBe(first.token);
    expect(r1.json().invitation.deliveries.map((d: { reason: string }) => d.reason)).toEqual(['auto', 'resend']);
    expect(r1.json().invitation.deliveries[1].actorName).toBeTruthy();
    expect(r1.json().resend).toMatchObject({ allowed: false, reason: 'rate_limited' });

    const r2 = await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, agent.token);
    expect(r2.statusCode).toBe(429);
    expect(r2.json()).toMatchObject({ code: 'rate_limited', reason: 'survey_resend_limit' });
    expect(Number(r2.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.auditRows('survey.resent')).some((a) => a.target_id === id)).toBe(true);
    const tl = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().timeline as { kind: string; data: { resend?: boolean } }[];
    expect(tl.filter((e) => e.kind === 'survey.sent').map((e) => e.data.resend ?? false)).toEqual(expect.arrayContaining([false, true]));

    // Expired: a new invitation (new token); the old link stays expired.
    await t.database.db.execute(sql`UPDATE survey_invitations SET expires_at = now() - interval '1 minute' WHERE ticket_id = ${id}`);
    await t.database.db.execute(sql`UPDATE survey_deliveries SET created_at = created_at - interval '10 minutes' WHERE ticket_id = ${id}`);
    expect((await panel(id)).json().invitation.status).toBe('expired');
    const r3 = await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, sup.token);
    expect(r3.statusCode).toBe(200);
    expect(r3.json().invitation.token).not.toBe(first.token);
    expect(r3.json().invitation.status).toBe('sent');
    expect(r3.json().invitations).toBe(2);
    expect((await t.inject('GET', `/api/v1/public/surveys/${first.token}`)).statusCode).toBe(410);
  });

  it('refuses an answered survey (409) and a ticket without one (409)', async () => {
    const c = await portalCustomer('13955550004');
    const id = await resolvedTicket(c.customerId);
    const tok = (await panel(id)).json().invitation.token as string;
    await t.inject('POST', `/api/v1/public/surveys/${tok}`, undefined, { csat: 5 });
    const r = await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, agent.token);
    expect(r.statusCode).toBe(409);
    expect(r.json().reason).toBe('survey_already_answered');

    const open = await t.inject('POST', '/api/v1/tickets', agent.token, {
      customerId: c.customerId,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '还没解决的',
      description: 'x',
    });
    const none = await t.inject('POST', `/api/v1/tickets/${open.json().id}/survey/resend`, agent.token);
    expect(none.statusCode).toBe(409);
    expect(none.json().reason).toBe('survey_not_sent');
    expect((await panel(open.json().id)).json()).toMatchObject({ invitation: null, resend: { allowed: false, reason: 'not_sent' } });
  });

  it('an SMS template goes through the registered sender (queued) or is recorded as no_gateway — never faked', async () => {
    const admin = (await t.as(['admin'])).token;
    const tpl = await t.inject('POST', '/api/v1/survey-templates', admin, {
      name: '短信回访',
      questions: [{ id: 'csat', kind: 'csat', label: '满意吗？', required: true }],
      rules: { triggers: ['field.visit_completed'], channel: 'sms' },
    });
    expect(tpl.statusCode).toBe(201);
    const c = await portalCustomer('13955550005');
    const id = await resolvedTicket(c.customerId);
    const sent = await t.inject('POST', `/api/v1/tickets/${id}/surveys`, agent.token, { templateId: tpl.json().id });
    expect(sent.statusCode).toBe(201);
    expect((await panel(id)).json().invitation.deliveries).toEqual([expect.objectContaining({ channel: 'sms', state: 'no_gateway', reason: 'manual' })]);

    const queued: string[] = [];
    registerSurveySender('sms', { enqueue: (_tx, msg) => Promise.resolve(void queued.push(msg.url)) });
    await t.database.db.execute(sql`UPDATE survey_deliveries SET created_at = created_at - interval '10 minutes' WHERE ticket_id = ${id}`);
    const r = await t.inject('POST', `/api/v1/tickets/${id}/survey/resend`, agent.token);
    expect(r.statusCode).toBe(200);
    expect(r.json().invitation.deliveries.at(-1)).toMatchObject({ channel: 'sms', state: 'queued', reason: 'resend' });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toContain('/s/');
    registerSurveySender('sms', null);
  });
});

describe('portal rating card', () => {
  it('the customer sees the card on their own resolved request, answers inline, then sees their score', async () => {
    const c = await portalCustomer('13955550006');
    const other = await portalCustomer('13955550007');
    const id = await resolvedTicket(c.customerId);
    const card = await t.inject('GET', `/api/v1/portal/tickets/${id}/survey`, c.token);
    expect(card.statusCode).toBe(200);
    expect(card.json()).toMatchObject({ state: 'open', title: '服务满意度调查' });
    expect(card.json().questions.map((q: { kind: string }) => q.kind)).toContain('csat');
    expect((await panel(id)).json().invitation.status).toBe('opened');

    // Another customer: not their request.
    expect((await t.inject('GET', `/api/v1/portal/tickets/${id}/survey`, other.token)).statusCode).toBe(404);
    expect((await t.inject('POST', `/api/v1/portal/tickets/${id}/survey`, other.token, { csat: 1 })).statusCode).toBe(404);
    // Staff cannot use the customer route.
    expect((await t.inject('GET', `/api/v1/portal/tickets/${id}/survey`, agent.token)).statusCode).toBe(403);

    const bad = await t.inject('POST', `/api/v1/portal/tickets/${id}/survey`, c.token, { csat: 7 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('csat');

    const ok = await t.inject('POST', `/api/v1/portal/tickets/${id}/survey`, c.token, { csat: 5, comment: '师傅很快' });
    expect(ok.statusCode).toBe(200);
    expect((await t.inject('GET', `/api/v1/portal/tickets/${id}/survey`, c.token)).json()).toMatchObject({ state: 'answered', score: { csat: 5 } });
    const again = await t.inject('POST', `/api/v1/portal/tickets/${id}/survey`, c.token, { csat: 4 });
    expect(again.statusCode).toBe(409);
    const ev = (await t.inject('GET', `/api/v1/tickets/${id}`, agent.token)).json().timeline as { kind: string; actorKind: string }[];
    expect(ev.find((e) => e.kind === 'survey.answered')?.actorKind).toBe('customer');
  });

  it('shows none before a survey is sent and expired after the date', async () => {
    const c = await portalCustomer('13955550008');
    const created = await t.inject('POST', '/api/v1/portal/tickets', c.token, { type: 'inquiry', subject: '物业费发票', description: '怎么开' });
    expect((await t.inject('GET', `/api/v1/portal/tickets/${created.json().id}/survey`, c.token)).json()).toEqual({ state: 'none' });
    const id = await resolvedTicket(c.customerId);
    await t.database.db.execute(sql`UPDATE survey_invitations SET expires_at = now() - interval '1 minute' WHERE ticket_id = ${id}`);
    expect((await t.inject('GET', `/api/v1/portal/tickets/${id}/survey`, c.token)).json().state).toBe('expired');
    expect((await t.inject('POST', `/api/v1/portal/tickets/${id}/survey`, c.token, { csat: 5 })).statusCode).toBe(410);
  });
});

describe('answers list', () => {
  it('filters by score range, team and period on the server, shows the recovery case and stays in scope', async () => {
    const c = await portalCustomer('13955550009');
    const low = await resolvedTicket(c.customerId, '电梯异响');
    const high = await resolvedTicket(c.customerId, '快递代收');
    const tokLow = (await panel(low)).json().invitation.token as string;
    const tokHigh = (await panel(high)).json().invitation.token as string;
    await t.inject('POST', `/api/v1/public/surveys/${tokLow}`, undefined, { csat: 1, comment: '一直没人来', reasons: ['响应太慢'] });
    await t.inject('POST', `/api/v1/public/surveys/${tokHigh}`, undefined, { csat: 5, comment: '很好' });

    const list = async (q: string, token = sup.token) => t.inject('GET', `/api/v1/surveys/responses${q}`, token);
    const lows = await list('?scoreMax=2');
    expect(lows.statusCode).toBe(200);
    const item = lows.json().items.find((i: { ticketId: string }) => i.ticketId === low);
    expect(item).toMatchObject({ csat: 1, comment: '一直没人来', teamName: '客服一组', customerPhone: '139****0009' });
    expect(item.recovery).toMatchObject({ state: 'open', canOpen: true });
    expect(lows.json().items.every((i: { csat: number }) => i.csat <= 2)).toBe(true);
    expect(lows.json().items.map((i: { ticketId: string }) => i.ticketId)).not.toContain(high);

    const highs = await list(`?scoreMin=4&teamId=${teamId}`);
    expect(highs.json().items.map((i: { ticketId: string }) => i.ticketId)).toContain(high);
    expect((await list(`?teamId=${otherTeamId}`)).json().items).toEqual([]);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    expect((await list(`?from=${from}&to=${to}`)).json().items.length).toBeGreaterThanOrEqual(2);
    expect((await list('?from=2020-01-01&to=2020-01-31')).json().items).toEqual([]);

    // Pagination.
    const p1 = await list('?limit=1');
    expect(p1.json().items).toHaveLength(1);
    const p2 = await list(`?limit=1&cursor=${p1.json().nextCursor}`);
    expect(p2.json().items[0].id).not.toBe(p1.json().items[0].id);

    // Scope: an agent of another team sees none of these answers (and agents lack the recovery board).
    const qa = await t.as(['qa'], { teamId: otherTeamId });
    const outside = (await list('', outsider.token)).json().items.map((i: { ticketId: string }) => i.ticketId);
    expect(outside).not.toContain(low);
    expect((await list('', qa.token)).statusCode).toBe(200);
    const mine = (await list('?scoreMax=2', agent.token)).json().items.find((i: { ticketId: string }) => i.ticketId === low);
    expect(mine.recovery.canOpen).toBe(false);
  });

  it('bad input → 400 naming the field', async () => {
    for (const [q, field] of [
      ['?scoreMin=11', 'scoreMin'],
      ['?scoreMin=4&scoreMax=2', 'scoreMax'],
      ['?teamId=nope', 'teamId'],
      ['?from=2026-02-30', 'from'],
      ['?measure=xyz', 'measure'],
      ['?limit=0', 'limit'],
    ] as const) {
      const r = await t.inject('GET', `/api/v1/surveys/responses${q}`, sup.token);
      expect(r.statusCode, q).toBe(400);
      expect(JSON.stringify(r.json().errors ?? r.json()), q).toContain(field);
    }
  });
});
