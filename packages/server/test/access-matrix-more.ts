/**
 * Fixtures of the access matrix for field service (issue #16: a site, an asset, visits of technicianA on T) and the
 * channel routes (issue #14: an email channel and a dead letter on T).
 */
import { eq } from 'drizzle-orm';
import { channelInbound, channelMessages, channelOutbox, fieldMaintenanceProposals, staff, tickets } from '../src/db/schema';
import type { MatrixActor } from '../src/http/access';
import { uuidv7 } from '../src/lib/ids';
import type { TestApp } from './harness';
import { ticketRow } from './standards-helpers';
import { webchatParam } from './access-matrix-webchat';

type Res = { statusCode: number; json: () => any; body: string };
interface Env {
  t: TestApp;
  tokens: Record<MatrixActor, string | null>;
  ids: Record<MatrixActor, string>;
  fx: Record<string, string>;
  ok: <T = any>(p: Promise<Res>, want?: number[]) => Promise<T>;
}

export async function setupChannels({ t, tokens, ids, fx, ok }: Env): Promise<void> {
  fx.channel = (
    await ok(
      t.inject('POST', '/api/v1/channels', tokens.admin!, {
        kind: 'email',
        name: '客服邮箱',
        config: { address: 'kefu@example.com', smtp: { host: 'smtp.example.com', port: 465, secure: true } },
      }),
      [201],
    )
  ).id;
  // A dead letter on the agent's ticket (only channel administrators may send it again).
  fx.outbox = uuidv7();
  await t.database.db.insert(channelOutbox).values({
    id: fx.outbox,
    channelId: fx.channel!,
    kind: 'reply',
    recipient: 'customer@example.com',
    payload: {},
    ticketId: fx.ticket!,
    status: 'dead',
  });
  // GET /customers/{id}/messages answers 404 to a caller who may see none of the customer's tickets. Customer A also
  // gets a walk-in ticket of team B here, so every staff reader of the matrix sees one whatever the order of the cells.
  const [a] = await t.database.db.select({ customerId: tickets.customerId }).from(tickets).where(eq(tickets.id, fx.ticket!));
  const walkIn = await ok(
    t.inject('POST', '/api/v1/tickets', tokens.frontdesk!, {
      customerId: a!.customerId,
      type: 'inquiry',
      channel: 'walk_in',
      subject: '前台登记',
      description: '访客咨询',
    }),
    [201],
  );
  const [teamB] = await t.database.db.select({ teamId: staff.teamId }).from(staff).where(eq(staff.id, ids.agentOther));
  await t.database.db
    .update(tickets)
    .set({ teamId: teamB!.teamId })
    .where(eq(tickets.id, walkIn.id as string));
}

/** A dead inbound message of the fixture channel (a fresh one per admitted write: retry and discard change it). */
export async function newDeadInbound({ t, fx }: Env): Promise<string> {
  const id = uuidv7();
  await t.database.db.insert(channelInbound).values({
    id,
    channelId: fx.channel!,
    externalId: `msg:matrix-${id}`,
    sender: 'oMatrixSender0001',
    payload: {},
    status: 'dead',
    attempts: 10,
    lastError: 'Error: matrix',
    deadAt: new Date(),
  });
  return id;
}

/** A mail from an unknown sender waiting in the review queue of the fixture channel (a fresh one per admitted write). */
export async function newReviewItem({ t, fx }: Env): Promise<string> {
  const id = uuidv7();
  const raw = Buffer.from(`From: someone@example.org\r\nTo: kefu@example.com\r\nSubject: hello\r\nMessage-ID: <${id}@example.org>\r\n\r\n您好\r\n`);
  await t.database.db.insert(channelMessages).values({
    id,
    channelId: fx.channel!,
    direction: 'in',
    externalId: `<${id}@example.org>`,
    outcome: 'review',
    reviewReason: 'unknown_sender',
    sender: 'someone@example.org',
    subject: 'hello',
    raw,
  });
  return id;
}

/** A visit of technicianA at the fixture site (field service), in a window of its own. */
let visitHour = 0;
export async function newVisit({ t, tokens, ids, fx, ok }: Env): Promise<string> {
  const start = new Date(Date.UTC(2032, 0, 1) + ++visitHour * 3_600_000);
  const end = new Date(start.getTime() + 3_600_000);
  return (
    await ok(
      t.inject('POST', `/api/v1/tickets/${fx.ticket}/visits`, tokens.admin!, {
        siteId: fx.site,
        technicianId: ids.technicianA,
        start: start.toISOString(),
        end: end.toISOString(),
      }),
      [201],
    )
  ).id;
}

