/**
 * Automatic inspection use cases: the dry run (`POST /qa/check`), the hits of a ticket and the lists and rates of
 * hits, and the rules' administration (versioned, audited).
 */
import { inspect, patternError, type InspectionInput } from '@chidu/core/inspection/index';
import type { Database } from '../../db/client';
import { writeAudit, diff } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { authorize, can } from '../identity/policy';
import { ticketVisibilitySql, visibleTicketById } from '../tickets/visibility';
import { qaScope } from '../quality/quality.policy';
import { inspectionRepo, type RuleInsert, type RuleRow } from './inspection.repo';
import { iso, presentHit, presentRule, presentStoredHit, toEngineRule } from './inspection.present';
import type { RuleCreateIn, RulePatchIn } from './inspection.schema';

const DAY = 86_400_000;

function authorizeAny(ctx: Ctx, perms: Parameters<typeof can>[1][]): void {
  if (perms.some((p) => can(ctx.actor, p))) return;
  authorize(ctx.actor, perms[0]!);
}

/** Dry run: the hits the enabled rules find in one message; stores nothing. */
export async function check(database: Database, ctx: Ctx, input: InspectionInput) {
  authorizeAny(ctx, ['tickets.work', 'qa.view']);
  const rules = (await inspectionRepo.enabledRules(database.db)).map(toEngineRule);
  return { hits: inspect(rules, { ...input, audience: input.audience ?? 'customer' }).map(presentHit) };
}

/**
 * The hits on a ticket's staff messages. QA, supervisors and directors (qa.view) see every hit; an agent sees the
 * hits on their own replies (qa.own) — on a ticket they can read either way.
 */
export async function ticketHits(database: Database, ctx: Ctx, ticketId: string) {
  authorizeAny(ctx, ['qa.view', 'qa.own']);
  if (!(await inspectionRepo.ticketVisible(database.db, visibleTicketById(ctx.actor, ticketId)))) throw notFound('Ticket');
  const own = can(ctx.actor, 'qa.view') ? null : ctx.actor.id;
  if (own === null && !can(ctx.actor, 'qa.view')) return { items: [] };
  const rows = await inspectionRepo.ticketHits(database.db, ticketId, own);
  return { items: rows.map(presentStoredHit) };
}

/** Hits on the caller's visible tickets, newest first (agents without qa.view: their own only). */
export async function listHits(
  database: Database,
  ctx: Ctx,
  q: {
    rule?: string | undefined;
    severity?: string | undefined;
    authorId?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  authorizeAny(ctx, ['qa.view', 'qa.own']);
  const authorId = can(ctx.actor, 'qa.view') ? q.authorId : (ctx.actor.id ?? undefined);
  const rows = await inspectionRepo.listHits(database.db, {
    visible: ticketVisibilitySql(ctx.actor),
    // With qa.view: the agents of quality's team scope (supervisors: their teams').
    scope: can(ctx.actor, 'qa.view') ? qaScope(ctx.actor) : undefined,
    rule: q.rule,
    severity: q.severity,
    authorId,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    before: q.cursor ? Number(q.cursor) : undefined,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((h) => ({
      ...presentStoredHit(h),
      id: String(h.id),
      ticketId: h.ticket_id,
      ticketNumber: h.ticket_number,
      authorName: h.author_name,
      at: iso(h.created_at),
    })),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
  };
}

/** Hit rates per rule over a period (default: the last 30 days) on the caller's visible tickets. */
export async function hitStats(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'qa.view');
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
  if (from >= to) throw invalid('from', 'must be before to');
  const [s, rules] = await Promise.all([
    inspectionRepo.stats(database.db, ticketVisibilitySql(ctx.actor), qaScope(ctx.actor), from, to),
    inspectionRepo.listRules(database.db),
  ]);
  const byCode = new Map(rules.map((r) => [r.code, r]));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    messages: s.messages,
    rules: s.rules.map((r) => {
      const rule = byCode.get(r.rule);
      return {
        ...r,
        name: rule?.name ?? null,
        severity: (rule?.severity ?? null) as 'info' | 'minor' | 'major' | 'critical' | null,
        rate: s.messages > 0 ? r.replies / s.messages : 0,
      };
    }),
  };
}

