/**
 * The pure part of the generated access matrix: which operations the OpenAPI document has, which of them lack an
 * access declaration, and what each actor should get according to a declaration.
 */
import { permissionsOfDecl, type AccessTable, type Expectation, type MatrixActor, type RouteAccess } from '../src/http/access';
import { ROLE_PERMISSIONS, type Role } from '../src/modules/identity/policy';

/** The matrix fixture: ticket T of team A, created and owned by agentOwner, for customer A. */
export interface ActorModel {
  kind: 'anonymous' | 'customer' | 'staff';
  roles?: Role[];
  team?: 'A' | 'B' | null;
  seesTicket: boolean;
}

export const ACTOR_MODEL: Record<MatrixActor, ActorModel> = {
  anonymous: { kind: 'anonymous', seesTicket: false },
  customerA: { kind: 'customer', seesTicket: true },
  customerB: { kind: 'customer', seesTicket: false },
  admin: { kind: 'staff', roles: ['admin'], team: null, seesTicket: true },
  director: { kind: 'staff', roles: ['director'], team: null, seesTicket: true },
  supervisor: { kind: 'staff', roles: ['supervisor'], team: 'B', seesTicket: true }, // tickets.read_all
  agentOwner: { kind: 'staff', roles: ['agent'], team: 'A', seesTicket: true },
  agentTeammate: { kind: 'staff', roles: ['agent'], team: 'A', seesTicket: true },
  agentOther: { kind: 'staff', roles: ['agent'], team: 'B', seesTicket: false },
  frontdesk: { kind: 'staff', roles: ['frontdesk'], team: 'B', seesTicket: false },
  technicianA: { kind: 'staff', roles: ['technician'], team: 'A', seesTicket: true },
  technicianB: { kind: 'staff', roles: ['technician'], team: 'B', seesTicket: false },
  qa: { kind: 'staff', roles: ['qa'], team: null, seesTicket: true }, // tickets.read_all
  trainer: { kind: 'staff', roles: ['trainer'], team: null, seesTicket: false },
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `'METHOD /path'` (without /api/v1) of every operation in an OpenAPI document. */
export function operationsOf(doc: { paths?: Record<string, Record<string, unknown>> }): string[] {
  const out: string[] = [];
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    if (!p.startsWith('/api/v1/')) continue;
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${p.slice('/api/v1'.length)}`);
  }
  return out;
}

/** Operations without a declaration (must be empty), and declarations without an operation (stale). */
export function checkDeclarations(ops: string[], tables: AccessTable[]): { undeclared: string[]; stale: string[]; duplicated: string[] } {
  const declared = new Map<string, number>();
  for (const t of tables) for (const k of Object.keys(t)) declared.set(k, (declared.get(k) ?? 0) + 1);
  const opSet = new Set(ops);
  return {
    undeclared: ops.filter((o) => !declared.has(o)),
    stale: [...declared.keys()].filter((k) => !opSet.has(k)),
    duplicated: [...declared].filter(([, n]) => n > 1).map(([k]) => k),
  };
}

/** The expected outcome of one actor on one declared operation. */
export function expectedFor(d: RouteAccess, actor: MatrixActor): Expectation {
  const over = d.except?.[actor];
  if (over !== undefined) return over;
  if (d.caller === 'public') return 'allow';
  const a = ACTOR_MODEL[actor];
  if (a.kind === 'anonymous') return 401;
  if (a.kind === 'customer') {
    if (d.caller === 'staff') return 403;
    return d.ticket && !a.seesTicket ? 404 : 'allow';
  }
  if (d.caller === 'customer') return 403;
  const perms = permissionsOfDecl(d);
  const held = new Set(a.roles!.flatMap((r) => ROLE_PERMISSIONS[r]));
  if (perms.length && !perms.some((p) => held.has(p))) return 403;
  if ((d.also ?? []).some((p) => !held.has(p))) return 403;
  return d.ticket && !a.seesTicket ? 404 : 'allow';
}

/**
 * Does a status satisfy an expectation? Never a 5xx. A 403 `approval_required` is an allowed call (the caller may ask;
 * the request for approval was filed — api-contract.md, compensations).
 */
export function satisfies(e: Expectation, status: number, code?: string): boolean {
  if (status >= 500) return false;
  if (e === 'allow') return (status !== 401 && status !== 403 && status !== 404) || (status === 403 && code === 'approval_required');
  if (e === 'deny') return status === 403 || status === 404;
  return status === e;
}
