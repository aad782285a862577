/**
 * Environment checks (环境检查, issue #15 item 8): checklist templates, checks of a site filled on a phone, and the
 * corrective task (整改任务) each failed item opens, timed by the standards engine on an internal ticket.
 */
import { getZone } from '@chidu/core/calendar/zone';
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, conflict, invalid, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { internalCustomerInTx } from '../customers/customers.commands';
import { fieldRepo } from '../field/field.repo';
import { authorize, requireStaff } from '../identity/policy';
import { recordTicketEvent } from '../tickets/ticket-events';
import { orgDay } from '../tickets/tickets.create';
import { ticketsRepo } from '../tickets/tickets.repo';
import { DEFAULT_ENV_ITEMS, expected, judge, type EnvItem } from './environment.items';
import { taskAbilities } from './environment.policy';
import { presentCheck, presentTask, presentTemplate, type Names, type StoredResult } from './environment.present';
import { environmentRepo as repo, type CheckRow, type TaskRow } from './environment.repo';
import { environmentMessages } from './environment.messages';
import type { EnvCheckCreateInput, EnvTemplatePutInput } from './environment.schema';

const DEFAULT_TEMPLATE_ID = '019aee00-0000-7000-8000-00000000e001';
const DAY = 86_400_000;
const validation = (errors: FieldError[]) => new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

// ── templates ──

async function ensureDefault(ex: Executor): Promise<void> {
  await repo.insertTemplateIfMissing(ex, { id: DEFAULT_TEMPLATE_ID, key: 'default', name: '服务场所环境检查表', items: DEFAULT_ENV_ITEMS });
}

export async function listTemplates(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.view');
  await ensureDefault(database.db);
  return { items: (await repo.listTemplates(database.db)).map(presentTemplate) };
}

/** Change a template: a new version; checks keep the items they were filled with. */
export async function putTemplate(database: Database, ctx: Ctx, id: string, input: EnvTemplatePutInput) {
  authorize(ctx.actor, 'qa.manage');
  return database.transaction(async (tx) => {
    const before = await repo.templateById(tx, id, true);
    if (!before) throw notFound('Environment template');
    const set = { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.items !== undefined ? { items: input.items } : {}) };
    const after = await repo.updateTemplate(tx, id, { ...set, version: before.version + 1 });
    await writeAudit(tx, ctx, {
      action: 'env.template_changed',
      targetType: 'env_template',
      targetId: id,
      changes: diff(before, after, ['name', 'items', 'version']),
    });
    return presentTemplate(after);
  });
}

/** The sites an inspector may pick (the field module's site tree, read-only). */
export async function listSites(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'qa.view');
  const rows = await fieldRepo.allSites(database.db);
  return { items: rows.map((s) => ({ id: s.id, name: s.name, kind: s.kind, parentId: s.parentId, address: s.address })) };
}

// ── checks ──

/** Stored content (the ticket a task opens, the value shown) is written in the organisation's language, zh-CN. */
function content(key: string, params: Record<string, string> = {}): string {
  return (environmentMessages['zh-CN'][key] ?? key).replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);
}
const shown = (v: number | boolean) => (typeof v === 'boolean' ? content(v ? 'environment.value.yes' : 'environment.value.no') : String(v));

/** Site names with their parent (翠湖苑 · 5栋). */
async function siteNames(ex: Executor, ids: string[]): Promise<Map<string, string>> {
  const rows = await fieldRepo.sitesByIds(ex, ids);
  const parents = new Map((await fieldRepo.sitesByIds(ex, [...new Set(rows.flatMap((r) => (r.parentId ? [r.parentId] : [])))])).map((p) => [p.id, p.name]));
  return new Map(rows.map((r) => [r.id, r.parentId && parents.has(r.parentId) ? `${parents.get(r.parentId)} · ${r.name}` : r.name]));
}

/** Judge every item of the template against the submitted values; 400 naming each missing, unknown or mistyped one. */
export function judgeValues(items: EnvItem[], values: EnvCheckCreateInput['values']): StoredResult[] {
  const errors: FieldError[] = [];
  const byKey = new Map<string, number | boolean>();
  values.forEach((v, i) => {
    if (!items.some((x) => x.key === v.key)) errors.push({ path: `values[${i}].key`, message: `no item ${v.key} in this template` });
    else if (byKey.has(v.key)) errors.push({ path: `values[${i}].key`, message: `item ${v.key} given twice` });
    byKey.set(v.key, v.value);
  });
  const out: StoredResult[] = [];
  for (const item of items) {
    const value = byKey.get(item.key);
    if (value === undefined) {
      errors.push({ path: `values.${item.key}`, message: 'a value is required' });
      continue;
    }
    const ok = judge(item, value);
    if (ok === null) {
      errors.push({ path: `values.${item.key}`, message: item.kind === 'yesno' ? 'expected true or false' : 'expected a number' });
      continue;
    }
    out.push({ key: item.key, label: item.label, kind: item.kind, unit: item.unit ?? null, expected: expected(item), value, ok });
  }
  if (errors.length) throw validation(errors);
  return out;
}

