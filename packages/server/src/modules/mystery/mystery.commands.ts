/**
 * Mystery shopper and open inspection (神秘顾客 / 明查暗访, issue #15 item 7): scenario scripts, a month's plan per
 * site, visits (or calls) recorded against a scorecard with evidence, and the month view. Scoring reuses the
 * scorecard engine (quality/scorecard.ts: 一票否决, N/A, pass mark).
 */
import { eq, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client';
import { qaMysteryVisits } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { fieldRepo } from '../field/field.repo';
import { authorize, can, permissionsOf, requireStaff } from '../identity/policy';
import { qualityRepo } from '../quality/quality.repo';
import { checkScores, scoreOf, type ScorecardItem } from '../quality/scorecard';
import { planMonth } from './mystery.plan';
import { mysteryRepo as repo, type ScriptRow, type ScriptVersionRow, type VisitRow } from './mystery.repo';
import type { PlanCreateInput, ScriptCreateInput, ScriptPatchInput, VisitCreateInput, VisitListInput, VisitSubmitInput } from './mystery.schema';

const validation = (errors: FieldError[]) => new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

/** Today in the organisation's time zone, YYYY-MM-DD. */
export function orgToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: orgTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

// ── scripts ──

async function siteNames(ex: Executor, ids: string[]): Promise<Map<string, string>> {
  const rows = await fieldRepo.sitesByIds(ex, [...new Set(ids)]);
  const parents = new Map((await fieldRepo.sitesByIds(ex, [...new Set(rows.flatMap((r) => (r.parentId ? [r.parentId] : [])))])).map((p) => [p.id, p.name]));
  return new Map(rows.map((r) => [r.id, r.parentId && parents.has(r.parentId) ? `${parents.get(r.parentId)} · ${r.name}` : r.name]));
}

async function presentScripts(ex: Executor, rows: ScriptRow[]) {
  const sites = await siteNames(
    ex,
    rows.flatMap((r) => (r.siteId ? [r.siteId] : [])),
  );
  const cards = new Map((await qualityRepo.listScorecards(ex)).map((c) => [c.id, c.name]));
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    siteId: r.siteId,
    siteName: r.siteId ? (sites.get(r.siteId) ?? null) : null,
    channel: r.channel as 'phone',
    story: r.story,
    steps: r.steps as string[],
    scorecardId: r.scorecardId,
    scorecardName: cards.get(r.scorecardId) ?? null,
    evidence: r.evidence as 'photo'[],
    version: r.version,
    active: r.active,
    updatedAt: r.updatedAt.toISOString(),
  }));
}

export async function listScripts(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.view');
  return { items: await presentScripts(database.db, await repo.listScripts(database.db)) };
}

async function checkScriptRefs(ex: Executor, input: { siteId?: string | null; scorecardId?: string }) {
  if (input.siteId && !(await fieldRepo.siteById(ex, input.siteId))) throw invalid('siteId', 'no such site');
  if (input.scorecardId && !(await qualityRepo.scorecardById(ex, input.scorecardId))) throw invalid('scorecardId', 'no such scorecard');
}

export async function createScript(database: Database, ctx: Ctx, input: ScriptCreateInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    await checkScriptRefs(tx, input);
    const row = await repo.insertScript(tx, {
      id: uuidv7(),
      title: input.title,
      siteId: input.siteId ?? null,
      channel: input.channel,
      story: input.story,
      steps: input.steps,
      scorecardId: input.scorecardId,
      evidence: [...new Set(input.evidence)],
      active: input.active ?? true,
      createdBy: ctx.actor.kind === 'staff' ? ctx.actor.id : null,
    });
    await writeAudit(tx, ctx, {
      action: 'qa.mystery_script_created',
      targetType: 'qa_mystery_script',
      targetId: row.id,
      changes: diff(null, { title: row.title }),
    });
    return (await presentScripts(tx, [row]))[0]!;
  });
}

/** Change a script: a new version; visits keep the version they were planned with. */
export async function patchScript(database: Database, ctx: Ctx, id: string, input: ScriptPatchInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const before = await repo.scriptById(tx, id, true);
    if (!before) throw notFound('Script');
    await checkScriptRefs(tx, input);
    const set = Object.fromEntries(
      Object.entries({ ...input, evidence: input.evidence ? [...new Set(input.evidence)] : undefined }).filter(([, v]) => v !== undefined),
    );
    const after = await repo.updateScript(tx, id, set);
    const fields = ['title', 'siteId', 'channel', 'story', 'steps', 'scorecardId', 'evidence', 'active', 'version'];
    await writeAudit(tx, ctx, { action: 'qa.mystery_script_changed', targetType: 'qa_mystery_script', targetId: id, changes: diff(before, after, fields) });
    return (await presentScripts(tx, [after]))[0]!;
  });
}

