import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, inArray } from 'drizzle-orm';
import { attachments, careTasks, customerAccounts, sessions, staff as staffTable, tickets } from '../src/db/schema';
import type { Actor } from '../src/lib/context';
import { actorFromRow } from '../src/modules/identity/identity.commands';
import { canSeeTicket, loadTicketAccessRow, ticketVisibilityScope } from '../src/modules/tickets/visibility';
import { MATRIX_ACTORS, staffOnly, type MatrixActor, type RouteAccess } from '../src/http/access';
import { uuidv7 } from '../src/lib/ids';
import { sha256 } from '../src/modules/identity/secrets';
import { ACCESS_TABLES } from '../src/modules/index';
import { checkDeclarations, expectedFor, operationsOf, satisfies } from './access-matrix-lib';
import { envParam, MORE_BODIES, setupEnvironment, setupMystery } from './access-matrix-mystery';
import { moreParam, setupChannels, setupField } from './access-matrix-more';
import { qualityFixtures } from './access-matrix-quality';
import { testApp, type TestApp } from './harness';

/**
 * The access matrix, complete by construction: every operation of the OpenAPI document × every actor, the expected
 * outcome derived from the operation's declaration (src/modules/<module>/<module>.access.ts, src/http/access.ts).
 *
 * Fixture: ticket T of team A, created and owned by agentOwner, for customer A; a teammate, an agent / frontdesk /
 * technician / supervisor of team B, a technician of team A, qa, trainer, director, admin; customer B.
 * Path parameters point at real records; a call that changes what it points at gets its own fresh record.
 * Bodies are empty (`{}`) unless listed in BODIES: an unauthorised caller must be refused before validation
 * (401/403/404), an authorised one must not be refused (anything but 401/403/404, never a 5xx).
 */

let t: TestApp;
const tokens = {} as Record<MatrixActor, string | null>;
const ids = {} as Record<MatrixActor, string>;
let teamA: string;
let teamB: string;
let customerA: string;
let victimId: string;
const fx: Record<string, string> = {};
let seq = 0;