/** Record a check; every failed item opens a corrective task on an internal ticket whose clock the engine runs. */
export async function createCheck(database: Database, ctx: Ctx, input: EnvCheckCreateInput) {
  authorize(ctx.actor, 'qa.inspect');
  const me = requireStaff(ctx.actor);
  const site = await fieldRepo.siteById(database.db, input.siteId);
  if (!site) throw invalid('siteId', 'no such site');
  const template = await repo.templateById(database.db, input.templateId);
  if (!template) throw invalid('templateId', 'no such environment template');
  const results = judgeValues(template.items as EnvItem[], input.values);
  const failed = results.filter((r) => !r.ok);
  const siteName = (await siteNames(database.db, [site.id])).get(site.id) ?? site.name;
  const day = orgDay(new Date());
  const numbers: string[] = [];
  for (let i = 0; i < failed.length; i++) numbers.push(await ticketsRepo.nextNumber(database.db, day));
  const { check, tasks } = await database.transaction(async (tx) => {
    const check = await repo.insertCheck(tx, {
      id: uuidv7(),
      siteId: site.id,
      templateId: template.id,
      templateVersion: template.version,
      inspectorId: me.id,
      results,
      failedCount: failed.length,
      note: input.note ?? null,
    });
    const tasks: TaskRow[] = [];
    if (failed.length) {
      const customerId = await internalCustomerInTx(tx);
      for (const [i, r] of failed.entries()) {
        const p = { site: siteName, label: r.label, value: `${shown(r.value)}${r.unit && r.kind === 'measure' ? ` ${r.unit}` : ''}`, expected: r.expected };
        const ticket = await repo.insertTicket(tx, {
          id: uuidv7(),
          number: numbers[i]!,
          customerId,
          type: 'internal',
          channel: 'walk_in',
          priority: 'high',
          status: 'new',
          subject: content('environment.ticket.subject', p).slice(0, 200),
          description: content('environment.ticket.description', p),
          site: siteName,
          siteId: site.id,
          tags: ['环境整改'],
          createdByKind: 'staff',
          createdById: me.id,
        });
        const [task] = await repo.insertTasks(tx, [
          { id: uuidv7(), checkId: check.id, siteId: site.id, itemKey: r.key, label: r.label, value: p.value, expected: r.expected, ticketId: ticket.id },
        ]);
        tasks.push(task!);
        await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'env.corrective_opened', {
          taskId: task!.id,
          checkId: check.id,
          siteId: site.id,
          item: r.key,
        });
      }
    }
    await writeAudit(tx, ctx, {
      action: 'env.checked',
      targetType: 'env_check',
      targetId: check.id,
      changes: diff(null, { siteId: site.id, outOfRange: failed.length, items: failed.map((r) => r.key) }),
    });
    return { check, tasks };
  });
  return presentCheck(ctx.actor, check, tasks, await namesOf(database.db, [check], tasks));
}

async function namesOf(ex: Executor, checks: CheckRow[], tasks: TaskRow[]): Promise<Names> {
  const siteIds = [...new Set([...checks.map((c) => c.siteId), ...tasks.map((x) => x.siteId)])];
  const ticketIds = tasks.map((x) => x.ticketId);
  const [sites, staffNames, numbers, clocks] = await Promise.all([
    siteNames(ex, siteIds),
    repo.staffNames(ex, [...new Set(checks.map((c) => c.inspectorId))]),
    repo.ticketNumbers(ex, ticketIds),
    repo.clockStates(ex, ticketIds),
  ]);
  return { sites, staff: staffNames, tickets: numbers, clocks };
}

export async function listChecks(
  database: Database,
  ctx: Ctx,
  q: {
    siteId?: string | undefined;
    failed?: 'true' | 'false' | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  authorize(ctx.actor, 'qa.view');
  // With from or to: the checks of the period of GET /env/out-of-range (its drill-down), same days and defaults.
  const within = q.from !== undefined || q.to !== undefined ? period(q) : {};
  const rows = await repo.listChecks(database.db, { siteId: q.siteId, failedOnly: q.failed === 'true', ...within, cursor: q.cursor, limit: q.limit });
  const page = rows.slice(0, q.limit);
  const tasks = await repo.tasksOfChecks(
    database.db,
    page.map((c) => c.id),
  );
  const n = await namesOf(database.db, page, tasks);
  return {
    items: page.map((c) =>
      presentCheck(
        ctx.actor,
        c,
        tasks.filter((x) => x.checkId === c.id),
        n,
      ),
    ),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

export async function getCheck(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'qa.view');
  const row = await repo.checkById(database.db, id);
  if (!row) throw notFound('Environment check');
  const tasks = await repo.tasksOfChecks(database.db, [id]);
  return presentCheck(ctx.actor, row, tasks, await namesOf(database.db, [row], tasks));
}

// ── corrective tasks ──

export async function listTasks(database: Database, ctx: Ctx, q: { state?: 'open' | 'closed' | undefined; siteId?: string | undefined; limit: number }) {
  authorize(ctx.actor, 'qa.view');
  const rows = await repo.listTasks(database.db, q);
  const n = await namesOf(database.db, [], rows);
  return { items: rows.map((x) => presentTask(ctx.actor, x, n)) };
}

/** A supervisor or site manager closes a corrective task with a note: the engine stops its clock. */
export async function closeTask(database: Database, ctx: Ctx, id: string, input: { note: string }) {
  authorize(ctx.actor, 'field.manage');
  const me = requireStaff(ctx.actor);
  const row = await database.transaction(async (tx) => {
    const task = await repo.taskById(tx, id, true);
    if (!task) throw notFound('Corrective task');
    if (!taskAbilities(ctx.actor, task).close) throw conflict('env_task_closed', 'The corrective task is already closed');
    const closed = await repo.closeTask(tx, id, me.id, input.note);
    const ticket = await repo.resolveTicket(tx, task.ticketId, input.note);
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket, 'new'), 'env.corrective_closed', {
      taskId: id,
      checkId: task.checkId,
      siteId: task.siteId,
      item: task.itemKey,
    });
    await writeAudit(tx, ctx, {
      action: 'env.task_closed',
      targetType: 'env_task',
      targetId: id,
      changes: diff({ state: 'open' }, { state: 'closed', note: input.note }),
    });
    return closed;
  });
  return presentTask(ctx.actor, row, await namesOf(database.db, [], [row]));
}