// ── plans and visits ──

/** The shoppers: active staff holding qa.inspect (the qa role); 400 naming each one that is not. */
async function checkShoppers(ex: Executor, ids: string[], path: string) {
  const rows = new Map((await repo.staffRows(ex, ids)).map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  ids.forEach((id, i) => {
    const r = rows.get(id);
    if (!r || !r.active || !permissionsOf(r.roles).has('qa.inspect'))
      errors.push({ path: path === 'shopperIds' ? `${path}.${i}` : path, message: 'not an active inspector (qa.inspect)' });
  });
  if (errors.length) throw validation(errors);
}

/** The script of a site and channel: the site's own active script first, else an active script for every site. */
function scriptFor(scripts: ScriptRow[], siteId: string, channel: string): ScriptRow | undefined {
  const active = scripts.filter((s) => s.active && s.channel === channel);
  return active.find((s) => s.siteId === siteId) ?? active.find((s) => s.siteId === null);
}

async function scorecardVersionOf(ex: Executor, scorecardId: string) {
  const card = await qualityRepo.scorecardById(ex, scorecardId);
  if (!card) throw conflict('qa_mystery_no_scorecard', 'The script’s scorecard no longer exists');
  return card.version;
}

/**
 * Plan a month: per site the number of visits, the channel mix and kinds; visits are spread over the month and given to
 * the least-loaded shopper. Planning a site again replaces its visits not yet done (done ones count toward the number).
 */
export async function planMonthCmd(database: Database, ctx: Ctx, input: PlanCreateInput) {
  authorize(ctx.actor, 'qa.manage');
  const me = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    await checkShoppers(tx, input.shopperIds, 'shopperIds');
    const scripts = await repo.listScripts(tx);
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const [i, s] of input.sites.entries()) {
      if (seen.has(s.siteId)) errors.push({ path: `sites.${i}.siteId`, message: 'site given twice' });
      seen.add(s.siteId);
      if (!(await fieldRepo.siteById(tx, s.siteId))) errors.push({ path: `sites.${i}.siteId`, message: 'no such site' });
      else
        s.channels.forEach((c, j) => {
          if (!scriptFor(scripts, s.siteId, c)) errors.push({ path: `sites.${i}.channels.${j}`, message: `no active script for channel ${c} at this site` });
        });
    }
    if (errors.length) throw validation(errors);
    const plans = [];
    for (const s of input.sites) {
      const plan = await repo.upsertPlan(tx, {
        id: uuidv7(),
        month: input.month,
        siteId: s.siteId,
        visits: s.visits,
        channels: s.channels,
        kinds: s.kinds,
        createdBy: me.id,
      });
      const done = await repo.replanned(tx, plan.id);
      plans.push({ plan, site: s, remaining: Math.max(0, s.visits - done) });
    }
    const load = await repo.shopperLoad(tx, input.month);
    const planned = planMonth(
      input.month,
      plans.map((p) => ({ ...p.site, remaining: p.remaining })),
      input.shopperIds,
      load,
    );
    const cards = new Map<string, number>();
    const rows = [];
    for (const v of planned) {
      const script = scriptFor(scripts, v.siteId, v.channel)!;
      if (!cards.has(script.scorecardId)) cards.set(script.scorecardId, await scorecardVersionOf(tx, script.scorecardId));
      rows.push({
        id: uuidv7(),
        planId: plans.find((p) => p.plan.siteId === v.siteId)!.plan.id,
        scriptId: script.id,
        scriptVersion: script.version,
        scorecardId: script.scorecardId,
        scorecardVersion: cards.get(script.scorecardId)!,
        kind: v.kind,
        siteId: v.siteId,
        channel: v.channel,
        shopperId: v.shopperId,
        month: input.month,
        plannedOn: v.plannedOn,
        createdBy: me.id,
      });
    }
    await repo.insertVisits(tx, rows);
    await writeAudit(tx, ctx, {
      action: 'qa.mystery_planned',
      targetType: 'qa_mystery_plan',
      targetId: null,
      changes: { plan: { before: null, after: { month: input.month, sites: input.sites.length, visits: rows.length } } },
    });
    return { month: input.month, planned: rows.length };
  });
}

