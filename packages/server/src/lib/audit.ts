import { auditLog, events } from '../db/schema';
import type { Executor } from '../db/client';
import type { Ctx } from './context';
import { maskField } from './mask';

export type Changes = Record<string, { before: unknown; after: unknown }>;

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Field-level before/after of what changed, personal data masked and secrets never included. */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null, fields?: readonly string[]): Changes {
  const keys = fields ?? [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const out: Changes = {};
  for (const k of keys) {
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (!same(a, b)) out[k] = { before: maskField(k, b), after: maskField(k, a) };
  }
  return out;
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  changes?: Changes | null;
}

/** Write the audit row in the caller's transaction; the command and its audit commit or roll back together. */
export async function writeAudit(tx: Executor, ctx: Ctx, e: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actorKind: ctx.actor.kind,
    actorId: ctx.actor.id,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId ?? null,
    changes: e.changes && Object.keys(e.changes).length ? e.changes : null,
    requestId: ctx.requestId,
    ip: ctx.ip,
  });
}

export interface EventEntry {
  kind: string;
  aggregateType: string;
  aggregateId: string;
  data?: Record<string, unknown>;
}

/** Append to the event outbox (timelines, standards, measures and realtime pushes consume it). */
export async function emitEvent(tx: Executor, ctx: Ctx, e: EventEntry): Promise<void> {
  await tx.insert(events).values({
    kind: e.kind,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    actorKind: ctx.actor.kind,
    actorId: ctx.actor.id,
    data: e.data ?? {},
  });
}