export async function setupField(env: Env): Promise<void> {
  const { t, tokens, fx, ok } = env;
  fx.site = (await ok(t.inject('POST', '/api/v1/sites', tokens.admin!, { name: '幸福里小区' }), [201])).id;
  fx.asset = (await ok(t.inject('POST', '/api/v1/assets', tokens.admin!, { siteId: fx.site, name: '电梯' }), [201])).id;
  fx.visit = await newVisit(env);
  // Visit work (photos, quote, sign-off): a visit signed off (its service report) and a completed one with a sign-off link.
  const code = (await ok(t.inject('GET', `/api/v1/sites/${fx.site}/qr`, tokens.admin!), [200])).code as string;
  const completed = async () => {
    const v = await newVisit(env);
    const tech = tokens.technicianA!;
    await ok(t.inject('POST', `/api/v1/visits/${v}/arrive`, tech, { code }), [200]);
    await ok(t.inject('POST', `/api/v1/visits/${v}/start`, tech), [200]);
    const steps = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'];
    await ok(t.inject('PUT', `/api/v1/visits/${v}/checklist`, tech, { steps }), [200]);
    await ok(t.inject('POST', `/api/v1/visits/${v}/complete`, tech, {}), [200]);
    return v;
  };
  fx.signedVisit = await completed();
  await ok(t.inject('POST', `/api/v1/visits/${fx.signedVisit}/signoff`, tokens.technicianA!, { signature: MATRIX_SIGNATURE, rating: 5 }), [201]);
  fx.signoffToken = (await ok(t.inject('POST', `/api/v1/visits/${await completed()}/signoff-link`, tokens.technicianA!), [201])).token as string;
  fx.maintenancePlan = (
    await ok(t.inject('POST', '/api/v1/field/maintenance/plans', tokens.admin!, { assetId: fx.asset, everyMonths: 6, startDate: '2032-01-01' }), [201])
  ).id;
  fx.maintenanceProposal = await newMaintenanceProposal(env);
}

/** An open recurring-fault proposal of a fresh site (at most one open per subject). */
export async function newMaintenanceProposal({ t, tokens, fx, ok }: Env): Promise<string> {
  const site = (await ok(t.inject('POST', '/api/v1/sites', tokens.admin!, { name: '反复报修房号' }), [201])).id as string;
  const id = uuidv7();
  await t.database.db.insert(fieldMaintenanceProposals).values({ id, subjectKind: 'site', subjectId: site, ticketIds: [fx.ticket!], state: 'open' });
  return id;
}

/** Valid bodies of the visit-work, parts and coaching routes, so the technician check (404 for anyone else) is what answers. */
export const FIELD_WORK_BODIES: Record<string, unknown> = {
  'POST /visits/{id}/quote': { items: [{ description: '上门费', amountFen: 3000 }] },
  'POST /visits/{id}/signoff': { signature: 'data:image/png;base64,AAAA', rating: 5 },
  'POST /public/visit-signoff/{token}': { rating: 5 },
  'POST /visits/{id}/parts': { partId: '019aa000-0000-7000-8000-000000000002', qty: 1 },
  // The visit reminder rule, kept at its defaults (the matrix changes nothing the other cells read).
  'PUT /field/reminder-settings': { eveningHour: 18, leadHours: 2 },
  // A DingTalk userid for a staff member (channels.manage); the matrix maps the victim account.
  'PUT /channels/dingtalk/staff/{staffId}': { userid: 'matrix01' },
  'POST /qa/coaching/{id}/complete': { note: '一对一复听录音并演练开场白' },
  'POST /qa/appeals/{id}/rule': { decision: 'upheld', reason: '评分依据充分，维持原分' },
  // Calibration: a ticket outside the session, so past the who-may check the answer is a 400 naming ticketId.
  'POST /qa/calibrations/{id}/scores': { ticketId: '019aa000-0000-7000-8000-000000000003', scores: [] },
  'PUT /qa/calibrations/{id}/reference': { ticketId: '019aa000-0000-7000-8000-000000000003', scores: [] },
  // Peer review: a team nobody has (400 naming teamId past the who-may check); the fixture round's one item.
  'POST /qa/peer-rounds': {
    name: '互评',
    teamId: '019aa000-0000-7000-8000-000000000004',
    perAgent: 1,
    from: '2030-01-01T00:00:00+08:00',
    to: '2030-02-01T00:00:00+08:00',
    items: [{ key: 'attitude', label: '服务态度' }],
  },
  'POST /qa/peer-reviews/{id}': { scores: [{ item: 'attitude', score: 4 }] },
};

/** A peer review round of team A (agentOwner and agentTeammate review each other's tickets of today), started by the admin. */
export async function newPeerRound({ t, tokens, ids, fx, ok }: Env): Promise<{ id: string; reviews: { id: string; reviewer: { id: string } }[] }> {
  const [me] = await t.database.db.select({ teamId: staff.teamId }).from(staff).where(eq(staff.id, ids.agentOwner));
  fx.teammateTicket ??= (await ticketRow(t.database, { ownerId: ids.agentTeammate, type: 'inquiry', status: 'resolved' })).id;
  const day = 86_400_000;
  const body = {
    name: '矩阵互评',
    teamId: me!.teamId,
    perAgent: 1,
    from: new Date(Date.now() - day).toISOString(),
    to: new Date(Date.now() + day).toISOString(),
    items: [{ key: 'attitude', label: '服务态度' }],
  };
  return ok(t.inject('POST', '/api/v1/qa/peer-rounds', tokens.admin!, body), [201]);
}
/** agentTeammate's review (of one of agentOwner's tickets) in a fresh round. */
async function newPeerReview(env: Env): Promise<string> {
  const round = await newPeerRound(env);
  return round.reviews.find((r) => r.reviewer.id === env.ids.agentTeammate)!.id;
}