/** One visit outside a plan (an ad-hoc unannounced or remote inspection). */
export async function createVisit(database: Database, ctx: Ctx, input: VisitCreateInput) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  const id = uuidv7();
  await database.transaction(async (tx) => {
    const script = await repo.scriptById(tx, input.scriptId);
    if (!script || !script.active) throw invalid('scriptId', 'no such active script');
    if (!(await fieldRepo.siteById(tx, input.siteId))) throw invalid('siteId', 'no such site');
    if (script.siteId && script.siteId !== input.siteId) throw invalid('siteId', 'the script is for another site');
    await checkShoppers(tx, [input.shopperId], 'shopperId');
    await repo.insertVisits(tx, [
      {
        id,
        scriptId: script.id,
        scriptVersion: script.version,
        scorecardId: script.scorecardId,
        scorecardVersion: await scorecardVersionOf(tx, script.scorecardId),
        kind: input.kind,
        siteId: input.siteId,
        channel: script.channel,
        shopperId: input.shopperId,
        month: input.plannedOn.slice(0, 7),
        plannedOn: input.plannedOn,
        createdBy: me.id,
      },
    ]);
    await writeAudit(tx, ctx, { action: 'qa.mystery_visit_created', targetType: 'qa_mystery_visit', targetId: id, changes: diff(null, { kind: input.kind }) });
  });
  return getVisit(database, ctx, id);
}

type Named = { id: string; name: string; employeeNo: string };
interface Lookups {
  sites: Map<string, string>;
  people: Map<string, Named>;
  scripts: Map<string, ScriptVersionRow>;
  cards: Map<string, { name: string; passMark: number; items: ScorecardItem[] }>;
}

async function lookups(ex: Executor, rows: VisitRow[]): Promise<Lookups> {
  const cards = new Map<string, { name: string; passMark: number; items: ScorecardItem[] }>();
  for (const r of rows) {
    const k = `${r.scorecardId}:${r.scorecardVersion}`;
    if (cards.has(k)) continue;
    const v = await qualityRepo.scorecardVersion(ex, r.scorecardId, r.scorecardVersion);
    if (v) cards.set(k, { name: v.name, passMark: v.passMark, items: v.items as ScorecardItem[] });
  }
  const people = await repo.staffRows(ex, [...new Set(rows.flatMap((r) => [r.shopperId, ...r.servedIds]))]);
  return {
    sites: await siteNames(
      ex,
      rows.map((r) => r.siteId),
    ),
    people: new Map(people.map((p) => [p.id, { id: p.id, name: p.name, employeeNo: p.employeeNo }])),
    scripts: await repo.scriptVersions(
      ex,
      rows.map((r) => ({ id: r.scriptId, version: r.scriptVersion })),
    ),
    cards,
  };
}

function presentVisit(ctx: Ctx, r: VisitRow, l: Lookups, today: string) {
  const script = l.scripts.get(`${r.scriptId}:${r.scriptVersion}`);
  const card = l.cards.get(`${r.scorecardId}:${r.scorecardVersion}`);
  const me = ctx.actor.kind === 'staff' ? ctx.actor.id : null;
  // The shopper stays anonymous to the staff served (and to anyone without qa.view).
  const showShopper = can(ctx.actor, 'qa.view') || r.shopperId === me;
  const steps = (script?.steps as string[] | undefined) ?? [];
  const ticked = r.steps as boolean[];
  return {
    id: r.id,
    kind: r.kind as 'mystery',
    state: r.state as 'planned',
    month: r.month,
    plannedOn: r.plannedOn,
    overdue: r.state === 'planned' && r.plannedOn < today,
    site: { id: r.siteId, name: l.sites.get(r.siteId) ?? '' },
    channel: r.channel as 'phone',
    shopper: showShopper ? (l.people.get(r.shopperId) ?? null) : null,
    script: {
      id: r.scriptId,
      version: r.scriptVersion,
      title: script?.title ?? '',
      story: script?.story ?? '',
      steps,
      evidence: (script?.evidence ?? []) as 'photo'[],
    },
    scorecard: {
      id: r.scorecardId,
      version: r.scorecardVersion,
      name: card?.name ?? '',
      passMark: card?.passMark ?? 0,
      items: (card?.items ?? []) as unknown as Record<string, unknown>[],
    },
    visitedAt: r.visitedAt?.toISOString() ?? null,
    submittedAt: r.submittedAt?.toISOString() ?? null,
    steps: r.state === 'submitted' ? steps.map((step, i) => ({ step, done: ticked[i] === true })) : [],
    scores: r.scores as { item: string; score: number | null; note?: string }[],
    evidence: r.evidence as { attachmentId: string; filename: string; mime: string; size: number }[],
    served: r.servedIds.flatMap((id) => (l.people.has(id) ? [l.people.get(id)!] : [])),
    note: r.note,
    score: r.score,
    passed: r.passed,
    allowed: { submit: r.state === 'planned' && r.shopperId === me && can(ctx.actor, 'qa.inspect') },
  };
}

