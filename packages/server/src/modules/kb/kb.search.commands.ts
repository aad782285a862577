/** Knowledge at work: search, suggestions and scripts in the ticket, usage marks, and the knowledge measures. */
import { SCRIPT_FLOOR, SUGGESTION_FLOOR, aboveFloor, type RelevanceFloor } from '@chidu/core/search/index';
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { authorize, requireStaff } from '../identity/policy';
import { readStandards } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { presentHit, type SearchHitRow } from './kb.present';
import { kbRepo } from './kb.repo';
import type { KbKind, KbStatus } from './kb.schema';
import { cachedCategories, searchIndex } from './kb.shared';
import { pathOf, subtreeOf } from './kb.tree';
import { addressOf, formatDate, formatLocal, renderScript, type Placeholder } from './placeholders';
import { htmlToText } from './sanitize';
import { SEARCHABLE, type SearchFilter } from './search-service';

export async function searchItems(database: Database, ctx: Ctx, q: { q: string; limit: number; kind?: KbKind | undefined; categoryId?: string | undefined }) {
  if (ctx.actor.kind === 'staff') authorize(ctx.actor, 'kb.view');
  else if (ctx.actor.kind !== 'customer') throw new AppError('forbidden');
  const s = await searchIndex(database);
  const cats = await cachedCategories(database);
  const filter: SearchFilter = { customer: ctx.actor.kind === 'customer' };
  if (q.kind) filter.kinds = [q.kind];
  if (q.categoryId) filter.categoryIds = subtreeOf(cats, q.categoryId);
  const hits = s.search(q.q, { limit: q.limit, filter });
  return { hits: hits.map((h) => presentHit(h, cats)) };
}

// ───────────────────────────── in the ticket ─────────────────────────────

async function ticketFor(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  authorize(ctx.actor, 'kb.view');
  const t = await ticketsRepo.visibleById(database.db, ctx.actor, ticketId);
  if (!t) throw notFound('Ticket');
  return t;
}

/** The text a ticket is searched with: subject, description and the latest customer messages. */
export async function ticketQuery(ex: Executor, t: { id: string; subject: string; description: string }): Promise<string> {
  const msgs = await kbRepo.latestCustomerMessages(ex, t.id, 3);
  return [t.subject, t.description, ...msgs.reverse()].filter(Boolean).join('\n').slice(0, 2000);
}

/**
 * Suggestions for a ticket: articles/procedures/FAQ/cases and, separately, scripts, for the ticket text. The ticket's
 * category is a tie-breaker: items filed under a KB category (or tagged) with the same name get a 20% boost.
 */
export async function suggestions(database: Database, ctx: Ctx, ticketId: string, limit = 5) {
  const t = await ticketFor(database, ctx, ticketId);
  const s = await searchIndex(database);
  const cats = await cachedCategories(database);
  const query = await ticketQuery(database.db, t);
  const ticketCategory = t.categoryId ? await kbRepo.ticketCategoryName(database, t.categoryId) : null;
  const boost = (h: SearchHitRow) => {
    if (!ticketCategory) return h.score;
    const inCat = pathOf(cats, h.meta.categoryId).some((c) => c.name === ticketCategory);
    return inCat ? h.score * 1.2 : h.score;
  };
  // the relevance floor (core search/relevance.ts): nothing rather than noise
  const rank = (hits: SearchHitRow[], floor: RelevanceFloor) =>
    aboveFloor(
      hits.map((h) => ({ h, score: boost(h), coverage: h.coverage })),
      floor,
    ).sort((a, b) => b.score - a.score);
  const items = rank(s.search(query, { limit: limit * 3, filter: { excludeKinds: ['script'] } }), SUGGESTION_FLOOR).slice(0, limit);
  // A script answers the ticket's topic (its subject), not its whole text: its coverage is measured on the subject.
  const onSubject = new Map(s.search(t.subject, { limit: 20, filter: { kinds: ['script'] } }).map((h) => [h.id, h.coverage]));
  const scriptHits = s.search(query, { limit: 9, filter: { kinds: ['script'] } }).map((h) => ({ ...h, coverage: onSubject.get(h.id) ?? 0 }));
  const scripts = rank(scriptHits, SCRIPT_FLOOR).slice(0, 3);
  const usage = await kbRepo.usageOfTicket(database.db, ticketId);
  const mark = (id: string) => ({
    used: usage.some((u) => u.itemId === id && u.kind === 'used'),
    notHelpful: usage.some((u) => u.itemId === id && u.kind === 'not_helpful'),
  });
  const scriptBodies = await kbRepo.bodies(
    database.db,
    scripts.map((x) => x.h.id),
  );
  return {
    query,
    ticketCategory,
    items: items.map(({ h, score }) => ({ ...presentHit(h, cats), score: Math.round(score * 10_000) / 10_000, ...mark(h.id) })),
    scripts: scripts.map(({ h, score }) => ({
      ...presentHit(h, cats),
      score: Math.round(score * 10_000) / 10_000,
      body: scriptBodies.get(h.id) ?? '',
      ...mark(h.id),
    })),
  };
}

