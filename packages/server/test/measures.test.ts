/**
 * Measures on a scripted history: known tickets, replies, reopens, handovers, team transfers, survey answers,
 * standard outcomes and recovery cases, where every definition yields the hand-computed value — from the rollup
 * cubes, from the facts tables, and per team; plus drill-down, scoping, targets/alerts, wall tokens and exports.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/lib/context';
import { uuidv7 } from '../src/lib/ids';
import { checkAlerts } from '../src/modules/measures/measures.targets.commands';
import { drainMeasures } from '../src/modules/measures/worker';
import { recordTicketEvent, type TicketEventKind, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { testApp, type TestApp } from './harness';
import { deactivateAll, standard, waitFor } from './standards-helpers';

const H = 3_600_000;
const M = 60_000;
// 2026-03-02 00:00 in Asia/Shanghai.
const T0 = Date.parse('2026-03-02T00:00:00+08:00');
const DAYQ = 'from=2026-03-02&to=2026-03-02';

interface TicketSpec {
  type?: string;
  teamId: string | null;
  ownerId?: string | null;
  created: number;
  firstReply?: number;
  resolved?: number;
  status?: string;
  reopen?: number;
  handover?: number;
  transfer?: number;
  replies?: number;
  site?: string | null;
  tags?: string[];
}

async function scriptedTicket(t: TestApp, s: TicketSpec): Promise<TicketSnapshot> {
  const id = uuidv7();
  const customerId = uuidv7();
  const status = s.status ?? (s.resolved !== undefined ? 'resolved' : 'in_progress');
  const snap: TicketSnapshot = {
    id,
    number: `GD-${id.slice(-8)}`,
    customerId,
    customerTier: 'regular',
    customerVip: false,
    type: s.type ?? 'inquiry',
    channel: 'phone',
    priority: 'normal',
    status,
    previousStatus: status,
    ownerId: s.ownerId ?? null,
    teamId: s.teamId,
    categoryId: null,
    site: s.site ?? null,
    createdAt: new Date(s.created),
  };
  await t.database.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO customers (id, name, tier) VALUES (${customerId}, ${'客户'}, 'regular')`);
    await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, site, tags, created_by_kind, created_at,
        first_public_reply_at, resolved_at, reopen_count, handover_count, team_transfer_count, staff_public_reply_count)
      VALUES (${id}, ${snap.number}, ${customerId}, ${snap.type}, 'phone', 'normal', ${status}, ${'脚本工单'}, '', ${snap.ownerId}, ${s.teamId}, ${snap.site},
        ${sql`ARRAY[${sql.join(
          (s.tags ?? []).map((x) => sql`${x}`),
          sql`, `,
        )}]::text[]`}, 'system', ${new Date(s.created)},
        ${s.firstReply !== undefined ? new Date(s.firstReply) : null}, ${s.resolved !== undefined ? new Date(s.resolved) : null}, ${s.reopen ?? 0}, ${s.handover ?? 0}, ${s.transfer ?? 0}, ${s.replies ?? 0})`);
    await recordTicketEvent(tx, systemCtx('test'), snap, 'ticket.created', {}, new Date(s.created));
  });
  return snap;
}

async function ev(t: TestApp, snap: TicketSnapshot, kind: TicketEventKind, data: Record<string, unknown>, at: number) {
  await t.database.transaction(async (tx) => {
    await recordTicketEvent(tx, systemCtx('test'), snap, kind, data, new Date(at));
  });
}

let t: TestApp;
let adminToken: string;
let directorToken: string;
let agentToken: string;
let agentId: string;
let teamA: string;
let teamB: string;
const tk: Record<string, TicketSnapshot> = {};
let kbExists = false;

async function standardRow(kind: 'hard' | 'soft') {
  const sid = uuidv7();
  const vid = uuidv7();
  await t.database.rows(sql`INSERT INTO standards (id, code, current_version_id) VALUES (${sid}, ${`M-${kind}-${sid.slice(-6)}`}, ${vid})`);
  await t.database.rows(
    sql`INSERT INTO standard_versions (id, standard_id, version, definition) VALUES (${vid}, ${sid}, 1, ${JSON.stringify({ kind, name: kind })}::jsonb)`,
  );
  return { sid, vid };
}
async function instance(std: { sid: string; vid: string }, ticketId: string, state: string, endedAt: number | null, breachedAt: number | null = null) {
  await t.database.rows(sql`INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, ended_at, breached_at)
    VALUES (${uuidv7()}, ${std.sid}, ${std.vid}, 'X', ${ticketId}, ${state}, ${new Date(T0 - 10 * H)}, 3600000, ${endedAt === null ? null : new Date(endedAt)},
      ${breachedAt === null ? null : new Date(breachedAt)})`);
}

beforeAll(async () => {
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' }); // the report webhook test server is on loopback
  teamA = (await t.team('一组')).id;
  teamB = (await t.team('二组')).id;
  adminToken = (await t.as(['admin'])).token;
  directorToken = (await t.as(['director'])).token;
  const agent = await t.as(['agent'], { teamId: teamA });
  agentToken = agent.token;
  agentId = agent.staff.id;
  const [k] = await t.database.rows<{ ok: boolean }>(sql`SELECT to_regclass('kb_usage') IS NOT NULL AS ok`);
  kbExists = Boolean(k?.ok);

  tk.T1 = await scriptedTicket(t, { teamId: teamA, ownerId: agentId, created: T0 + 1 * H, firstReply: T0 + 1 * H + 10 * M, resolved: T0 + 2 * H, replies: 1 }); // FCR
  tk.T2 = await scriptedTicket(t, {
    type: 'complaint',
    teamId: teamA,
    ownerId: agentId,
    created: T0 + 2 * H,
    firstReply: T0 + 2 * H + 20 * M,
    resolved: T0 + 5 * H,
    reopen: 1,
    replies: 2,
    site: '三号楼',
    tags: ['态度'],
  });
  tk.T3 = await scriptedTicket(t, {
    type: 'complaint',
    teamId: teamA,
    created: T0 + 3 * H,
    firstReply: T0 + 3 * H + 5 * M,
    resolved: T0 + 4 * H,
    handover: 1,
    replies: 1,
    site: '三号楼',
    tags: ['态度', '时效'],
  });
  tk.T4 = await scriptedTicket(t, { type: 'repair', teamId: teamB, created: T0 + 4 * H, resolved: T0 + 6 * H, status: 'closed' }); // FCR, no reply
  tk.T5 = await scriptedTicket(t, { teamId: teamA, created: T0 + 5 * H, firstReply: T0 + 5 * H + 15 * M, replies: 1 }); // open
  tk.T6 = await scriptedTicket(t, { teamId: teamB, created: T0 - 5 * H, firstReply: T0 - 5 * H + 1 * M, resolved: T0 + 1 * H, transfer: 1, replies: 1 }); // transferred, resolved in period
  tk.T7 = await scriptedTicket(t, { type: 'complaint', teamId: teamA, created: T0 + 30 * H }); // after the period
  tk.T8 = await scriptedTicket(t, { type: 'internal', teamId: teamA, created: T0 + 1 * H, resolved: T0 + 2 * H, replies: 1 }); // internal follow-up: not a ticket

  const survey = (csat?: number, nps?: number, ces?: number) => ({
    surveyId: uuidv7(),
    responseId: uuidv7(),
    answers: { ...(csat !== undefined ? { csat } : {}), ...(nps !== undefined ? { nps } : {}), ...(ces !== undefined ? { ces } : {}) },
    lowScore: (csat ?? 5) <= 2,
  });
  await ev(t, tk.T1, 'survey.answered', survey(5, 10, 2), T0 + 3 * H);
  await ev(t, tk.T2, 'survey.answered', survey(4, 9, 3), T0 + 4 * H);
  await ev(t, tk.T3, 'survey.answered', survey(2, 6, 6), T0 + 5 * H);
  await ev(t, tk.T4, 'survey.answered', survey(3, 8), T0 + 6 * H);
  await ev(t, tk.T6, 'survey.answered', survey(1, 0, 7), T0 + 30 * H); // outside
  await ev(t, tk.T8, 'survey.answered', survey(1, 0, 7), T0 + 2 * H); // internal: excluded

  await ev(t, tk.T2, 'recovery.closed', { caseId: 'c-2', outcome: 'recovered' }, T0 + 8 * H);
  await ev(t, tk.T3, 'recovery.closed', { caseId: 'c-3a', outcome: 'not_recovered' }, T0 + 9 * H);
  await ev(t, tk.T3, 'recovery.closed', { caseId: 'c-3b', outcome: 'not_recovered' }, T0 + 7 * H);
  await ev(t, tk.T3, 'recovery.closed', { caseId: 'c-3b', outcome: 'recovered' }, T0 + 10 * H); // closed again: the latest counts

  const hard = await standardRow('hard');
  const soft = await standardRow('soft');
  await instance(hard, tk.T1.id, 'met', T0 + 1 * H + 10 * M);
  await instance(hard, tk.T2.id, 'breached', T0 + 5 * H, T0 + 4 * H);
  await instance(hard, tk.T3.id, 'met', T0 + 2 * H);
  await instance(hard, tk.T6.id, 'met', T0 - 4 * H); // ended before the period
  // Breached but not ended (nobody has replied yet): a failure from its breach instant. A real standard, switched off.
  const live = await standard(t, adminToken, {
    code: 'M-FR',
    name: '首次响应',
    start: 'ticket.created',
    stop: 'ticket.first_public_reply',
    limitSeconds: 3600,
  });
  await deactivateAll(t.database);
  const [lv] = await t.database.rows<{ v: string }>(sql`SELECT current_version_id AS v FROM standards WHERE id = ${live}`);
  await instance({ sid: live, vid: lv!.v }, tk.T5.id, 'breached', null, T0 + 6 * H);
  await instance(hard, tk.T4.id, 'cancelled', T0 + 5 * H);
  await instance(soft, tk.T4.id, 'met', T0 + 5 * H); // soft standard: not counted
  if (kbExists) {
    await t.database.rows(
      sql`INSERT INTO kb_usage (ticket_id, item_id, kind) VALUES (${tk.T1.id}, ${uuidv7()}, 'used'), (${tk.T4.id}, ${uuidv7()}, 'used'), (${tk.T2.id}, ${uuidv7()}, 'not_helpful')`,
    );
  }
  // Standard outcomes are read when the ticket's next event is applied: one more event each.
  for (const k of ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']) await ev(t, tk[k]!, 'ticket.updated', {}, T0 + 12 * H);
  await drainMeasures(t.database);
  await waitFor(async () => (await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM measure_queue`))[0]!.n === 0);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('every definition yields the hand-computed value', () => {
  it('GET /metrics/summary (contract) over the scripted day', async () => {
    const res = await t.inject('GET', `/api/v1/metrics/summary?${DAYQ}`, directorToken);
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.source).toBe('rollup');
    expect(s.tickets).toBe(5); // T1–T5 (T6 before, T7 after, T8 internal)
    expect(s.complaintRate).toBeCloseTo(2 / 5, 12); // T2, T3
    expect(s.complaintResolutionRate).toBe(1 / 2); // T3 resolved; T2 reopened
    expect(s.fcr).toBe(2 / 5); // resolved T1 T2 T3 T4 T6; FCR T1, T4
    expect(s.csat).toBe(2 / 4); // 5, 4 of 5, 4, 2, 3
    expect(s.nps).toBe(25); // (2 − 1) / 4
    expect(s.ces).toBeCloseTo(11 / 3, 12); // 2, 3, 6
    expect(s.standardExecutionRate).toBeCloseTo(2 / 4, 12); // T1 met, T3 met, T2 breached, T5 breached and still open
    expect(s.recoveryRate).toBeCloseTo(2 / 3, 12); // c-2 recovered, c-3a not, c-3b recovered (latest)
    expect(s.firstResponseSecondsP50).toBe(600); // 300 600 900 1200
    expect(s.firstResponseSecondsP90).toBe(1200);
    expect(s.resolutionSecondsP50).toBe(7200); // 3600 3600 7200 10800 21600
    expect(s.resolutionSecondsP90).toBe(21600);
    expect(s.knowledgeApplicationRate).toBe(kbExists ? 2 / 5 : null);
    expect(s.counts.fcr).toEqual({ value: 0.4, numerator: 2, denominator: 5 });
    expect(s.counts.csat).toEqual({ value: 0.5, numerator: 2, denominator: 4 });
    expect(s.counts.standardExecutionRate).toMatchObject({ numerator: 2, denominator: 4 });
    expect(s.counts.nps).toEqual({ value: 25, promoters: 2, detractors: 1, passives: 1, count: 4 });
  });

  it('the facts path gives the same counts as the rollup path, in total and per team', async () => {
    const a = (await t.inject('GET', `/api/v1/measures?${DAYQ}&groupBy=team&source=rollup`, directorToken)).json();
    const b = (await t.inject('GET', `/api/v1/measures?${DAYQ}&groupBy=team&source=facts`, directorToken)).json();
    expect(a.source).toBe('rollup');
    expect(b.source).toBe('facts');
    expect(a.total).toEqual(b.total);
    expect(a.rows).toEqual(b.rows);
    const byTeam = Object.fromEntries(a.rows.map((r: { key: { team: string } }) => [r.key.team, r]));
    expect(byTeam[teamB].fcr).toEqual({ value: 0.5, numerator: 1, denominator: 2 }); // T4 FCR, T6 transferred
    expect(byTeam[teamB].labels.team).toBe('二组');
    expect(byTeam[teamA].tickets).toBe(4);
    expect(byTeam[teamA].csat).toEqual({ value: 2 / 3, numerator: 2, denominator: 3 });
    // Hourly groups come from the hour cube when the period is not a whole day.
    const h = (
      await t.inject(
        'GET',
        `/api/v1/measures?from=${encodeURIComponent(new Date(T0 + H).toISOString())}&to=${encodeURIComponent(new Date(T0 + 7 * H).toISOString())}&groupBy=type`,
        directorToken,
      )
    ).json();
    expect(h.cube).toBe(1);
    const f = (
      await t.inject(
        'GET',
        `/api/v1/measures?from=${encodeURIComponent(new Date(T0 + H).toISOString())}&to=${encodeURIComponent(new Date(T0 + 7 * H).toISOString())}&groupBy=type&source=facts`,
        directorToken,
      )
    ).json();
    expect(h.rows).toEqual(f.rows);
  });

  it('drill-down lists exactly the tickets behind numerator and denominator', async () => {
    const ids = async (q: string) =>
      ((await t.inject('GET', `/api/v1/measures/tickets?${DAYQ}&${q}`, directorToken)).json().items as { id: string }[]).map((i) => i.id).sort();
    expect(await ids('measure=fcr&part=numerator')).toEqual([tk.T1!.id, tk.T4!.id].sort());
    expect(await ids('measure=fcr')).toEqual([tk.T1!.id, tk.T2!.id, tk.T3!.id, tk.T4!.id, tk.T6!.id].sort());
    expect(await ids('measure=complaintResolutionRate&part=numerator')).toEqual([tk.T3!.id]);
    expect(await ids('measure=csat&part=numerator')).toEqual([tk.T1!.id, tk.T2!.id].sort());
    expect(await ids('measure=standardExecutionRate&part=denominator')).toEqual([tk.T1!.id, tk.T2!.id, tk.T3!.id, tk.T5!.id].sort());
    const bad = await t.inject('GET', `/api/v1/measures/tickets?${DAYQ}&measure=nope`, directorToken);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('validation_failed');
  });

  it('a reopen moves the ticket out of FCR and out of the resolved count, in the rollup too', async () => {
    // T1 reopened after the period: it is no longer resolved (its resolution in the period is withdrawn).
    await t.database.rows(sql`UPDATE tickets SET status = 'in_progress', resolved_at = NULL, reopen_count = 1 WHERE id = ${tk.T1!.id}`);
    await ev(t, { ...tk.T1!, status: 'in_progress' }, 'ticket.reopened', {}, T0 + 40 * H);
    await drainMeasures(t.database);
    const s = (await t.inject('GET', `/api/v1/metrics/summary?${DAYQ}`, directorToken)).json();
    expect(s.counts.fcr).toEqual({ value: 1 / 4, numerator: 1, denominator: 4 });
    const f = (await t.inject('GET', `/api/v1/measures?${DAYQ}&source=facts`, directorToken)).json();
    expect(f.total.fcr).toEqual(s.counts.fcr);
    expect(s.resolutionSecondsP50).toBe(7200); // 3600 7200 10800 21600 → rank 2
  });
});

describe('policy and scope', () => {
  it('agents see only their own numbers; the summary needs measures.view', async () => {
    expect((await t.inject('GET', `/api/v1/metrics/summary?${DAYQ}`, agentToken)).statusCode).toBe(403);
    const own = (await t.inject('GET', `/api/v1/measures?${DAYQ}`, agentToken)).json();
    expect(own.filters).toEqual({ agentId });
    expect(own.total.tickets).toBe(2); // T1, T2 are theirs
    expect((await t.inject('GET', `/api/v1/measures?${DAYQ}&groupBy=agent`, agentToken)).statusCode).toBe(403);
    expect((await t.inject('GET', `/api/v1/measures?${DAYQ}&teamId=${teamB}`, agentToken)).statusCode).toBe(403);
    const team = await t.inject('GET', `/api/v1/measures?${DAYQ}&teamId=${teamA}`, agentToken);
    expect(team.statusCode).toBe(200);
    // Drill-down at team level is narrowed to their own tickets.
    const d = (await t.inject('GET', `/api/v1/measures/tickets?${DAYQ}&teamId=${teamA}&measure=tickets`, agentToken)).json();
    expect(d.items.map((i: { id: string }) => i.id).sort()).toEqual([tk.T1!.id, tk.T2!.id].sort());
    expect((await t.inject('GET', '/api/v1/measures', undefined)).statusCode).toBe(401);
  });

  it('bad input is a problem+json naming the field', async () => {
    const r = await t.inject('GET', '/api/v1/measures?groupBy=month,week', directorToken);
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].path).toBe('groupBy');
    const r2 = await t.inject('GET', '/api/v1/measures?from=2026-02-30', directorToken);
    expect(r2.statusCode).toBe(400);
    expect(r2.json().errors[0].path).toBe('from');
  });
});

describe('targets and alerts', () => {
  it('directors edit targets (audited); agents cannot; rates must be fractions', async () => {
    const list = (await t.inject('GET', '/api/v1/measures/targets', agentToken)).json();
    expect(list.items.find((i: { measure: string }) => i.measure === 'csat').target).toBe(0.85);
    expect((await t.inject('PUT', '/api/v1/measures/targets/csat', agentToken, { target: 0.9 })).statusCode).toBe(403);
    const bad = await t.inject('PUT', '/api/v1/measures/targets/csat', directorToken, { target: 85 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('target');
    const ok = await t.inject('PUT', '/api/v1/measures/targets/csat', directorToken, { target: 0.9, windowDays: 7, minCount: 1 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().target).toBe(0.9);
    expect((await t.auditRows('measure.target_set')).length).toBe(1);
  });

  it('a rolling rate below target notifies admins and directors once', async () => {
    const now = T0 + 24 * H;
    await t.database.rows(sql`UPDATE staff SET locale = 'en' WHERE 'admin' = ANY(roles)`); // each recipient reads it in their language
    const first = await checkAlerts(t.database, now);
    const c = first.find((x) => x.measure === 'csat')!;
    expect(c).toMatchObject({ below: true, alerted: true, value: 0.5 });
    const notes = await t.database.rows<{ title: string }>(sql`SELECT title FROM notifications WHERE kind = 'measure.below_target'`);
    expect(notes.length).toBe(2); // admin + director
    expect(notes[0]!.title).toContain('50.0%');
    const byLocale = await t.database.rows<{ title: string; locale: string }>(sql`
      SELECT n.title, s.locale FROM notifications n JOIN staff s ON s.id = n.recipient_id WHERE n.kind = 'measure.below_target' ORDER BY s.locale`);
    expect(byLocale.map((n) => n.title)).toEqual([
      expect.stringMatching(/^CSAT \(last \d+ days\) 50\.0% below target 90\.0%$/),
      expect.stringMatching(/^满意度 CSAT（近\d+天）50\.0% 未达目标 90\.0%$/),
    ]);
    await t.database.rows(sql`UPDATE staff SET locale = 'zh-CN' WHERE 'admin' = ANY(roles)`);
    const second = await checkAlerts(t.database, now);
    expect(second.find((x) => x.measure === 'csat')!.alerted).toBe(false);
  });
});

describe('wall tokens and exports', () => {
  it('a display token shows only the wall data, and stops working when revoked', async () => {
    const created = await t.inject('POST', '/api/v1/measures/wall-tokens', adminToken, { name: '服务中心大屏', teamId: teamA, expiresInDays: 7 });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    const wall = await t.inject('GET', `/api/v1/public/wall?token=${token}`);
    expect(wall.statusCode).toBe(200);
    expect(wall.json().teamName).toBe('一组');
    expect(wall.json().today).toBeTruthy();
    const viaHeader = await t.app.inject({ method: 'GET', url: '/api/v1/public/wall', headers: { 'x-display-token': token } });
    expect(viaHeader.statusCode).toBe(200);
    // The token is not a session: it cannot call staff APIs.
    expect((await t.inject('GET', '/api/v1/measures', token)).statusCode).toBe(401);
    expect((await t.inject('DELETE', `/api/v1/measures/wall-tokens/${id}`, adminToken)).statusCode).toBe(204);
    expect((await t.inject('GET', `/api/v1/public/wall?token=${token}`)).statusCode).toBe(401);
    expect((await t.inject('POST', '/api/v1/measures/wall-tokens', agentToken, { name: 'x' })).statusCode).toBe(403);
  });

  it('CSV has a UTF-8 BOM and Chinese headers; XLSX is an OOXML zip', async () => {
    const csv = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&groupBy=team&format=csv`, directorToken);
    expect(csv.statusCode).toBe(200);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = csv.rawPayload.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toContain('团队');
    expect(text).toContain('二组');
    expect(text).toContain('合计');
    const x = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&format=xlsx&lang=en`, directorToken);
    expect(x.statusCode).toBe(200);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    expect(x.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(x.rawPayload.includes(Buffer.from('xl/worksheets/sheet1.xml'))).toBe(true);
    const comp = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&format=csv&view=complaints`, directorToken);
    expect(comp.rawPayload.subarray(3).toString('utf8')).toContain('态度');
  });

  it('an export read in English is English (Accept-Language, no lang parameter)', async () => {
    const en = { 'accept-language': 'en' };
    const csv = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&groupBy=team&format=csv`, directorToken, undefined, en);
    expect(csv.statusCode).toBe(200);
    const text = csv.rawPayload.subarray(3).toString('utf8');
    expect(text.split('\r\n')[0]).toMatch(/^Team,Tickets,CSAT,/);
    expect(text).toContain('Total');
    expect(text).not.toContain('合计');
    const comp = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&format=csv&view=complaints`, directorToken, undefined, en);
    expect(comp.rawPayload.subarray(3).toString('utf8').split('\r\n')[0]).toBe('Kind,Key,Count,Share,Cumulative');
    const board = await t.inject('GET', `/api/v1/measures/export?format=csv&view=board`, directorToken, undefined, en);
    expect(board.rawPayload.subarray(3).toString('utf8').split('\r\n')[0]).toBe('Agent,On duty,Open,Urgent/high,Overloaded');
  });

  it('complaint analysis: Pareto of root causes and repeated problems by site', async () => {
    const c = (await t.inject('GET', `/api/v1/measures/complaints?${DAYQ}`, directorToken)).json();
    expect(c.byCause.items[0]).toMatchObject({ key: '态度', count: 2, share: 2 / 3 });
    expect(c.byCause.items.at(-1).cumulative).toBe(1);
    expect(c.repeats).toEqual([expect.objectContaining({ site: '三号楼', count: 2 })]);
  });
});

describe('freshness', () => {
  it('an answered survey changes CSAT of an open period as soon as the worker applies it', async () => {
    const today = new Date(Date.now() - H).toISOString();
    const q = `/api/v1/metrics/summary?from=${encodeURIComponent(today)}&to=${encodeURIComponent(new Date(Date.now() + H).toISOString())}`;
    const before = (await t.inject('GET', q, directorToken)).json();
    expect(before.counts.csat.denominator).toBe(0);
    const v0 = (await t.inject('GET', '/api/v1/measures/version', directorToken)).json().version;
    await ev(t, tk.T5!, 'survey.answered', { surveyId: uuidv7(), responseId: uuidv7(), answers: { csat: 5 }, lowScore: false }, Date.now());
    // The app's own worker (woken by NOTIFY) applies it; no manual drain here.
    const after = await waitFor(
      async () => {
        const s = (await t.inject('GET', q, directorToken)).json();
        return s.counts.csat.denominator === 1 ? s : null;
      },
      10_000,
      50,
    );
    expect(after.csat).toBe(1);
    expect((await t.inject('GET', '/api/v1/measures/version', directorToken)).json().version).toBeGreaterThan(v0);
  });
});

describe('scheduled reports', () => {
  it('a webhook report carries the measures and a PNG of the trend chart; due reports run once', async () => {
    const { createServer } = await import('node:http');
    const got: { body: Record<string, unknown> }[] = [];
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => {
        got.push({ body: JSON.parse(b) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      const bad = await t.inject('POST', '/api/v1/measures/reports', directorToken, {
        name: '周报',
        frequency: 'weekly',
        channel: 'webhook',
        target: `http://127.0.0.1:${port}/hook`,
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].path).toBe('weekday');
      const created = await t.inject('POST', '/api/v1/measures/reports', directorToken, {
        name: '服务日报',
        frequency: 'daily',
        hour: 8,
        channel: 'webhook',
        target: `http://127.0.0.1:${port}/hook`,
      });
      expect(created.statusCode).toBe(201);
      const { id, nextRunAt } = created.json();
      expect(new Date(nextRunAt).getTime()).toBeGreaterThan(Date.now());
      const sent = await t.inject('POST', `/api/v1/measures/reports/${id}/send`, directorToken);
      expect(sent.json()).toMatchObject({ status: 'sent' });
      expect(got).toHaveLength(1);
      const chart = Buffer.from(String((got[0]!.body.chart as { base64: string }).base64), 'base64');
      expect(chart.subarray(1, 4).toString()).toBe('PNG');
      expect(String(got[0]!.body.text)).toContain('CSAT');
      const png = await t.inject('GET', `/api/v1/measures/reports/${id}/chart.png`, directorToken);
      expect(png.headers['content-type']).toBe('image/png');
      const { runDueReports } = await import('../src/modules/measures/measures.reports.commands');
      expect(await runDueReports(t.database, Date.now())).toBe(0); // not due yet
      expect(await runDueReports(t.database, new Date(nextRunAt).getTime() + 1000)).toBe(1);
      expect(got).toHaveLength(2);
      expect(await runDueReports(t.database, new Date(nextRunAt).getTime() + 1000)).toBe(0); // moved to the next day
      expect(
        (await t.inject('POST', '/api/v1/measures/reports', agentToken, { name: 'x', frequency: 'daily', channel: 'email', target: 'a@b.cn' })).statusCode,
      ).toBe(403);
    } finally {
      srv.close();
    }
  }, 60_000);
});