export async function getVisit(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.own');
  const row = await repo.visitById(database.db, id, ctx.actor);
  if (!row) throw notFound('Visit');
  return presentVisit(ctx, row, await lookups(database.db, [row]), orgToday());
}

export async function listVisits(database: Database, ctx: Ctx, q: VisitListInput) {
  authorize(ctx.actor, 'qa.own');
  const where: SQL[] = [];
  if (q.month) where.push(eq(qaMysteryVisits.month, q.month));
  if (q.siteId) where.push(eq(qaMysteryVisits.siteId, q.siteId));
  if (q.state) where.push(eq(qaMysteryVisits.state, q.state));
  if (q.mine === 'true') where.push(eq(qaMysteryVisits.shopperId, requireStaff(ctx.actor).id));
  const rows = await repo.listVisits(database.db, ctx.actor, where);
  const l = await lookups(database.db, rows);
  const today = orgToday();
  return { items: rows.map((r) => presentVisit(ctx, r, l, today)) };
}

/** Evidence: photos, screenshots (images) and audio uploaded by the shopper, not bound to a ticket. */
async function checkEvidence(ex: Executor, me: string, ids: string[], wanted: string[]) {
  const rows = new Map((await repo.attachmentsByIds(ex, ids)).map((a) => [a.id, a]));
  const errors: FieldError[] = [];
  const out: { attachmentId: string; filename: string; mime: string; size: number }[] = [];
  ids.forEach((id, i) => {
    const a = rows.get(id);
    if (!a || a.uploadedById !== me || a.ticketId || a.replyId) errors.push({ path: `evidence.${i}`, message: 'no such upload of yours' });
    else if (!/^(image|audio|video)\//.test(a.mime)) errors.push({ path: `evidence.${i}`, message: 'evidence is a photo, a screenshot or a recording' });
    else out.push({ attachmentId: a.id, filename: a.filename, mime: a.mime, size: a.size });
  });
  if (errors.length) throw validation(errors);
  const images = out.filter((e) => e.mime.startsWith('image/')).length;
  const audio = out.filter((e) => e.mime.startsWith('audio/') || e.mime.startsWith('video/')).length;
  if ((wanted.includes('photo') || wanted.includes('screenshot')) && images === 0)
    errors.push({ path: 'evidence', message: 'the script asks for a photo or screenshot' });
  if (wanted.includes('audio') && audio === 0) errors.push({ path: 'evidence', message: 'the script asks for a recording' });
  if (errors.length) throw validation(errors);
  return out;
}

/** Record a visit: the shopper ticks the steps, scores the scorecard item by item and attaches the evidence. */
export async function submitVisit(database: Database, ctx: Ctx, id: string, input: VisitSubmitInput) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  await database.transaction(async (tx) => {
    const row = await repo.visitById(tx, id, ctx.actor, true);
    if (!row) throw notFound('Visit');
    if (row.shopperId !== me.id) throw new AppError('forbidden', 'Only the visit’s shopper records it');
    if (row.state !== 'planned') throw conflict('qa_mystery_submitted', 'The visit is already recorded');
    const l = await lookups(tx, [row]);
    const script = l.scripts.get(`${row.scriptId}:${row.scriptVersion}`)!;
    const card = l.cards.get(`${row.scorecardId}:${row.scorecardVersion}`);
    if (!card) throw conflict('qa_mystery_no_scorecard', 'The scorecard version is missing');
    const steps = script.steps as string[];
    if (input.steps.length !== steps.length) throw invalid('steps', `expected ${steps.length} steps`);
    const problems = checkScores(card.items, input.scores);
    if (problems.length) throw validation(problems);
    const visitedAt = new Date(input.visitedAt);
    if (visitedAt.getTime() > Date.now() + 5 * 60_000) throw invalid('visitedAt', 'lies in the future');
    const evidence = await checkEvidence(tx, me.id, input.evidence, script.evidence);
    const served = [...new Set(input.servedIds)];
    const people = new Map((await repo.staffRows(tx, served)).map((p) => [p.id, p]));
    const bad: FieldError[] = served.flatMap((s, i) =>
      !people.get(s)?.active
        ? [{ path: `servedIds.${i}`, message: 'no such staff member' }]
        : s === me.id
          ? [{ path: `servedIds.${i}`, message: 'the shopper cannot be served staff' }]
          : [],
    );
    if (bad.length) throw validation(bad);
    const { score, passed } = scoreOf(card.items, input.scores, card.passMark);
    await repo.submitVisit(tx, id, {
      state: 'submitted',
      visitedAt,
      steps: input.steps,
      scores: input.scores,
      evidence,
      servedIds: served,
      note: input.note ?? null,
      score,
      passed,
      submittedAt: new Date(),
    });
    await writeAudit(tx, ctx, {
      action: 'qa.mystery_visit_submitted',
      targetType: 'qa_mystery_visit',
      targetId: id,
      changes: { score: { before: null, after: score }, served: { before: null, after: served.length } },
    });
  });
  return getVisit(database, ctx, id);
}

