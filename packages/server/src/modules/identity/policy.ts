import { AppError } from '../../lib/errors';
import type { Actor, StaffActor } from '../../lib/context';

export const ROLES = ['admin', 'director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'staff.view',
  'staff.manage',
  'teams.manage',
  'roles.view',
  'roles.manage',
  'audit.view',
  'customers.read',
  'customers.write',
  'customers.unmask',
  'customers.merge',
  'tickets.create',
  'tickets.work',
  'tickets.read_all',
  'tickets.assign_any',
  'tickets.bulk',
  'dispatch.manage',
  'categories.manage',
  'orders.approve',
  'calendars.view',
  'calendars.manage',
  'standards.view',
  'standards.manage',
  'standards.compliance',
  'standards.improve',
  'kb.view',
  'kb.write',
  'kb.review',
  'kb.manage',
  'surveys.view',
  'surveys.manage',
  'loops.work',
  'loops.recover',
  'measures.view',
  'measures.own',
  'measures.manage',
  'qa.own',
  'qa.view',
  'qa.inspect',
  'qa.manage',
  'qa.rule_appeals',
  'performance.view',
  'proposals.review',
  'channels.manage',
  'channels.work',
  'field.view',
  'field.manage',
  'field.dispatch',
  'field.work',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * The role → permission table. Deny by default: a permission not listed here is not granted.
 * Later domains add their permissions here (one table, visible to admins at GET /api/v1/roles).
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  director: [
    'staff.view',
    'roles.view',
    'audit.view',
    'customers.read',
    'customers.write',
    'customers.unmask',
    'customers.merge',
    'tickets.create',
    'tickets.work',
    'tickets.read_all',
    'tickets.assign_any',
    'tickets.bulk',
    'orders.approve',
    'calendars.view',
    'standards.view',
    'standards.compliance',
    'standards.improve',
    'kb.view',
    'kb.write',
    'kb.review',
    'kb.manage',
    'surveys.view',
    'loops.work',
    'loops.recover',
    'measures.view',
    'measures.own',
    'measures.manage',
    'qa.own',
    'qa.view',
    'qa.rule_appeals',
    'performance.view',
    'proposals.review',
    'channels.work',
    'field.view',
    'field.manage',
    'field.dispatch',
  ],
  supervisor: [
    'staff.view',
    'customers.read',
    'customers.write',
    'customers.unmask',
    'customers.merge',
    'tickets.create',
    'tickets.work',
    'tickets.read_all',
    'tickets.assign_any',
    'tickets.bulk',
    'orders.approve',
    'calendars.view',
    'standards.view',
    'standards.compliance',
    'standards.improve',
    'kb.view',
    'kb.write',
    'kb.review',
    'surveys.view',
    'loops.work',
    'loops.recover',
    'measures.view',
    'measures.own',
    'qa.own',
    'qa.view',
    'qa.rule_appeals',
    'performance.view',
    'proposals.review',
    'channels.work',
    'field.view',
    'field.manage',
    'field.dispatch',
  ],
  agent: [
    'customers.read',
    'customers.write',
    'customers.unmask',
    'tickets.create',
    'tickets.work',
    'tickets.bulk',
    'calendars.view',
    'standards.view',
    'kb.view',
    'kb.write',
    'surveys.view',
    'loops.work',
    'measures.own',
    'qa.own',
    'channels.work',
    'field.view',
    'field.dispatch',
  ],
  frontdesk: [
    'customers.read',
    'customers.write',
    'customers.unmask',
    'tickets.create',
    'tickets.work',
    'calendars.view',
    'standards.view',
    'kb.view',
    'kb.write',
    'loops.work',
    'measures.own',
    'qa.own',
    'channels.work',
    'field.view',
    'field.dispatch',
  ],
  technician: ['customers.read', 'tickets.work', 'standards.view', 'kb.view', 'loops.work', 'measures.own', 'qa.own', 'field.work'],
  qa: [
    'staff.view',
    'customers.read',
    'tickets.read_all',
    'calendars.view',
    'standards.view',
    'standards.compliance',
    'kb.view',
    'kb.write',
    'kb.review',
    'surveys.view',
    'measures.view',
    'measures.own',
    'qa.own',
    'qa.view',
    'qa.inspect',
    'qa.manage',
    'qa.rule_appeals',
    'performance.view',
  ],
  trainer: ['staff.view', 'kb.view', 'kb.write', 'kb.review', 'kb.manage'],
};

/** Compensation limits per role in fen (domain spec defaults: agent ¥200, supervisor ¥2,000, director ¥20,000). */
export const DEFAULT_COMPENSATION_LIMIT_FEN: Record<Role, number> = {
  admin: 0,
  director: 2_000_000,
  supervisor: 200_000,
  agent: 20_000,
  frontdesk: 0,
  technician: 0,
  qa: 0,
  trainer: 0,
};

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r as Role] ?? []) out.add(p);
  return out;
}

export function can(actor: Actor, perm: Permission): boolean {
  return actor.kind === 'system' || (actor.kind === 'staff' && actor.permissions.has(perm));
}

/** First line of every command: throws `forbidden` unless the actor holds the permission. */
export function authorize(actor: Actor, perm: Permission): void {
  if (!can(actor, perm)) throw new AppError('forbidden', `Missing permission ${perm}`);
}

export function requireStaff(actor: Actor): StaffActor {
  if (actor.kind !== 'staff') throw new AppError('forbidden', 'Staff only');
  return actor;
}