// ─────────────────────────────── rules

export async function listRules(database: Database, ctx: Ctx) {
  authorizeAny(ctx, ['qa.manage', 'qa.view']);
  return { items: (await inspectionRepo.listRules(database.db)).map(presentRule) };
}

export async function getRule(database: Database, ctx: Ctx, id: string) {
  authorizeAny(ctx, ['qa.manage', 'qa.view']);
  const r = await inspectionRepo.ruleById(database.db, id);
  if (!r) throw notFound('Rule');
  return presentRule(r);
}

/** What a rule of its kind needs (400 naming the field). */
function validateRule(r: Pick<RuleRow, 'kind' | 'phrases' | 'pattern' | 'position'>): void {
  if (r.pattern !== null) {
    const err = patternError(r.pattern);
    if (err) throw invalid('pattern', `not a safe (RE2) regular expression: ${err}`);
  }
  switch (r.kind) {
    case 'regex':
    case 'pii':
      if (!r.pattern) throw invalid('pattern', `a ${r.kind} rule needs a pattern`);
      break;
    case 'phrases':
    case 'promise':
      if (r.phrases.length === 0) throw invalid('phrases', `a ${r.kind} rule needs at least one phrase`);
      break;
    case 'required':
    case 'empathy':
      if (r.phrases.length === 0 && !r.pattern) throw invalid('phrases', `a ${r.kind} rule needs phrases or a pattern`);
      break;
  }
}

const RULE_FIELDS = [
  'name',
  'kind',
  'severity',
  'enabled',
  'audience',
  'phrases',
  'pattern',
  'wholeWord',
  'exceptions',
  'suggestion',
  'channels',
  'ticketTypes',
  'position',
  'window',
] as const;

export async function createRule(database: Database, ctx: Ctx, input: RuleCreateIn) {
  authorize(ctx.actor, 'qa.manage');
  const row: RuleInsert = { id: uuidv7(), builtin: false, ...input, pattern: input.pattern || null };
  validateRule({ kind: row.kind, phrases: row.phrases ?? [], pattern: row.pattern ?? null, position: row.position ?? 'any' });
  return database.transaction(async (tx) => {
    if (await inspectionRepo.ruleByCode(tx, input.code)) throw new AppError('conflict', `Rule ${input.code} exists`, { reason: 'qa_rule_code_taken' });
    const r = await inspectionRepo.insertRule(tx, row);
    await writeAudit(tx, ctx, { action: 'qa.rule.create', targetType: 'qa_rule', targetId: r.id, changes: diff(null, presentRule(r), RULE_FIELDS) });
    return presentRule(r);
  });
}

export async function updateRule(database: Database, ctx: Ctx, id: string, patch: RulePatchIn) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const before = await inspectionRepo.ruleById(tx, id, true);
    if (!before) throw notFound('Rule');
    const set = { ...patch, ...(patch.pattern !== undefined ? { pattern: patch.pattern || null } : {}) };
    validateRule({
      kind: set.kind ?? before.kind,
      phrases: set.phrases ?? before.phrases,
      pattern: set.pattern !== undefined ? set.pattern : before.pattern,
      position: set.position ?? before.position,
    });
    const after = await inspectionRepo.updateRule(tx, id, set);
    await writeAudit(tx, ctx, {
      action: 'qa.rule.update',
      targetType: 'qa_rule',
      targetId: id,
      changes: diff(presentRule(before), presentRule(after), RULE_FIELDS),
    });
    return presentRule(after);
  });
}

export async function deleteRule(database: Database, ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'qa.manage');
  await database.transaction(async (tx) => {
    const before = await inspectionRepo.ruleById(tx, id, true);
    if (!before) throw notFound('Rule');
    await inspectionRepo.deleteRule(tx, id);
    await writeAudit(tx, ctx, { action: 'qa.rule.delete', targetType: 'qa_rule', targetId: id, changes: diff(presentRule(before), null, RULE_FIELDS) });
  });
}