/** An evidence file of a visit the actor sees (nosniff download by the route). */
export async function visitEvidence(database: Database, ctx: Ctx, id: string, attachmentId: string) {
  authorize(ctx.actor, 'qa.own');
  const row = await repo.visitById(database.db, id, ctx.actor);
  if (!row || !(row.evidence as { attachmentId: string }[]).some((e) => e.attachmentId === attachmentId)) throw notFound('Evidence');
  const a = await repo.attachmentData(database.db, attachmentId);
  if (!a) throw notFound('Evidence');
  return a;
}

const avg = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);

/** The month view: planned vs done per site, overdue visits, average score per site and channel (visible visits only). */
export async function monthView(database: Database, ctx: Ctx, month: string) {
  authorize(ctx.actor, 'qa.view');
  const rows = await repo.listVisits(database.db, ctx.actor, [eq(qaMysteryVisits.month, month)]);
  const today = orgToday();
  const names = await siteNames(
    database.db,
    rows.map((r) => r.siteId),
  );
  const bySite = new Map<string, VisitRow[]>();
  for (const r of rows) bySite.set(r.siteId, [...(bySite.get(r.siteId) ?? []), r]);
  const scored = (xs: VisitRow[]) => xs.filter((r) => r.state === 'submitted' && r.score !== null);
  const overdue = (xs: VisitRow[]) => xs.filter((r) => r.state === 'planned' && r.plannedOn < today).length;
  const sites = [...bySite].map(([siteId, xs]) => {
    const done = scored(xs);
    return {
      siteId,
      siteName: names.get(siteId) ?? '',
      planned: xs.length,
      done: xs.filter((r) => r.state === 'submitted').length,
      overdue: overdue(xs),
      average: avg(done.map((r) => r.score!)),
      passRate: done.length ? Math.round((done.filter((r) => r.passed).length / done.length) * 1000) / 10 : null,
    };
  });
  sites.sort((a, b) => a.siteName.localeCompare(b.siteName, 'zh-CN'));
  const channels = (['phone', 'walk_in', 'chat', 'field'] as const).flatMap((c) => {
    const done = scored(rows.filter((r) => r.channel === c));
    return done.length ? [{ channel: c, done: done.length, average: avg(done.map((r) => r.score!)) }] : [];
  });
  // The plan itself (how many unannounced visits a site gets) is shown to those who see every visit only.
  const plans = can(ctx.actor, 'qa.view_all') ? await repo.plansOf(database.db, month) : [];
  return {
    month,
    totals: {
      planned: rows.length,
      done: rows.filter((r) => r.state === 'submitted').length,
      overdue: overdue(rows),
      average: avg(scored(rows).map((r) => r.score!)),
    },
    sites,
    channels,
    plans: plans.map((p) => ({ siteId: p.siteId, visits: p.visits, channels: p.channels as 'phone'[], kinds: p.kinds as 'mystery'[] })),
  };
}
