/** Helpers for the standards engine tests: direct ticket rows + events, polling, WebSocket client. */
import { sql } from 'drizzle-orm';
import type { Database } from '../src/db/client';
import { invalidateCatalogue } from '../src/engine/engine';
import { systemCtx } from '../src/lib/context';
import { uuidv7 } from '../src/lib/ids';
import { recordTicketEvent, type TicketEventKind, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import type { TestApp } from './harness';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Falsy = null | undefined | false;
/** Polls `fn` (plain or async) until it returns a truthy value, and returns that value. */
export async function waitFor<T>(fn: () => T | Falsy | Promise<T | Falsy>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`waitFor timed out after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Insert a customer + ticket directly (no HTTP) and return its snapshot. */
export async function ticketRow(
  database: Database,
  o: Partial<{
    type: string;
    channel: string;
    priority: string;
    status: string;
    ownerId: string | null;
    teamId: string | null;
    tier: string;
    vip: boolean;
    site: string | null;
    /** customers.assistance (需一对一帮办); default none */
    assistance: string;
  }> = {},
): Promise<TicketSnapshot> {
  const customerId = uuidv7();
  const id = uuidv7();
  const number = `T${id.slice(-10)}`;
  const snap: TicketSnapshot = {
    id,
    number,
    customerId,
    customerTier: o.tier ?? 'regular',
    customerVip: o.vip ?? false,
    customerAssistance: (o.assistance ?? 'none') !== 'none',
    type: o.type ?? 'inquiry',
    channel: o.channel ?? 'phone',
    priority: o.priority ?? 'normal',
    status: o.status ?? 'new',
    previousStatus: o.status ?? 'new',
    ownerId: o.ownerId ?? null,
    teamId: o.teamId ?? null,
    categoryId: null,
    site: o.site ?? null,
    createdAt: new Date(),
  };
  await database.transaction(async (tx) => {
    await tx.execute(
      sql`INSERT INTO customers (id, name, tier, vip, assistance) VALUES (${customerId}, ${'测试客户'}, ${snap.customerTier}, ${snap.customerVip}, ${o.assistance ?? 'none'})`,
    );
    const inserted = await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description,
        owner_id, team_id, site, created_by_kind)
      VALUES (${id}, ${number}, ${customerId}, ${snap.type}, ${snap.channel}, ${snap.priority}, ${snap.status}, ${'测试工单'}, ${''}, ${snap.ownerId},
        ${snap.teamId}, ${snap.site}, 'system') RETURNING created_at`);
    const [row] = (inserted as { rows: { created_at: Date | string }[] }).rows;
    snap.createdAt = new Date(row!.created_at);
  });
  return snap;
}

/** Update the ticket row (status, owner, priority…) and record an event with the new snapshot, in one transaction. */
export async function event(
  database: Database,
  snap: TicketSnapshot,
  kind: TicketEventKind,
  change: Partial<Pick<TicketSnapshot, 'status' | 'ownerId' | 'teamId' | 'priority' | 'type'>> = {},
  data: Record<string, unknown> = {},
): Promise<TicketSnapshot> {
  const next: TicketSnapshot = { ...snap, ...change, previousStatus: snap.status };
  await database.transaction(async (tx) => {
    await tx.execute(
      sql`UPDATE tickets SET status = ${next.status}, owner_id = ${next.ownerId}, team_id = ${next.teamId}, priority = ${next.priority}, type = ${next.type} WHERE id = ${snap.id}`,
    );
    await recordTicketEvent(tx, systemCtx('test'), next, kind, data);
  });
  return { ...next, previousStatus: next.status };
}

export async function instances(database: Database, ticketId: string) {
  return database.rows<{
    id: string;
    code: string;
    state: string;
    cycle: number;
    due_at: Date | null;
    met_at: Date | null;
    breached_at: Date | null;
    ended_at: Date | null;
    consumed_ms: string | number;
    late: boolean;
    next_action: string | null;
    next_action_at: Date | null;
    version_id: string;
    limit_ms: string | number;
    warnings_sent: number;
    escalations_sent: number;
    end_reason: string | null;
    paused_at: Date | null;
  }>(sql`SELECT * FROM standard_instances WHERE ticket_id = ${ticketId} ORDER BY started_at, code, cycle`);
}

export async function timeline(database: Database, ticketId: string) {
  return database.rows<{ id: string; kind: string; at: Date; data: Record<string, unknown> }>(
    sql`SELECT id, kind, at, data FROM events WHERE aggregate_type = 'ticket' AND aggregate_id = ${ticketId} ORDER BY id`,
  );
}

/** Create a standard over HTTP as an admin and return its id. */
export async function standard(t: TestApp, adminToken: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.inject('POST', '/api/v1/standards', adminToken, { kind: 'hard', encounter: '测试', target: 0.9, ...body });
  if (res.statusCode !== 201) throw new Error(`create standard: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** Deactivate every standard (each test file shares one database; tests keep their catalogues apart). */
export async function deactivateAll(database: Database) {
  await database.rows(sql`UPDATE standards SET active = false`);
  invalidateCatalogue();
}