async function portalLogin(phone: string) {
  const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode;
  const res = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function ok<T = any>(p: Promise<{ statusCode: number; json: () => any; body: string }>, want = [200, 201]): Promise<T> {
  const res = await p;
  if (!want.includes(res.statusCode)) throw new Error(`fixture call failed: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** A ticket of team A owned by agentOwner for customer A (what T is). */
async function newTicket(o: { type?: string } = {}): Promise<string> {
  const body = await ok(
    t.inject('POST', '/api/v1/tickets', tokens.agentOwner!, {
      customerId: customerA,
      type: o.type ?? 'repair',
      channel: 'phone',
      subject: `门禁坏了 ${++seq}`,
      description: '单元门禁刷卡无反应',
    }),
  );
  if (body.ownerId !== ids.agentOwner)
    await ok(t.inject('POST', `/api/v1/tickets/${body.id}/assign`, tokens.admin!, { ownerId: ids.agentOwner, teamId: teamA }));
  return body.id;
}
const resolved = async () => {
  const id = await newTicket();
  await ok(t.inject('POST', `/api/v1/tickets/${id}/resolve`, tokens.agentOwner!, { resolution: '已修复' }));
  return id;
};
async function newHandover() {
  const tk = await newTicket();
  return (
    await ok(
      t.inject('POST', `/api/v1/tickets/${tk}/handovers`, tokens.agentOwner!, {
        toStaffId: ids.agentTeammate,
        situation: 's',
        need: 'n',
        done: 'd',
        pending: 'p',
        expectation: 'e',
        cautions: 'c',
      }),
    )
  ).id as string;
}
/** ¥50 asked by technicianA (no limit) on a team-A ticket: only a director (or team A's supervisor) may decide it. */
async function newApproval() {
  const tk = await newTicket();
  const res = await t.inject('POST', `/api/v1/tickets/${tk}/compensations`, tokens.technicianA!, {
    kind: 'coupon',
    amountFen: 5_000,
    reason: '技师无补偿额度',
  });
  if (res.statusCode !== 403 || !res.json().approvalId) throw new Error(`no approval: ${res.statusCode} ${res.body}`);
  return res.json().approvalId as string;
}
async function newCareTask() {
  const id = uuidv7();
  await t.database.db.insert(careTasks).values({
    id,
    kind: 'care',
    ticketId: fx.ticket!,
    customerId: customerA,
    ownerId: ids.agentOwner,
    teamId: teamA,
    seq: 1,
    dueAt: new Date(Date.now() + 86_400_000),
  });
  return id;
}
async function newArticle(stage: 'draft' | 'in_review' | 'published') {
  const a = await ok(
    t.inject('POST', '/api/v1/kb/articles', tokens.admin!, {
      title: `如何重置门禁卡 ${++seq}`,
      body: '到物业前台办理，携带身份证。',
      category: '门禁',
      audience: 'customer',
    }),
  );
  if (stage === 'draft') return a.id as string;
  await ok(t.inject('POST', `/api/v1/kb/articles/${a.id}/submit`, tokens.admin!));
  if (stage === 'in_review') return a.id as string;
  await ok(t.inject('POST', `/api/v1/kb/articles/${a.id}/review`, tokens.admin!, { decision: 'approve' }));
  return a.id as string;
}
const newRule = async () => (await ok(t.inject('POST', '/api/v1/dispatch/rules', tokens.admin!, { name: `规则${++seq}`, teamId: teamA }))).id as string;
const newQaRule = async () =>
  (
    await ok(
      t.inject('POST', '/api/v1/qa/rules', tokens.admin!, {
        code: `custom.r${++seq}`,
        name: `规则${seq}`,
        kind: 'phrases',
        severity: 'minor',
        phrases: ['不晓得'],
      }),
    )
  ).id as string;
const newFilter = async () =>
  (await ok(t.inject('POST', '/api/v1/me/filters', tokens.agentOwner!, { name: `筛选${++seq}`, query: { status: 'open' } }))).id as string;
const newVocab = async () => (await ok(t.inject('POST', '/api/v1/kb/vocabulary', tokens.admin!, { kind: 'word', term: `门禁卡${++seq}` }))).id as string;
const newHolidayImport = async () =>
  (
    await ok(
      t.inject('POST', `/api/v1/calendars/${fx.calendar}/holiday-imports`, tokens.admin!, {
        text: JSON.stringify({ year: 2099, days: [{ name: '测试', date: `2099-03-${String((++seq % 28) + 1).padStart(2, '0')}`, isOffDay: true }] }),
      }),
      [201],
    )
  ).id as string;
const newWallToken = async () => (await ok(t.inject('POST', '/api/v1/measures/wall-tokens', tokens.admin!, { name: `大屏${++seq}` }))).id as string;
const newReport = async () =>
  (
    await ok(
      t.inject('POST', '/api/v1/measures/reports', tokens.admin!, { name: `日报${++seq}`, frequency: 'daily', channel: 'email', target: 'ops@example.com' }),
    )
  ).id as string;

/** A session of its own for a call that ends the caller's session (logout). */
async function freshToken(actor: MatrixActor): Promise<string | null> {
  const tk = tokens[actor];
  if (!tk) return null;
  const [s] = await t.database.db
    .select()
    .from(sessions)
    .where(eq(sessions.tokenHash, sha256(tk)));
  const token = randomBytes(32).toString('base64url');
  await t.database.db.insert(sessions).values({
    id: uuidv7(),
    tokenHash: sha256(token),
    principalKind: s!.principalKind,
    principalId: s!.principalId,
    csrfToken: 'x'.repeat(24),
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  return token;
}

/** Valid bodies where a refusal happens in the command (ownership, limits) and must be reached. */
const BODIES: Record<string, unknown> = {
  'POST /tickets/{id}/replies': { body: '您好', visibility: 'public' },
  'POST /tickets/{id}/resolve': { resolution: '已修复' },
  'POST /tickets/{id}/compensations': { kind: 'coupon', amountFen: 5000, reason: '致歉' },
  'POST /approvals/{id}/approve': { comment: '同意' },
  'POST /approvals/{id}/reject': { comment: '不同意' },
  'POST /care-tasks/{id}/complete': { result: 'reached', outcome: '已回访，客户满意' },
  'POST /kb/articles/{id}/review': { decision: 'approve' },
  // Field visits: a valid body, so the visit's technician check (404 for anyone else) is what answers.
  'POST /visits/{id}/decline': { reason: '另有急修' },
  'POST /visits/{id}/arrive': { code: 's.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA' },
  'PUT /visits/{id}/checklist': { steps: ['show_id'] },
  ...MORE_BODIES,
  'POST /qa/inspections/{id}/appeal': { reason: '申诉理由' },
};
const bodyFor = (key: string) => {
  if (key === 'POST /tickets/{id}/assign') return { ownerId: ids.agentTeammate, reasonKind: 'specialist' };
  if (key === 'POST /tickets/{id}/handovers')
    return { toStaffId: ids.agentTeammate, situation: 's', need: 'n', done: 'd', pending: 'p', expectation: 'e', cautions: 'c' };
  return BODIES[key] ?? {};
};

/** Calls that end the caller's session run last, each on a session of its own. */
const ENDS_SESSION = new Set(['POST /auth/logout', 'POST /auth/logout-all', 'POST /portal/auth/logout', 'POST /portal/auth/logout-all']);

/**
 * The value of each path parameter: shared fixture records for reads and for cells refused before the handler
 * (the record is not touched); a fresh record when an admitted call may change what it points at.
 */
const { newInspection, newAppeal, newProposal, newCoaching, setupQuality } = qualityFixtures(() => ({ t, tokens, fx, ok }));

async function pathFor(key: string, fresh: boolean): Promise<string> {
  const [method, path] = key.split(' ') as [string, string];
  const write = method !== 'GET' && fresh;
  const fill = async (name: string): Promise<string> => {
    if (path.startsWith('/tickets/{id}')) {
      if (path.includes('/complaint')) return write ? newTicket({ type: 'complaint' }) : fx.complaintTicket!;
      if (path.endsWith('/recovery')) return fx.recoveryTicket!;
      return write ? newTicket() : fx.ticket!;
    }
    if (path.startsWith('/portal/tickets/{id}')) return write ? resolved() : fx.ticket!;
    if (path.startsWith('/handovers/{id}')) return write ? newHandover() : fx.handover!;
    if (path.startsWith('/approvals/{id}')) return write ? newApproval() : fx.approval!;
    if (path.startsWith('/care-tasks/{id}')) return write ? newCareTask() : fx.careTask!;
    if (path.startsWith('/customers/{id}')) return customerA;
    if (path.startsWith('/staff/{id}')) return victimId;
    if (path.startsWith('/roles/{role}')) return 'trainer';
    if (path.startsWith('/qa/rules/{id}')) return method === 'DELETE' && write ? newQaRule() : '019aa000-0000-7000-8000-000000000001';
    if (path.startsWith('/dispatch/rules/{id}')) return method === 'DELETE' && write ? newRule() : fx.rule!;
    if (path.startsWith('/me/filters/{id}')) return write ? newFilter() : fx.filter!;
    if (path.startsWith('/attachments/{id}')) return fx.attachment!;
    if (path.startsWith('/standards/templates/{key}')) return 'callback-4h';
    if (path.startsWith('/standards/target-templates/{key}')) return 'target-csat-85';
    if (path.startsWith('/standards/improvements/{improvementId}')) return fx.improvement!;
    if (path.startsWith('/standards/{id}')) return fx.standard!;
    if (path.startsWith('/notifications/{id}')) return fx.notification!;
    if (path.startsWith('/kb/articles/{id}')) {
      if (name === 'version') return '1';
      if (!write) return fx.article!;
      if (path.endsWith('/submit')) return newArticle('draft');
      if (path.endsWith('/review')) return newArticle('in_review');
      return newArticle('published');
    }
    if (path.startsWith('/public/kb/articles/{id}')) return fx.article!;
    if (path.startsWith('/kb/categories/{id}')) return fx.kbCategory!;
    if (path.startsWith('/kb/vocabulary/{id}')) return write ? newVocab() : fx.vocab!;
    if (path.startsWith('/kb/contributions/{id}')) return ids.agentOwner;
    if (path.startsWith('/survey-templates/{id}')) return fx.surveyTemplate!;
    if (path.startsWith('/public/surveys/{token}')) return fx.surveyToken!;
    if (path.startsWith('/recovery-cases/{id}')) return fx.recoveryCase!;
    if (path.startsWith('/measures/targets/{measure}')) return 'csat';
    if (path.startsWith('/measures/wall-tokens/{id}')) return write ? newWallToken() : fx.wallToken!;
    if (path.startsWith('/measures/reports/{id}')) return method === 'DELETE' && write ? newReport() : fx.report!;
    if (path.startsWith('/inbound/{channel}')) return 'chat';
    if (path.startsWith('/calendars/holiday-imports/{id}')) return write ? newHolidayImport() : (fx.holidayImport ??= await newHolidayImport());
    if (path.startsWith('/calendars/{id}')) return fx.calendar!;
    const env = { t, tokens, ids, fx, ok };
    const more = (await moreParam(path, write, env, { newInspection, newAppeal, newProposal, newCoaching }, name)) ?? (await envParam(path, write, env, name));
    if (more) return more;
    throw new Error(`no fixture for the path parameter ${name} of ${key}: add one to pathFor`);
  };
  let out = path;
  for (const m of path.matchAll(/\{(\w+)\}/g)) out = out.replace(m[0], await fill(m[1]!));
  return `/api/v1${out}`;
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  teamA = (await t.team('A组')).id;
  teamB = (await t.team('B组')).id;
  const staffOf: Record<string, { roles: Parameters<TestApp['as']>[0]; teamId: string | null }> = {
    admin: { roles: ['admin'], teamId: null },
    director: { roles: ['director'], teamId: null },
    supervisor: { roles: ['supervisor'], teamId: teamB },
    agentOwner: { roles: ['agent'], teamId: teamA },
    agentTeammate: { roles: ['agent'], teamId: teamA },
    agentOther: { roles: ['agent'], teamId: teamB },
    frontdesk: { roles: ['frontdesk'], teamId: teamB },
    technicianA: { roles: ['technician'], teamId: teamA },
    technicianB: { roles: ['technician'], teamId: teamB },
    qa: { roles: ['qa'], teamId: null },
    trainer: { roles: ['trainer'], teamId: null },
  };
  await Promise.all(
    Object.entries(staffOf).map(async ([name, o]) => {
      const a = await t.as(o.roles, { teamId: o.teamId });
      tokens[name as MatrixActor] = a.token;
      ids[name as MatrixActor] = a.staff.id;
    }),
  );
  victimId = (await t.staff({ roles: ['agent'], teamId: teamB })).id;
  tokens.anonymous = null;
  const a = await portalLogin('13911110001');
  const b = await portalLogin('13911110002');
  customerA = a.customer.id;
  tokens.customerA = a.token;
  tokens.customerB = b.token;

  fx.ticket = await newTicket();
  fx.complaintTicket = await newTicket({ type: 'complaint' });
  fx.attachment = uuidv7();
  await t.database.db.insert(attachments).values({
    id: fx.attachment,
    ticketId: fx.ticket,
    uploadedByKind: 'staff',
    uploadedById: ids.agentOwner,
    filename: '门禁.jpg',
    mime: 'image/jpeg',
    size: 3,
    sha256: sha256('abc'),
    data: Buffer.from('abc'),
    thumbnail: Buffer.from('abc'),
  });
  // A resolved ticket with a survey invitation (public survey routes) and one whose low score opened a recovery case.
  const surveyed = await resolved();
  fx.surveyToken = (await ok<{ token: string }[]>(t.inject('GET', `/api/v1/tickets/${surveyed}/surveys`, tokens.agentOwner!)))[0]!.token;
  fx.recoveryTicket = await resolved();
  const rt = (await ok<{ token: string }[]>(t.inject('GET', `/api/v1/tickets/${fx.recoveryTicket}/surveys`, tokens.agentOwner!)))[0]!.token;
  await ok(t.inject('POST', `/api/v1/public/surveys/${rt}`, undefined, { csat: 1, comment: '很不满意' }));
  fx.recoveryCase = (await ok(t.inject('GET', `/api/v1/tickets/${fx.recoveryTicket}/recovery`, tokens.admin!))).id;
  fx.rule = await newRule();
  [fx.handover, fx.approval, fx.careTask, fx.filter, fx.vocab, fx.wallToken] = await Promise.all([
    newHandover(),
    newApproval(),
    newCareTask(),
    newFilter(),
    newVocab(),
    newWallToken(),
  ]);
  fx.article = await newArticle('published');
  fx.kbCategory = (await ok<{ items: { id: string }[] }>(t.inject('GET', '/api/v1/kb/categories', tokens.admin!))).items[0]!.id;
  fx.standard = (await ok(t.inject('POST', '/api/v1/standards/templates/complaint-same-day/adopt', tokens.admin!), [201])).id;
  fx.improvement = (
    await ok(
      t.inject('POST', `/api/v1/standards/${fx.standard}/improvements`, tokens.admin!, {
        cause: '人手不足',
        change: '增加排班',
        ownerId: ids.supervisor,
        dueDate: '2030-01-01',
      }),
      [201],
    )
  ).id;
  fx.surveyTemplate = (await ok<{ items: { id: string }[] }>(t.inject('GET', '/api/v1/survey-templates', tokens.admin!))).items[0]!.id;
  fx.report = await newReport();
  fx.calendar = (
    await ok(
      t.inject('POST', '/api/v1/calendars', tokens.admin!, { name: '客服中心', timeZone: 'Asia/Shanghai', weekly: { mon: [['09:00', '18:00']] } }),
      [201],
    )
  ).id;
  await ok(t.inject('POST', '/api/v1/notifications/test', tokens.agentOwner!), [201]);
  await setupQuality();
  fx.notification = (await ok<{ items: { id: string }[] }>(t.inject('GET', '/api/v1/notifications', tokens.agentOwner!))).items[0]!.id;
  for (const setup of [setupField, setupChannels, setupEnvironment, setupMystery]) await setup({ t, tokens, ids, fx, ok });
});
afterAll(async () => {
  await t?.close();
});

describe('access declarations cover the OpenAPI document', () => {
  it('every operation has exactly one declaration, and every declaration an operation', () => {
    const ops = operationsOf(t.app.swagger() as never);
    expect(ops.length).toBeGreaterThan(150);
    expect(checkDeclarations(ops, ACCESS_TABLES)).toEqual({ undeclared: [], stale: [], duplicated: [] });
  });

  it('self-check: an operation without a declaration is reported (so the matrix cannot silently skip it)', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const withFake = { paths: { ...doc.paths, '/api/v1/undeclared/{id}': { post: { responses: {} } } } };
    expect(checkDeclarations(operationsOf(withFake), ACCESS_TABLES).undeclared).toEqual(['POST /undeclared/{id}']);
    const withStale = [...ACCESS_TABLES, { 'GET /gone': staffOnly() }];
    expect(checkDeclarations(operationsOf(doc), withStale).stale).toEqual(['GET /gone']);
  });

  it('derives expectations from a declaration (rule, permission, ticket visibility, overrides)', () => {
    const d: RouteAccess = staffOnly('tickets.work', { ticket: 'id', except: { agentTeammate: 403 } });
    expect(expectedFor(d, 'anonymous')).toBe(401);
    expect(expectedFor(d, 'customerA')).toBe(403);
    expect(expectedFor(d, 'trainer')).toBe(403);
    expect(expectedFor(d, 'qa')).toBe(403);
    expect(expectedFor(d, 'agentOther')).toBe(404);
    expect(expectedFor(d, 'agentOwner')).toBe('allow');
    expect(expectedFor(d, 'agentTeammate')).toBe(403);
    expect(expectedFor({ caller: 'any', ticket: 'id' }, 'customerB')).toBe(404);
    expect(satisfies('allow', 400)).toBe(true);
    expect(satisfies('allow', 404)).toBe(false);
    expect(satisfies('allow', 500)).toBe(false);
    expect(satisfies('deny', 404)).toBe(true);
  });
});

// ───────────── hand-picked cells kept from the first matrix (exact statuses and data); they run before the generated
// matrix, whose last cells end every session (logout-all) ─────────────

describe('ticket access (hand-picked cells)', () => {
  const ACTORS: MatrixActor[] = [
    'customerA',
    'customerB',
    'agentOwner',
    'agentTeammate',
    'agentOther',
    'supervisor',
    'technicianB',
    'qa',
    'trainer',
    'anonymous',
  ];
  const cases: {
    name: string;
    expect: Partial<Record<MatrixActor, number>>;
    call: (id: string, token: string | null) => Promise<{ statusCode: number; json: () => any }>;
    prepare?: (id: string) => Promise<void>;
  }[] = [
    {
      name: 'GET /tickets/{id}',
      expect: {
        customerA: 200,
        customerB: 404,
        agentOwner: 200,
        agentTeammate: 200,
        agentOther: 404,
        supervisor: 200,
        technicianB: 404,
        qa: 200,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) => t.inject('GET', `/api/v1/tickets/${id}`, tk ?? undefined),
    },
    {
      name: 'POST /tickets/{id}/replies',
      expect: {
        customerA: 201,
        customerB: 404,
        agentOwner: 201,
        agentTeammate: 201,
        agentOther: 404,
        supervisor: 201,
        technicianB: 404,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/replies`, tk ?? undefined, { body: '您好', visibility: 'public' }),
    },
    {
      name: 'POST /tickets/{id}/resolve',
      expect: {
        customerA: 403,
        customerB: 403,
        agentOwner: 200,
        agentTeammate: 200,
        agentOther: 404,
        supervisor: 200,
        technicianB: 404,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/resolve`, tk ?? undefined, { resolution: '已修复' }),
    },
    {
      name: 'POST /tickets/{id}/assign',
      expect: {
        customerA: 403,
        customerB: 403,
        agentOwner: 403,
        agentTeammate: 403,
        agentOther: 404,
        supervisor: 200,
        technicianB: 404,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/assign`, tk ?? undefined, { ownerId: ids.agentTeammate, reasonKind: 'specialist' }),
    },
    {
      name: 'POST /tickets/{id}/handovers',
      expect: {
        customerA: 403,
        customerB: 403,
        agentOwner: 201,
        agentTeammate: 403,
        agentOther: 404,
        supervisor: 201,
        technicianB: 404,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) =>
        t.inject('POST', `/api/v1/tickets/${id}/handovers`, tk ?? undefined, {
          toStaffId: ids.agentTeammate,
          situation: 's',
          need: 'n',
          done: 'd',
          pending: 'p',
          expectation: 'e',
          cautions: 'c',
        }),
    },
    {
      name: 'POST /tickets/{id}/compensations',
      expect: {
        customerA: 403,
        customerB: 403,
        agentOwner: 201,
        agentTeammate: 201,
        agentOther: 404,
        supervisor: 201,
        technicianB: 404,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/compensations`, tk ?? undefined, { kind: 'coupon', amountFen: 5000, reason: '致歉' }),
    },
    {
      name: 'POST /portal/tickets/{id}/confirm',
      expect: {
        customerA: 200,
        customerB: 404,
        agentOwner: 403,
        agentTeammate: 403,
        agentOther: 403,
        supervisor: 403,
        technicianB: 403,
        qa: 403,
        trainer: 403,
        anonymous: 401,
      },
      prepare: async (id) => {
        await t.inject('POST', `/api/v1/tickets/${id}/resolve`, tokens.agentOwner!, { resolution: '已修复' });
      },
      call: (id, tk) => t.inject('POST', `/api/v1/portal/tickets/${id}/confirm`, tk ?? undefined),
    },
  ];
  for (const c of cases) {
    for (const actor of ACTORS) {
      it(`${c.name} as ${actor} → ${c.expect[actor]}`, async () => {
        const id = await newTicket();
        if (c.prepare) await c.prepare(id);
        const res = await c.call(id, tokens[actor]);
        expect(res.statusCode, JSON.stringify(res.json())).toBe(c.expect[actor]);
        if (res.statusCode >= 400) expect(res.json().code).toBeTruthy();
      });
    }
  }

  it('an unowned care task is completed by its team (or a supervisor), not by another team', async () => {
    const task = async () => {
      const id = uuidv7();
      await t.database.db.insert(careTasks).values({
        id,
        kind: 'care',
        ticketId: fx.ticket!,
        customerId: customerA,
        ownerId: null,
        teamId: teamA,
        seq: 1,
        dueAt: new Date(Date.now() + 86_400_000),
      });
      return id;
    };
    const body = { result: 'reached', outcome: '已回访' };
    expect((await t.inject('POST', `/api/v1/care-tasks/${await task()}/complete`, tokens.agentOther!, body)).statusCode).toBe(403);
    expect((await t.inject('POST', `/api/v1/care-tasks/${await task()}/complete`, tokens.agentTeammate!, body)).statusCode).toBe(200);
    expect((await t.inject('POST', `/api/v1/care-tasks/${await task()}/complete`, tokens.supervisor!, body)).statusCode).toBe(200);
  });

  it('lists: each actor sees exactly what they may', async () => {
    const id = await newTicket();
    const sees = async (actor: MatrixActor) => {
      const res = await t.inject('GET', '/api/v1/tickets?limit=200', tokens[actor] ?? undefined);
      if (res.statusCode !== 200) return res.statusCode;
      return res.json().items.some((i: { id: string }) => i.id === id);
    };
    const want: Partial<Record<MatrixActor, boolean | number>> = {
      customerA: true,
      customerB: false,
      agentOwner: true,
      agentTeammate: true,
      agentOther: false,
      supervisor: true,
      technicianB: false,
      qa: true,
      trainer: 403,
      anonymous: 401,
    };
    for (const actor of ACTORS) expect(await sees(actor), actor).toBe(want[actor]);
    const portal = await t.inject('GET', '/api/v1/portal/tickets', tokens.customerB!);
    expect(portal.json().items.some((i: { id: string }) => i.id === id)).toBe(false);
  });

  it('a customer sees public replies only, and no internal timeline data', async () => {
    const id = await newTicket();
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, tokens.agentOwner!, { body: '内部：客户较难沟通', visibility: 'internal' });
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, tokens.agentOwner!, { body: '师傅明早到', visibility: 'public' });
    const d = (await t.inject('GET', `/api/v1/tickets/${id}`, tokens.customerA!)).json();
    expect(d.replies.map((r: { body: string }) => r.body)).toEqual(['师傅明早到']);
    expect(JSON.stringify(d)).not.toContain('内部');
    expect(d.timeline.every((e: { actorId: unknown }) => e.actorId === null)).toBe(true);
    expect(d.timeline.map((e: { kind: string }) => e.kind)).not.toContain('ticket.internal_note');
  });
});

// ───────────── the SQL scope and the in-memory check are the same rule ─────────────

describe('ticketVisibilityScope and canSeeTicket agree', () => {
  it('for every matrix actor and tickets of both teams, moved, unowned, created by someone else, or being handed over', async () => {
    const handedOver = await newTicket();
    await ok(
      t.inject('POST', `/api/v1/tickets/${handedOver}/handovers`, tokens.agentOwner!, {
        toStaffId: ids.agentOther,
        situation: 's',
        need: 'n',
        done: 'd',
        pending: 'p',
        expectation: 'e',
        cautions: 'c',
      }),
    );
    const teamBTicket = await newTicket();
    await ok(t.inject('POST', `/api/v1/tickets/${teamBTicket}/assign`, tokens.admin!, { ownerId: ids.agentOther, teamId: teamB, reasonKind: 'specialist' }));
    const unowned = await newTicket();
    await ok(t.inject('POST', `/api/v1/tickets/${unowned}/assign`, tokens.admin!, { ownerId: null, teamId: null }));
    const byFrontdesk = await ok(
      t.inject('POST', '/api/v1/tickets', tokens.frontdesk!, {
        customerId: customerA,
        type: 'inquiry',
        channel: 'walk_in',
        subject: '前台登记',
        description: '访客咨询',
      }),
    );
    const ticketIds = [fx.ticket!, handedOver, teamBTicket, unowned, byFrontdesk.id as string];
    const rows = await t.database.db.select().from(staffTable);
    const accounts = await t.database.db.select().from(customerAccounts);
    const actors: Actor[] = [
      ...rows.map((r) => actorFromRow(r, null)),
      ...accounts.map((a) => ({ kind: 'customer' as const, id: a.id, customerId: a.customerId, sessionId: null })),
    ];
    let compared = 0;
    for (const actor of actors) {
      const sqlSees = new Set(
        (
          await t.database.db
            .select({ id: tickets.id })
            .from(tickets)
            .where(and(inArray(tickets.id, ticketIds), ticketVisibilityScope(actor)))
        ).map((r) => r.id),
      );
      for (const id of ticketIds) {
        const row = await loadTicketAccessRow(t.database.db, id);
        expect(canSeeTicket(actor, row!), `${actor.kind} ${actor.id} × ${id}`).toBe(sqlSees.has(id));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(70);
    // The handover receiver (team B) sees the team-A ticket while the handover is pending; their teammate does not.
    const other = actors.find((a) => a.id === ids.agentOther)!;
    expect(canSeeTicket(other, (await loadTicketAccessRow(t.database.db, handedOver))!)).toBe(true);
    expect(canSeeTicket(other, (await loadTicketAccessRow(t.database.db, fx.ticket!))!)).toBe(false);
  });
});

// ───────────── no read leaks a ticket the caller may not see (the one visibility rule, by construction) ─────────────

describe('every read follows ticket visibility', () => {
  it('no GET operation shows a team-A ticket (subject or number) to staff of team B or to another customer', async () => {
    // T2 was team B's (agentOther got the assignment notification and a care task), then moved to team A.
    const t2 = await ok(
      t.inject('POST', '/api/v1/tickets', tokens.agentOwner!, {
        customerId: customerA,
        type: 'complaint',
        channel: 'phone',
        subject: '机密转组投诉XJ',
        description: '转组前属于B组',
      }),
    );
    await ok(t.inject('POST', `/api/v1/tickets/${t2.id}/assign`, tokens.admin!, { ownerId: ids.agentOther, teamId: teamB, reasonKind: 'specialist' }));
    await t.database.db.insert(careTasks).values({
      id: uuidv7(),
      kind: 'care',
      ticketId: t2.id,
      customerId: customerA,
      ownerId: ids.agentOther,
      teamId: teamB,
      seq: 1,
      dueAt: new Date(Date.now() + 3_600_000),
    });
    await ok(t.inject('POST', `/api/v1/tickets/${t2.id}/replies`, tokens.agentOwner!, { body: '已受理', visibility: 'public' }));
    const notes = await ok<{ items: { ticketId: string | null }[] }>(t.inject('GET', '/api/v1/notifications', tokens.agentOther!));
    expect(
      notes.items.some((n) => n.ticketId === t2.id),
      'the leak scenario needs a notification about T2 while it was visible',
    ).toBe(true);
    await ok(t.inject('POST', `/api/v1/tickets/${t2.id}/assign`, tokens.admin!, { ownerId: ids.agentOwner, teamId: teamA, reasonKind: 'customer_request' }));
    const secrets = [t2.number as string, '机密转组投诉XJ'];
    const tNumber = (await ok(t.inject('GET', `/api/v1/tickets/${fx.ticket}`, tokens.admin!))).number as string;
    secrets.push(tNumber);

    const outsiders: MatrixActor[] = ['agentOther', 'frontdesk', 'technicianB', 'customerB'];
    const gets = ACCESS_TABLES.flatMap((tb) => Object.entries(tb)).filter(([k]) => k.startsWith('GET '));
    let checked = 0;
    for (const actor of outsiders) {
      for (const [key, decl] of gets) {
        // A sign-off link's token is the credential: its holder sees the visit's ticket number.
        if (expectedFor(decl, actor) !== 'allow' || key === 'GET /public/visit-signoff/{token}') continue;
        const res = await t.inject('GET', await pathFor(key, false), tokens[actor]!);
        if (res.statusCode !== 200) continue;
        checked++;
        for (const secret of secrets) expect(res.body.includes(secret), `${key} as ${actor} shows ${secret}`).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});

describe('generated access matrix (every operation × every actor)', () => {
  const counts = { operations: 0, cells: 0 };
  // The operations are read from the document at collection time through a throwaway app would double the boot
  // cost; the table keys are the same set (checked above), so the cells are generated from them.
  const all = ACCESS_TABLES.flatMap((tb) => Object.entries(tb));
  const ordered = [...all.filter(([k]) => !ENDS_SESSION.has(k)), ...all.filter(([k]) => ENDS_SESSION.has(k))];
  for (const [key, decl] of ordered) {
    counts.operations++;
    for (const actor of MATRIX_ACTORS) {
      counts.cells++;
      const want = expectedFor(decl, actor);
      const name = `${key} as ${actor}`;
      it(`${name} → ${want}`, async () => {
        const [method] = key.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'];
        // Refused by the declared rule (before the handler): the shared record is enough; otherwise a fresh one.
        const byRule = decl.except?.[actor] === undefined && (want === 401 || want === 403 || want === 404);
        const url = await pathFor(key, !byRule);
        const token = ENDS_SESSION.has(key) ? await freshToken(actor) : tokens[actor];
        const res =
          method === 'GET' || method === 'DELETE'
            ? await t.inject(method, url, token ?? undefined)
            : await t.inject(method, url, token ?? undefined, bodyFor(key));
        const code = res.statusCode >= 400 ? res.json<{ code?: string }>().code : undefined;
        expect(satisfies(want, res.statusCode, code), `${name}: got ${res.statusCode} ${res.body.slice(0, 300)}`).toBe(true);
        if (res.statusCode >= 400) expect(res.headers['content-type']).toContain('application/problem+json');
      });
    }
  }
  it('matrix size', () => {
    expect(counts.operations).toBe(ACCESS_TABLES.reduce((n, tb) => n + Object.keys(tb).length, 0));
    expect(counts.cells).toBe(counts.operations * MATRIX_ACTORS.length);
    console.info(`access matrix: ${counts.operations} operations × ${MATRIX_ACTORS.length} actors = ${counts.cells} cells`);
  });
});
