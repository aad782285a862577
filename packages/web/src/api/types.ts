/** Shapes mirrored from the server API (packages/server). All times are ISO 8601 UTC strings. */

export type Locale = 'zh-CN' | 'en';

export const ROLES = ['admin', 'director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer'] as const;
export type Role = (typeof ROLES)[number] | (string & {});

export interface LoginUser {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  locale: Locale;
  timeZone: string;
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
}

export interface LoginRequest {
  employeeNo: string;
  password: string;
  otp?: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  csrfToken: string;
  user: LoginUser;
}

export interface Me {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  teamName: string | null;
  skills: string[];
  compensationLimitFen: number;
  locale: Locale;
  timeZone: string;
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
  permissions: string[];
}

export interface MePatch {
  name?: string;
  locale?: Locale;
  timeZone?: string;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

export interface TotpConfirmResponse {
  recoveryCodes: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Staff {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  teamName: string | null;
  skills: string[];
  compensationLimitFen: number | null;
  active: boolean;
  totpEnabled: boolean;
  createdAt: string;
}

export interface StaffCreate {
  employeeNo: string;
  name: string;
  password: string;
  roles: Role[];
  teamId?: string;
  skills?: string[];
  compensationLimitFen?: number;
}

export interface StaffPatch {
  name?: string;
  roles?: Role[];
  teamId?: string | null;
  skills?: string[];
  compensationLimitFen?: number | null;
  active?: boolean;
}

export interface Team {
  id: string;
  name: string;
  supervisorId: string | null;
  supervisorName: string | null;
  memberCount: number;
}

export interface TeamCreate {
  name: string;
  supervisorId?: string;
}

export interface RoleRow {
  role: Role;
  permissions: string[];
  requireTotp: boolean;
  defaultCompensationLimitFen: number;
}

export interface RolesResponse {
  items: RoleRow[];
  permissions: string[];
}

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  /** 'staff' | 'system' | … */
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  actorEmployeeNo: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  changes: Record<string, FieldChange> | null;
  requestId: string | null;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

export const CUSTOMER_TIERS = ['diamond', 'gold', 'silver', 'regular'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number] | (string & {});

export interface Customer {
  id: string;
  name: string;
  /** Masked by the server, e.g. 138****5678. */
  phone: string | null;
  /** Masked by the server. */
  email: string | null;
  tier: CustomerTier;
  vip: boolean;
  tags: string[];
  /** true when phone/email are masked; GET /customers/{id}?reveal=contact unmasks (needs customers.unmask, audited). */
  masked: boolean;
  createdAt: string;
  updatedAt: string;
  /** Only on create: existing customers with the same phone or e-mail. */
  duplicates?: CustomerDuplicate[];
}

export interface CustomerDuplicate {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  tier: string;
  /** e.g. ['phone'] / ['email'] */
  matchedOn: string[];
}

export interface CustomerCreate {
  name: string;
  phone?: string;
  email?: string;
  tier?: CustomerTier;
  vip?: boolean;
  tags?: string[];
}

/** Permission ids used by the UI. The server is the authority; these only drive menus and buttons. */
export const PERM = {
  staffView: 'staff.view',
  staffManage: 'staff.manage',
  teamsManage: 'teams.manage',
  rolesView: 'roles.view',
  rolesManage: 'roles.manage',
  auditView: 'audit.view',
  customersRead: 'customers.read',
  customersWrite: 'customers.write',
  customersUnmask: 'customers.unmask',
} as const;