/**
 * Fill a script's placeholders from the ticket, its customer and the acting agent. The placeholder names
 * ({客户称呼}, {预计时间}…) and the filled values are content: the scripts are Chinese text an admin writes and an agent
 * sends to customers, so they stay in the content's language whatever the agent's interface language.
 */
export async function renderForTicket(database: Database, ctx: Ctx, ticketId: string, itemId: string) {
  const t = await ticketFor(database, ctx, ticketId);
  const actor = requireStaff(ctx.actor);
  const item = await kbRepo.itemById(database.db, itemId);
  if (!item || !SEARCHABLE.includes(item.status as KbStatus)) throw notFound('Knowledge item');
  const custName = await kbRepo.customerName(database.db, t.customerId);
  const owner = t.ownerId ? await kbRepo.staffNameAndRoles(database.db, t.ownerId) : undefined;
  const standards = await readStandards(database.db, t.id);
  const due = standards
    .filter((x) => x.state === 'running' && x.dueAt)
    .map((x) => new Date(x.dueAt as unknown as string))
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const org = (await kbRepo.demoOrgName(database))?.replace(/（演示）$/, '') ?? null;
  const team = t.teamId ? ((await kbRepo.teamName(database.db, t.teamId)) ?? null) : null;
  const now = new Date();
  const text = item.kind === 'script' ? item.body : htmlToText(item.body);
  const values = {
    客户称呼: addressOf(custName),
    客户姓名: custName ?? null,
    工单号: t.number,
    工单标题: t.subject,
    预计时间: due ? formatLocal(due) : null,
    技师姓名: owner && owner.roles.includes('technician') ? owner.name : null,
    客服姓名: actor.name,
    坐席: actor.name,
    客服工号: actor.employeeNo,
    工号: actor.employeeNo,
    服务地址: t.site,
    小区: t.site,
    地址: t.site,
    团队: team,
    当前时间: formatLocal(now),
    当前日期: formatDate(now),
    公司名称: org,
  } satisfies Record<Placeholder, string | null>;
  return { itemId, ...renderScript(text, values) };
}

export async function recordUsage(database: Database, ctx: Ctx, ticketId: string, input: { itemId: string; kind: 'used' | 'not_helpful' }) {
  const t = await ticketFor(database, ctx, ticketId);
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const item = await kbRepo.itemById(tx, input.itemId);
    if (!item || !SEARCHABLE.includes(item.status as KbStatus)) throw invalid('itemId', 'no such published knowledge item');
    const { created, row } = await kbRepo.recordUsage(tx, { ticketId: t.id, itemId: item.id, kind: input.kind, staffId: actor.id });
    if (created)
      await writeAudit(tx, ctx, {
        action: `kb.usage.${input.kind}`,
        targetType: 'ticket',
        targetId: t.id,
        changes: diff(null, { itemId: item.id, kind: input.kind }),
      });
    return { created, usage: { ticketId: t.id, itemId: item.id, kind: input.kind, staffId: row.staffId, at: row.at.toISOString() } };
  });
}

export async function ticketUsage(database: Database, ctx: Ctx, ticketId: string) {
  const t = await ticketFor(database, ctx, ticketId);
  const rows = await kbRepo.usageWithItems(database.db, t.id);
  return {
    items: rows.map(({ u, title, kind }) => ({
      ticketId: u.ticketId,
      itemId: u.itemId,
      title,
      itemKind: kind,
      kind: u.kind as 'used' | 'not_helpful',
      staffId: u.staffId,
      at: u.at.toISOString(),
    })),
  };
}

// ───────────────────────────── measures ─────────────────────────────

/** Knowledge application rate: tickets resolved in [from, to) with knowledge used / all tickets resolved then. */
export async function applicationRate(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw invalid('from', 'must be before to');
  const r = await kbRepo.applicationCounts(database, from, to);
  const resolved = r?.resolved ?? 0;
  const used = r?.used ?? 0;
  return { from: from.toISOString(), to: to.toISOString(), resolved, resolvedWithKnowledge: used, rate: resolved ? used / resolved : null };
}

export async function contributions(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'kb.view');
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(0);
  const rows = await kbRepo.contributionCounts(database, from, to);
  return {
    items: rows.map((r) => ({
      staffId: r.staff_id,
      name: r.name,
      employeeNo: r.employee_no,
      created: r.created,
      revised: r.revised,
      count: r.created + r.revised,
    })),
  };
}

export async function staffContributions(database: Database, ctx: Ctx, staffId: string) {
  authorize(ctx.actor, 'kb.view');
  const rows = await kbRepo.contributionsOf(database.db, staffId);
  return {
    count: rows.length,
    items: rows.map(({ c, title, status }) => ({
      itemId: c.itemId,
      title,
      status,
      version: c.version,
      kind: c.kind as 'created' | 'revised',
      at: c.at.toISOString(),
    })),
  };
}
