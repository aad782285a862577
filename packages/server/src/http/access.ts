/**
 * Route access declarations: WHO may call each `/api/v1` operation, declared once per operation in a per-module
 * table (`src/modules/<module>/<module>.access.ts`, beside the routes), keyed by `METHOD /path` exactly as the
 * OpenAPI document spells it without the `/api/v1` prefix (`'POST /tickets/{id}/resolve'`).
 *
 * A declaration is enforced here, before the body is read (after the session is resolved):
 * - `caller`: `public` (no session), `staff`, `customer` (portal) or `any` signed-in principal;
 * - `permission`: staff need at least one of these permissions (policy.ts); otherwise 403;
 * - `ticket`: the path parameter that names a ticket — a caller who may not see it (tickets/visibility.ts) gets 404.
 * The command checks again as its first line (defence in depth).
 *
 * The access matrix test (test/access-matrix.test.ts) reads every operation from the OpenAPI document, derives the
 * expected status of every actor from the declaration (plus `except`, for rules the table cannot express, each with
 * its `why`), calls it and asserts the cell. An operation without a declaration fails that test.
 * Adding a route = one line in its module's table; docs/security.md ("Declaring a route's access").
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/client';
import { tickets } from '../db/schema';
import { AppError, notFound } from '../lib/errors';
import { UUID_RE } from '../lib/ids';
import { can, type Permission } from '../modules/identity/policy';
import { visibleTicketById } from '../modules/tickets/visibility';

/** The actors of the access matrix (test fixture: ticket T of team A, owned and created by agentOwner, customer A). */
export const MATRIX_ACTORS = [
  'anonymous',
  'customerA',
  'customerB',
  'admin',
  'director',
  'supervisor',
  'agentOwner',
  'agentTeammate',
  'agentOther',
  'frontdesk',
  'technicianA',
  'technicianB',
  'qa',
  'trainer',
] as const;
export type MatrixActor = (typeof MATRIX_ACTORS)[number];

/** `allow`: anything but 401/403/404 (and never 5xx); `deny`: 403 or 404; or the exact refusal. */
export type Expectation = 'allow' | 'deny' | 401 | 403 | 404;

export interface RouteAccess {
  caller: 'public' | 'staff' | 'customer' | 'any';
  /** Staff need at least one of these. Omitted: any staff member. */
  permission?: Permission | readonly Permission[];
  /** …and all of these as well. */
  also?: readonly Permission[];
  /** Path parameter naming a ticket: invisible → 404 before the body is read. */
  ticket?: string;
  /** Per-actor outcomes the rule above cannot express (ownership of a record, business refusals). */
  except?: Partial<Record<MatrixActor, Expectation>>;
  /** Why the `except` cells differ. */
  why?: string;
}

/** `'METHOD /path/{param}'` (no `/api/v1`) → declaration. */
export type AccessTable = Record<string, RouteAccess>;

// Shorthands for the tables.
type Extra = Omit<RouteAccess, 'caller' | 'permission'>;
export const publicRoute = (extra: Extra = {}): RouteAccess => ({ caller: 'public', ...extra });
export const staffOnly = (permission?: Permission | readonly Permission[], extra: Extra = {}): RouteAccess => ({
  caller: 'staff',
  ...(permission ? { permission } : {}),
  ...extra,
});
export const customerOnly = (extra: Extra = {}): RouteAccess => ({ caller: 'customer', ...extra });
export const anyPrincipal = (permission?: Permission | readonly Permission[], extra: Extra = {}): RouteAccess => ({
  caller: 'any',
  ...(permission ? { permission } : {}),
  ...extra,
});

/** The same expectation for several actors: `except: { ...each(['agentOwner', 'qa'], 403) }`. */
export const each = (actors: readonly MatrixActor[], e: Expectation): Partial<Record<MatrixActor, Expectation>> =>
  Object.fromEntries(actors.map((a) => [a, e]));
/** Every actor of the matrix. */
export const everyone = (e: Expectation) => each(MATRIX_ACTORS, e);

/** The staff permissions that let someone read tickets at all (their own / team's, or all). */
export const TICKET_READERS = ['tickets.read_all', 'tickets.work', 'tickets.create'] as const satisfies readonly Permission[];

const PREFIX = '/api/v1';
/** `'/api/v1/tickets/:id'` → `'/tickets/{id}'`. */
export const routeKey = (method: string, url: string) => `${method === 'HEAD' ? 'GET' : method} ${url.replace(PREFIX, '').replace(/:(\w+)/g, '{$1}')}`;

let registry: Map<string, RouteAccess> | null = null;
/** Called once by registerModules with every module's table. */
export function setAccessTables(tables: AccessTable[]): void {
  const m = new Map<string, RouteAccess>();
  for (const t of tables)
    for (const [k, v] of Object.entries(t)) {
      if (m.has(k)) throw new Error(`access declared twice: ${k}`);
      m.set(k, v);
    }
  registry = m;
}
export function accessTables(): ReadonlyMap<string, RouteAccess> {
  return registry ?? new Map();
}
export function accessFor(method: string, url: string | undefined): RouteAccess | undefined {
  return url ? registry?.get(routeKey(method, url)) : undefined;
}

export const permissionsOfDecl = (d: RouteAccess): readonly Permission[] =>
  d.permission === undefined ? [] : typeof d.permission === 'string' ? [d.permission] : d.permission;

/** Enforce a declaration before validation (the session is already resolved into `req.actor`). */
export async function enforceAccess(database: Database, req: FastifyRequest, d: RouteAccess): Promise<void> {
  if (d.caller === 'public') return;
  const actor = req.actor;
  if (!actor) throw new AppError('unauthenticated', 'Sign in first');
  if (d.caller === 'staff' && actor.kind !== 'staff') throw new AppError('forbidden', 'Staff only');
  if (d.caller === 'customer' && actor.kind !== 'customer') throw new AppError('forbidden', 'Customer portal only');
  const perms = permissionsOfDecl(d);
  if (actor.kind === 'staff' && perms.length && !perms.some((p) => can(actor, p))) throw new AppError('forbidden', `Missing permission ${perms.join(' or ')}`);
  const missing = actor.kind === 'staff' ? (d.also ?? []).find((p) => !can(actor, p)) : undefined;
  if (missing) throw new AppError('forbidden', `Missing permission ${missing}`);
  if (d.ticket) {
    const id = (req.params as Record<string, unknown> | undefined)?.[d.ticket];
    if (typeof id === 'string' && UUID_RE.test(id)) {
      const [row] = await database.db.select({ id: tickets.id }).from(tickets).where(visibleTicketById(actor, id));
      if (!row) throw notFound('Ticket');
    }
  }
}
