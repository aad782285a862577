import type { Locale } from '../i18n/index';
import type { Permission, Role } from '../modules/identity/policy';

export interface StaffActor {
  kind: 'staff';
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  permissions: ReadonlySet<Permission>;
  sessionId: string | null;
  /** The language on the staff member's profile. */
  locale?: string;
}
export interface CustomerActor {
  kind: 'customer';
  id: string;
  customerId: string;
  sessionId: string | null;
}
export interface SystemActor {
  kind: 'system';
  id: null;
  name: string;
}
export type Actor = StaffActor | CustomerActor | SystemActor;

/** What every command receives besides its input: who acts, and where the request came from. */
export interface Ctx {
  actor: Actor;
  requestId: string | null;
  ip: string | null;
  /** The reader's language for server-generated texts (staff: their profile; customers: Accept-Language). */
  locale?: Locale;
}

export const systemCtx = (name = 'system'): Ctx => ({ actor: { kind: 'system', id: null, name }, requestId: null, ip: null });
