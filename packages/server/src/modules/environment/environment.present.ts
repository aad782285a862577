/** Rows → API objects of environment checks (rows never leave the server as they are). */
import type { Actor } from '../../lib/context';
import type { EnvItem } from './environment.items';
import { taskAbilities } from './environment.policy';
import type { CheckRow, TaskRow, TemplateRow } from './environment.repo';

export interface StoredResult {
  key: string;
  label: string;
  kind: 'measure' | 'yesno';
  unit: string | null;
  expected: string;
  value: number | boolean;
  ok: boolean;
}

export interface Names {
  sites: Map<string, string>;
  staff: Map<string, string>;
  tickets: Map<string, string>;
  clocks: Map<string, { state: string; dueAt: Date | null; breachedAt: Date | null }>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentTemplate(row: TemplateRow) {
  return { id: row.id, key: row.key, name: row.name, version: row.version, items: row.items as EnvItem[], updatedAt: row.updatedAt.toISOString() };
}

export function presentTask(actor: Actor, row: TaskRow, n: Names) {
  const number = n.tickets.get(row.ticketId);
  const clock = n.clocks.get(row.ticketId);
  return {
    id: row.id,
    checkId: row.checkId,
    site: { id: row.siteId, name: n.sites.get(row.siteId) ?? '' },
    item: row.itemKey,
    label: row.label,
    value: row.value,
    expected: row.expected,
    state: row.state as 'open' | 'closed',
    ticket: number ? { id: row.ticketId, number } : null,
    standard: clock ? { state: clock.state, dueAt: iso(clock.dueAt), breached: clock.breachedAt !== null } : null,
    openedAt: row.createdAt.toISOString(),
    closedAt: iso(row.closedAt),
    closeNote: row.closeNote,
    allowed: taskAbilities(actor, row),
  };
}

export function presentCheck(actor: Actor, row: CheckRow, tasks: TaskRow[], n: Names) {
  return {
    id: row.id,
    site: { id: row.siteId, name: n.sites.get(row.siteId) ?? '' },
    templateId: row.templateId,
    templateVersion: row.templateVersion,
    inspector: { id: row.inspectorId, name: n.staff.get(row.inspectorId) ?? '' },
    results: row.results as StoredResult[],
    outOfRange: row.failedCount,
    note: row.note,
    tasks: tasks.map((x) => presentTask(actor, x, n)),
    createdAt: row.createdAt.toISOString(),
  };
}
