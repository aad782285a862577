import type { Actor } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import type { StaffRow } from './identity.repo';
import { can } from './policy';

/**
 * What an actor may do to one staff record, decided once (the route permission `staff.manage` comes first).
 * Self-protection: nobody disables their own account or drops their own admin role (the last admin stays an admin).
 */
export function staffAbilities(actor: Actor, row: Pick<StaffRow, 'id' | 'roles' | 'totpEnabled'>) {
  const manage = can(actor, 'staff.manage');
  const self = actor.id === row.id;
  return {
    edit: manage,
    disable: manage && !self,
    removeAdminRole: manage && !(self && row.roles.includes('admin')),
    resetPassword: manage,
    resetTotp: manage,
  };
}

/** Refuses a staff edit the record does not allow (400 with the field, as before; plus a stable reason). */
export function assertStaffPatch(actor: Actor, row: StaffRow, patch: { active?: boolean | undefined; roles?: readonly string[] | undefined }): void {
  const may = staffAbilities(actor, row);
  if (patch.active === false && !may.disable) {
    throw new AppError('validation_failed', 'active: you cannot disable your own account', {
      errors: [{ path: 'active', message: 'you cannot disable your own account' }],
      reason: 'cannot_disable_self',
    });
  }
  if (patch.roles && !patch.roles.includes('admin') && row.roles.includes('admin') && !may.removeAdminRole) {
    throw new AppError('validation_failed', 'roles: you cannot remove your own admin role', {
      errors: [{ path: 'roles', message: 'you cannot remove your own admin role' }],
      reason: 'cannot_remove_own_admin',
    });
  }
}

/** TOTP enrolment of one's own account: only when not enrolled yet; confirming needs a started setup. */
export function assertTotpEnrolment(row: Pick<StaffRow, 'totpEnabled' | 'totpPendingSecret'>, step: 'setup' | 'confirm'): void {
  if (row.totpEnabled) {
    throw conflict('totp_already_enrolled', step === 'setup' ? 'TOTP is already enrolled; an administrator can reset it' : 'TOTP is already enrolled');
  }
  if (step === 'confirm' && !row.totpPendingSecret) throw conflict('totp_setup_not_started', 'Start enrolment first (POST /api/v1/me/totp/setup)');
}