// ── history and figures ──

/** [from, to) instants of local days (inclusive), default the last 30 days up to today. */
function period(q: { from?: string | undefined; to?: string | undefined }) {
  const zone = getZone(orgTimeZone());
  const today = zone.localDay(Date.now());
  const dayOf = (s: string | undefined, field: string, fallback: number) => {
    if (s === undefined) return fallback;
    const ms = Date.parse(`${s}T00:00:00Z`);
    if (!Number.isFinite(ms)) throw invalid(field, 'expected YYYY-MM-DD');
    return Math.floor(ms / DAY);
  };
  const fromDay = dayOf(q.from, 'from', today - 29);
  const toDay = dayOf(q.to, 'to', today);
  if (toDay < fromDay) throw invalid('to', 'must not be before from');
  return { from: new Date(zone.localToUtc(fromDay * DAY)), to: new Date(zone.localToUtc((toDay + 1) * DAY)) };
}

export async function siteHistory(database: Database, ctx: Ctx, siteId: string, q: { from?: string | undefined; to?: string | undefined }) {
  authorize(ctx.actor, 'qa.view');
  const site = await fieldRepo.siteById(database.db, siteId);
  if (!site) throw notFound('Site');
  const { from, to } = period(q);
  const [checks, open, figures] = await Promise.all([
    repo.listChecks(database.db, { siteId, limit: 50 }),
    repo.listTasks(database.db, { siteId, state: 'open', limit: 200 }),
    repo.outOfRange(database.db, from, to, siteId),
  ]);
  const shownChecks = checks.slice(0, 50);
  const tasks = await repo.tasksOfChecks(
    database.db,
    shownChecks.map((c) => c.id),
  );
  const n = await namesOf(database.db, shownChecks, [...tasks, ...open]);
  return {
    site: { id: site.id, name: site.name, kind: site.kind, parentId: site.parentId, address: site.address },
    checks: shownChecks.map((c) =>
      presentCheck(
        ctx.actor,
        c,
        tasks.filter((x) => x.checkId === c.id),
        n,
      ),
    ),
    checkCount: figures[0]?.checks ?? 0,
    outOfRange: figures[0]?.outOfRange ?? 0,
    openTasks: open.map((x) => presentTask(ctx.actor, x, n)),
  };
}

/** The out-of-range count per site over a period (for dashboards). */
export async function outOfRange(database: Database, ctx: Ctx, q: { from?: string | undefined; to?: string | undefined; siteId?: string | undefined }) {
  authorize(ctx.actor, 'qa.view');
  const { from, to } = period(q);
  const rows = await repo.outOfRange(database.db, from, to, q.siteId);
  const open = await repo.openTasksBySite(database.db, q.siteId ? [q.siteId] : undefined);
  const siteIds = [...new Set([...rows.map((r) => r.siteId), ...open.keys()])];
  const names = await siteNames(database.db, siteIds);
  const byId = new Map(rows.map((r) => [r.siteId, r]));
  const sites = siteIds
    .map((id) => {
      const r = byId.get(id);
      return {
        site: { id, name: names.get(id) ?? '' },
        checks: r?.checks ?? 0,
        failedChecks: r?.failedChecks ?? 0,
        outOfRange: r?.outOfRange ?? 0,
        openTasks: open.get(id) ?? 0,
      };
    })
    .sort((a, b) => b.outOfRange - a.outOfRange || b.openTasks - a.openTasks || a.site.name.localeCompare(b.site.name, 'zh-CN'));
  const sum = (k: 'checks' | 'failedChecks' | 'outOfRange' | 'openTasks') => sites.reduce((s, x) => s + x[k], 0);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: { checks: sum('checks'), failedChecks: sum('failedChecks'), outOfRange: sum('outOfRange'), openTasks: sum('openTasks') },
    sites,
  };
}
