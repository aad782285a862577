import type { StaffRow, TeamRow } from './identity.repo';
import { DEFAULT_COMPENSATION_LIMIT_FEN, permissionsOf, ROLE_PERMISSIONS, type Role } from './policy';

/** The compensation limit that applies: the staff member's own, else the highest default of their roles. */
export function effectiveLimitFen(row: Pick<StaffRow, 'roles' | 'compensationLimitFen'>): number {
  if (row.compensationLimitFen !== null) return row.compensationLimitFen;
  return Math.max(0, ...row.roles.map((r) => DEFAULT_COMPENSATION_LIMIT_FEN[r as Role] ?? 0));
}

/** A staff member as the admin screens see them (schema `Staff`). */
export function presentStaff(row: StaffRow, teamName: string | null) {
  return {
    id: row.id,
    employeeNo: row.employeeNo,
    name: row.name,
    roles: row.roles,
    teamId: row.teamId,
    teamName,
    skills: row.skills,
    compensationLimitFen: row.compensationLimitFen,
    active: row.active,
    totpEnabled: row.totpEnabled,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The signed-in user (schema `Me`). */
export function presentMe(row: StaffRow, teamName: string | null, mustEnrolTotp: boolean) {
  return {
    id: row.id,
    employeeNo: row.employeeNo,
    name: row.name,
    roles: row.roles,
    teamId: row.teamId,
    teamName,
    skills: row.skills,
    compensationLimitFen: effectiveLimitFen(row),
    locale: row.locale,
    timeZone: row.timeZone,
    totpEnabled: row.totpEnabled,
    mustEnrolTotp,
    permissions: [...permissionsOf(row.roles)].sort(),
  };
}

/** The user part of a sign-in answer (schema `SessionUser`). */
export function presentSessionUser(row: StaffRow, mustEnrolTotp: boolean) {
  return {
    id: row.id,
    employeeNo: row.employeeNo,
    name: row.name,
    roles: row.roles,
    teamId: row.teamId,
    locale: row.locale,
    timeZone: row.timeZone,
    totpEnabled: row.totpEnabled,
    mustEnrolTotp,
  };
}

export const presentTeam = (r: { t: TeamRow; supervisorName: string | null; memberCount: number }) => ({
  id: r.t.id,
  name: r.t.name,
  supervisorId: r.t.supervisorId,
  supervisorName: r.supervisorName,
  memberCount: Number(r.memberCount),
});

export const presentCreatedTeam = (row: TeamRow) => ({ id: row.id, name: row.name, supervisorId: row.supervisorId });

export const presentRole = (role: Role, requireTotp: boolean) => ({
  role,
  permissions: [...ROLE_PERMISSIONS[role]],
  requireTotp,
  defaultCompensationLimitFen: DEFAULT_COMPENSATION_LIMIT_FEN[role],
});