/** An open calibration session on T scored by the qa account and the supervisor (started by the admin). */
export async function newCalibration({ t, tokens, ids, fx, ok }: Env): Promise<string> {
  const body = {
    name: '矩阵校准',
    scorecardId: fx.scorecard,
    ticketIds: [fx.ticket],
    inspectorIds: [ids.qa, ids.supervisor],
    dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  };
  return (await ok(t.inject('POST', '/api/v1/qa/calibrations', tokens.admin!, body), [201])).id as string;
}

/** A 1×1 PNG: the smallest signature the sign-off accepts. */
const MATRIX_SIGNATURE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** The path parameter of a field, channel or quality route (null: not one of them). */
export async function moreParam(
  path: string,
  write: boolean,
  env: Env,
  q: {
    newInspection: (submitted: boolean) => Promise<string>;
    newAppeal: () => Promise<string>;
    newProposal: () => Promise<string>;
    newCoaching: () => Promise<string>;
  },
  name?: string,
): Promise<string | null> {
  const { fx } = env;
  // A dead inbound message of the fixture channel (GET /channels/{id}/inbound lists them; retry / discard change one).
  if (name === 'messageId' && path.startsWith('/channels/{id}/inbound/')) return newDeadInbound(env);
  // A WeChat callback without a signature (here for a channel id nobody configured) is refused alike: 403.
  if (path.startsWith('/public/channels/wechat/{id}')) return '0190f0a0-0000-7000-8000-0000000000aa';
  // A 微信客服 callback without msg_signature (for a channel id nobody configured): 403.
  if (path.startsWith('/public/channels/wecom/{id}')) return '0190f0a0-0000-7000-8000-0000000000ac';
  // An SMS receipt without the channel's token (for a channel id nobody configured): 403.
  if (path.startsWith('/public/channels/sms/{id}')) return '0190f0a0-0000-7000-8000-0000000000ab';
  // A DingTalk callback without a valid sign (for a channel id nobody configured): 403.
  if (path.startsWith('/public/channels/dingtalk/{id}')) return '0190f0a0-0000-7000-8000-0000000000ac';
  if (path.startsWith('/channels/dingtalk/staff/{staffId}')) return env.ids.agentOther;
  if (path.startsWith('/channels/outbox/{id}')) return fx.outbox!;
  if (path.startsWith('/channels/review/{id}')) return write ? newReviewItem(env) : (fx.review ??= await newReviewItem(env));
  if (path.startsWith('/channels/{id}')) return fx.channel!;
  const webchat = await webchatParam(path, env);
  if (webchat) return webchat;
  if (path.startsWith('/sites/{id}')) return fx.site!;
  if (path.startsWith('/assets/{id}')) return fx.asset!;
  if (path.endsWith('/report.pdf')) return fx.signedVisit!;
  if (path.startsWith('/visits/{id}')) return write ? newVisit(env) : fx.visit!;
  if (path.startsWith('/public/visit-signoff/{token}')) return fx.signoffToken!;
  if (path.startsWith('/field/maintenance/proposals/{id}')) return write ? newMaintenanceProposal(env) : fx.maintenanceProposal!;
  if (path.startsWith('/field/maintenance/plans/{id}')) return fx.maintenancePlan!;
  if (path.startsWith('/qa/scorecard-templates/{key}')) return 'phone';
  if (path.startsWith('/qa/scorecards/{id}')) return fx.scorecard!;
  if (path.startsWith('/qa/inspections/{id}')) return write ? q.newInspection(!path.endsWith('/submit')) : fx.inspection!;
  if (path.startsWith('/qa/appeals/{id}')) return write ? q.newAppeal() : fx.appeal!;
  if (path.startsWith('/qa/sampling-plans/{id}')) return fx.samplingPlan!;
  if (path.startsWith('/qa/peer-rounds/{id}')) return (await newPeerRound(env)).id;
  if (path.startsWith('/qa/peer-reviews/{id}')) return newPeerReview(env);
  if (path.startsWith('/qa/calibrations/{id}')) return write ? newCalibration(env) : (fx.calibration ??= await newCalibration(env));
  if (path.startsWith('/qa/coaching/{id}')) return write ? q.newCoaching() : fx.coaching!;
  if (path.startsWith('/proposals/{id}')) return write ? q.newProposal() : fx.proposal!;
  return null;
}
