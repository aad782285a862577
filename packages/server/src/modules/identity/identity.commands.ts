import QRCode from 'qrcode';
import type { Config } from '../../config';
import type { Database, Executor, Tx } from '../../db/client';
import { DEFAULT_LOCALE } from '../../i18n/index';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx, StaffActor } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { identityRepo, type StaffRow } from './identity.repo';
import { invalidatePrincipal } from '../../http/session-cache';
import { clearAttempts, countAttempt, releaseAttempt } from '../../lib/throttle';
import { authorize, PERMISSIONS, permissionsOf, requireStaff, ROLES, type Role } from './policy';
import { hashPassword, hashRecovery, newRecoveryCodes, newToken, newTotpSecret, RECOVERY_RE, sha256, totpUri, verifyPassword, verifyTotp } from './secrets';
import { openSecret, sealSecret } from '../../lib/secretbox'; // TOTP secrets are stored encrypted
import { identityMessages } from './identity.messages';
import { assertStaffPatch, assertTotpEnrolment } from './identity.policy';
import { presentCreatedTeam, presentMe, presentRole, presentSessionUser, presentStaff, presentTeam } from './identity.present';

export { effectiveLimitFen, presentStaff } from './identity.present';

/** The configuration a sign-in needs (passed explicitly: commands take the database and the context first). */
export type LoginSettings = Pick<Config, 'LOGIN_WINDOW_MINUTES' | 'LOGIN_MAX_FAILURES_ACCOUNT' | 'LOGIN_MAX_FAILURES_IP' | 'SESSION_TTL_HOURS'>;
/** The configuration TOTP enrolment needs (the wrong-code limit). */
export type TotpSettings = Pick<Config, 'LOGIN_WINDOW_MINUTES' | 'LOGIN_MAX_FAILURES_ACCOUNT'>;

const auditedStaffFields = ['employeeNo', 'name', 'roles', 'teamId', 'skills', 'compensationLimitFen', 'active', 'locale', 'timeZone', 'totpEnabled'] as const;
const pick = (row: StaffRow | null) => (row ? Object.fromEntries(auditedStaffFields.map((k) => [k, row[k]])) : null);

// ───────────────────────────── authentication ─────────────────────────────

export interface LoginInput {
  employeeNo: string;
  password: string;
  otp?: string | undefined;
  userAgent: string | null;
}

/** Limiter keys of a sign-in: the account (cleared by a success) and the address (counts failures only). */
export const loginThrottle = {
  account: (account: string) => ({ scope: 'login_account', key: account }),
  ip: (ip: string) => ({ scope: 'login_ip', key: ip }),
};

/**
 * Sign in. `ctx` is the anonymous caller (its request id and address); the audit entry names the staff member.
 */
export async function login(database: Database, ctx: Ctx, input: LoginInput, config: LoginSettings) {
  const { db } = database;
  const meta = { ip: ctx.ip ?? '', userAgent: input.userAgent, requestId: ctx.requestId };
  const account = input.employeeNo.trim().toUpperCase();
  const windowMs = config.LOGIN_WINDOW_MINUTES * 60_000;
  // Count this attempt BEFORE the password is looked at (one upsert each): racing requests cannot all pass a count
  // read earlier. The account first, so that attempts refused for the account do not use up the address budget.
  await countAttempt(db, loginThrottle.account(account), config.LOGIN_MAX_FAILURES_ACCOUNT, windowMs, 'Too many failed sign-in attempts for this account');
  await countAttempt(db, loginThrottle.ip(meta.ip), config.LOGIN_MAX_FAILURES_IP, windowMs, 'Too many failed sign-in attempts from this address');
  const fail = async (reason: string, code: 'invalid_credentials' | 'otp_invalid') => {
    await identityRepo.recordAttempt(db, account, meta.ip, false, reason);
    throw new AppError(code);
  };

  const row = (await identityRepo.staffByEmployeeNo(db, account)) ?? (await identityRepo.staffByEmployeeNo(db, input.employeeNo.trim()));
  const ok = await verifyPassword(row?.passwordHash ?? null, input.password);
  if (!row || !ok) return fail(row ? 'password' : 'unknown_account', 'invalid_credentials');
  if (!row.active) throw new AppError('account_disabled', 'This account is disabled; ask an administrator');

  let usedStep: number | null = null;
  let usedRecovery: string | null = null;
  if (row.totpEnabled && row.totpSecret) {
    if (!input.otp) {
      // The password was right: this attempt guessed nothing, so it does not count towards either limit.
      await releaseAttempt(db, loginThrottle.account(account));
      await releaseAttempt(db, loginThrottle.ip(meta.ip));
      throw new AppError('otp_required', 'Enter the 6-digit dynamic password from your authenticator app');
    }
    if (RECOVERY_RE.test(input.otp)) {
      const h = hashRecovery(input.otp);
      if (!row.recoveryCodeHashes.includes(h)) return fail('recovery_code', 'otp_invalid');
      usedRecovery = h;
    } else {
      const step = await verifyTotp(openSecret(row.totpSecret, 'totp'), input.otp);
      if (step === null) return fail('otp', 'otp_invalid');
      if (row.totpLastStep !== null && step <= row.totpLastStep) return fail('otp_replayed', 'otp_invalid');
      usedStep = step;
    }
  }
  const mustEnrolTotp = !row.totpEnabled && (await identityRepo.requiresTotp(db, row.roles));
  const token = newToken();
  const csrfToken = newToken(18);
  const expiresAt = new Date(Date.now() + config.SESSION_TTL_HOURS * 3_600_000);
  const auditCtx: Ctx = { ...ctx, actor: actorFromRow(row, null) };

  await database
    .transaction(async (tx) => {
      if (usedStep !== null) {
        // Compare-and-set: a concurrent login with the same code loses here.
        if (!(await identityRepo.advanceTotpStep(tx, row.id, usedStep))) throw new AppError('otp_invalid');
      }
      if (usedRecovery !== null) {
        if (!(await identityRepo.useRecoveryCode(tx, row.id, usedRecovery))) throw new AppError('otp_invalid');
      }
      await identityRepo.insertSession(tx, {
        id: uuidv7(),
        tokenHash: sha256(token),
        principalKind: 'staff',
        principalId: row.id,
        scope: mustEnrolTotp ? 'enrol' : 'full',
        csrfToken,
        expiresAt,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
      });
      await identityRepo.recordAttempt(tx, account, meta.ip, true, usedRecovery ? 'recovery_code' : null);
      await clearAttempts(tx, loginThrottle.account(account));
      await releaseAttempt(tx, loginThrottle.ip(meta.ip));
      await writeAudit(tx, auditCtx, {
        action: 'auth.login',
        targetType: 'staff',
        targetId: row.id,
        changes: usedRecovery ? { recoveryCodeUsed: { before: null, after: true } } : null,
      });
    })
    .catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === 'otp_invalid') await identityRepo.recordAttempt(db, account, meta.ip, false, 'otp_race');
      throw err;
    });

  return {
    token,
    csrfToken,
    expiresAt: expiresAt.toISOString(),
    user: presentSessionUser(row, mustEnrolTotp),
  };
}

export function actorFromRow(row: StaffRow, sessionId: string | null): StaffActor {
  return {
    kind: 'staff',
    id: row.id,
    employeeNo: row.employeeNo,
    name: row.name,
    roles: row.roles as Role[],
    teamId: row.teamId,
    permissions: permissionsOf(row.roles),
    sessionId,
    locale: row.locale,
  };
}

export async function logout(database: Database, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  await database.transaction(async (tx) => {
    if (actor.sessionId) await identityRepo.revokeSession(tx, actor.sessionId);
    await writeAudit(tx, ctx, { action: 'auth.logout', targetType: 'staff', targetId: actor.id });
  });
  invalidatePrincipal(actor.id);
}

export async function logoutEverywhere(database: Database, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  await database.transaction(async (tx) => {
    await identityRepo.revokeSessions(tx, 'staff', actor.id);
    await writeAudit(tx, ctx, { action: 'auth.logout_all', targetType: 'staff', targetId: actor.id });
  });
  invalidatePrincipal(actor.id);
}

// ───────────────────────────── self service ─────────────────────────────

export async function getMe(database: Database, ctx: Ctx, mustEnrolTotp: boolean) {
  const actor = requireStaff(ctx.actor);
  const row = await identityRepo.staffById(database.db, actor.id);
  if (!row) throw notFound('Staff');
  return presentMe(row, await identityRepo.teamName(database.db, row.teamId), mustEnrolTotp);
}

export async function updateMe(
  database: Database,
  ctx: Ctx,
  patch: { name?: string | undefined; locale?: string | undefined; timeZone?: string | undefined },
  mustEnrolTotp: boolean,
) {
  const actor = requireStaff(ctx.actor);
  const out = await database.transaction(async (tx) => {
    const before = await identityRepo.staffById(tx, actor.id, true);
    if (!before) throw notFound('Staff');
    const set: Partial<StaffRow> = { updatedAt: new Date() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.locale !== undefined) set.locale = patch.locale;
    if (patch.timeZone !== undefined) set.timeZone = patch.timeZone;
    const after = (await identityRepo.updateStaff(tx, actor.id, set))!;
    await writeAudit(tx, ctx, { action: 'staff.profile_updated', targetType: 'staff', targetId: actor.id, changes: diff(pick(before), pick(after)) });
    return presentMe(after, await identityRepo.teamName(tx, after.teamId), mustEnrolTotp);
  });
  invalidatePrincipal(actor.id);
  return out;
}

export async function changePassword(database: Database, ctx: Ctx, input: { currentPassword: string; newPassword: string }) {
  const actor = requireStaff(ctx.actor);
  const row = await identityRepo.staffById(database.db, actor.id);
  if (!row) throw notFound('Staff');
  if (!(await verifyPassword(row.passwordHash, input.currentPassword))) throw invalid('currentPassword', 'is incorrect');
  const passwordHash = await hashPassword(input.newPassword);
  await database.transaction(async (tx) => {
    await identityRepo.updateStaff(tx, actor.id, { passwordHash, updatedAt: new Date() });
    // Every other session ends; this one stays.
    await identityRepo.revokeOtherStaffSessions(tx, actor.id, actor.sessionId);
    await writeAudit(tx, ctx, {
      action: 'staff.password_changed',
      targetType: 'staff',
      targetId: actor.id,
      changes: { password: { before: '[secret]', after: '[secret]' } },
    });
  });
  invalidatePrincipal(actor.id);
}

export async function totpSetup(database: Database, ctx: Ctx) {
  const actor = requireStaff(ctx.actor);
  return database.transaction(async (tx) => {
    const row = await identityRepo.staffById(tx, actor.id, true);
    if (!row) throw notFound('Staff');
    assertTotpEnrolment(row, 'setup');
    const secret = newTotpSecret();
    await identityRepo.updateStaff(tx, actor.id, { totpPendingSecret: sealSecret(secret, 'totp'), updatedAt: new Date() });
    await writeAudit(tx, ctx, { action: 'staff.totp_setup_started', targetType: 'staff', targetId: actor.id });
    const otpauthUrl = totpUri(secret, row.employeeNo);
    const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 });
    return { secret, otpauthUrl, qrDataUrl };
  });
}

/** Limiter key of TOTP enrolment codes: per staff member, cleared by the confirming code. */
export const totpThrottle = (staffId: string) => ({ scope: 'totp_confirm', key: staffId });

export async function totpConfirm(database: Database, ctx: Ctx, code: string, config: TotpSettings) {
  const actor = requireStaff(ctx.actor);
  const row = await identityRepo.staffById(database.db, actor.id);
  if (!row) throw notFound('Staff');
  assertTotpEnrolment(row, 'confirm');
  // Counted before the code is checked (see lib/throttle.ts): racing guesses get at most the allowed number of checks.
  await countAttempt(
    database.db,
    totpThrottle(actor.id),
    config.LOGIN_MAX_FAILURES_ACCOUNT,
    config.LOGIN_WINDOW_MINUTES * 60_000,
    'Too many wrong dynamic passwords',
  );
  const step = await verifyTotp(openSecret(row.totpPendingSecret!, 'totp'), code);
  if (step === null)
    throw new AppError('otp_invalid', 'The code does not match; check the time on your phone and try the next code', {
      errors: [{ path: 'code', message: 'does not match' }],
    });
  const codes = newRecoveryCodes();
  await database.transaction(async (tx) => {
    await identityRepo.updateStaff(tx, actor.id, {
      totpEnabled: true,
      totpSecret: row.totpPendingSecret,
      totpPendingSecret: null,
      totpLastStep: step,
      recoveryCodeHashes: codes.map(hashRecovery),
      updatedAt: new Date(),
    });
    // A session limited to enrolment becomes a full session.
    if (actor.sessionId) await identityRepo.setSessionScope(tx, actor.sessionId, 'full');
    await clearAttempts(tx, totpThrottle(actor.id));
    await writeAudit(tx, ctx, {
      action: 'staff.totp_enrolled',
      targetType: 'staff',
      targetId: actor.id,
      changes: { totpEnabled: { before: false, after: true } },
    });
  });
  invalidatePrincipal(actor.id);
  return { recoveryCodes: codes };
}

// ───────────────────────────── staff administration ─────────────────────────────

export async function listStaff(
  database: Database,
  ctx: Ctx,
  q: { q?: string | undefined; role?: string | undefined; teamId?: string | undefined; limit: number; cursor?: string | undefined },
) {
  authorize(ctx.actor, 'staff.view');
  const rows = await identityRepo.listStaff(database.db, { ...q, after: q.cursor });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentStaff(r.s, r.teamName));
  return { items, nextCursor: more ? items[items.length - 1]!.employeeNo : null };
}

export async function getStaff(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'staff.view');
  const row = await identityRepo.staffById(database.db, id);
  if (!row) throw notFound('Staff');
  return presentStaff(row, await identityRepo.teamName(database.db, row.teamId));
}

async function assertTeam(ex: Executor, teamId: string | null | undefined) {
  if (teamId && !(await identityRepo.teamById(ex, teamId))) throw invalid('teamId', 'no such team');
}

export interface StaffCreateInput {
  employeeNo: string;
  name: string;
  password: string;
  roles: Role[];
  teamId?: string | null | undefined;
  skills?: string[] | undefined;
  compensationLimitFen?: number | null | undefined;
}

export async function createStaffInTx(tx: Tx, ctx: Ctx, input: StaffCreateInput, passwordHash: string) {
  await assertTeam(tx, input.teamId);
  const id = uuidv7();
  const row = await identityRepo.insertStaff(tx, {
    id,
    employeeNo: input.employeeNo,
    name: input.name,
    passwordHash,
    roles: [...new Set(input.roles)],
    teamId: input.teamId ?? null,
    skills: [...new Set(input.skills ?? [])],
    compensationLimitFen: input.compensationLimitFen ?? null,
  });
  if (!row) {
    throw new AppError('conflict', `Employee number ${input.employeeNo} is already in use`, {
      errors: [{ path: 'employeeNo', message: 'already in use' }],
      reason: 'employee_no_taken',
      params: { employeeNo: input.employeeNo },
    });
  }
  await writeAudit(tx, ctx, { action: 'staff.created', targetType: 'staff', targetId: id, changes: diff(null, pick(row)) });
  return row;
}

export async function createStaff(database: Database, ctx: Ctx, input: StaffCreateInput) {
  authorize(ctx.actor, 'staff.manage');
  const passwordHash = await hashPassword(input.password);
  return database.transaction(async (tx) => {
    const row = await createStaffInTx(tx, ctx, input, passwordHash);
    return presentStaff(row, await identityRepo.teamName(tx, row.teamId));
  });
}

export async function updateStaff(
  database: Database,
  ctx: Ctx,
  id: string,
  patch: Partial<Pick<StaffRow, 'name' | 'roles' | 'teamId' | 'skills' | 'compensationLimitFen' | 'active'>>,
) {
  authorize(ctx.actor, 'staff.manage');
  const out = await database.transaction(async (tx) => {
    const before = await identityRepo.staffById(tx, id, true);
    if (!before) throw notFound('Staff');
    await assertTeam(tx, patch.teamId);
    assertStaffPatch(ctx.actor, before, patch);
    const set: Partial<StaffRow> = { updatedAt: new Date() };
    for (const k of ['name', 'roles', 'teamId', 'skills', 'compensationLimitFen', 'active'] as const) {
      if (patch[k] !== undefined) (set as Record<string, unknown>)[k] = k === 'roles' || k === 'skills' ? [...new Set(patch[k])] : patch[k];
    }
    const after = (await identityRepo.updateStaff(tx, id, set))!;
    if (patch.active === false) await identityRepo.revokeSessions(tx, 'staff', id);
    await writeAudit(tx, ctx, { action: 'staff.updated', targetType: 'staff', targetId: id, changes: diff(pick(before), pick(after)) });
    return presentStaff(after, await identityRepo.teamName(tx, after.teamId));
  });
  invalidatePrincipal(id);
  return out;
}

export async function resetStaffPassword(database: Database, ctx: Ctx, id: string, password: string) {
  authorize(ctx.actor, 'staff.manage');
  const passwordHash = await hashPassword(password);
  await database.transaction(async (tx) => {
    const row = await identityRepo.staffById(tx, id, true);
    if (!row) throw notFound('Staff');
    await identityRepo.updateStaff(tx, id, { passwordHash, updatedAt: new Date() });
    await identityRepo.revokeSessions(tx, 'staff', id);
    await writeAudit(tx, ctx, {
      action: 'staff.password_reset',
      targetType: 'staff',
      targetId: id,
      changes: { password: { before: '[secret]', after: '[secret]' } },
    });
  });
  invalidatePrincipal(id);
}

export async function resetStaffTotp(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'staff.manage');
  await database.transaction(async (tx) => {
    const row = await identityRepo.staffById(tx, id, true);
    if (!row) throw notFound('Staff');
    await identityRepo.updateStaff(tx, id, {
      totpEnabled: false,
      totpSecret: null,
      totpPendingSecret: null,
      totpLastStep: null,
      recoveryCodeHashes: [],
      updatedAt: new Date(),
    });
    await identityRepo.revokeSessions(tx, 'staff', id);
    await writeAudit(tx, ctx, {
      action: 'staff.totp_reset',
      targetType: 'staff',
      targetId: id,
      changes: { totpEnabled: { before: row.totpEnabled, after: false } },
    });
  });
  invalidatePrincipal(id);
}

// ───────────────────────────── teams and roles ─────────────────────────────

export async function listTeams(database: Database, ctx: Ctx) {
  requireStaff(ctx.actor);
  const rows = await identityRepo.listTeams(database.db);
  return { items: rows.map(presentTeam) };
}

export async function createTeamInTx(tx: Tx, ctx: Ctx, input: { name: string; supervisorId?: string | null | undefined }) {
  if (input.supervisorId && !(await identityRepo.staffById(tx, input.supervisorId))) throw invalid('supervisorId', 'no such staff member');
  const id = uuidv7();
  const row = await identityRepo.insertTeam(tx, { id, name: input.name, supervisorId: input.supervisorId ?? null });
  if (!row) {
    throw new AppError('conflict', `A team named ${input.name} exists`, {
      errors: [{ path: 'name', message: 'already exists' }],
      reason: 'team_name_taken',
      params: { name: input.name },
    });
  }
  await writeAudit(tx, ctx, {
    action: 'team.created',
    targetType: 'team',
    targetId: id,
    changes: diff(null, { name: row.name, supervisorId: row.supervisorId }),
  });
  return row;
}

export async function createTeam(database: Database, ctx: Ctx, input: { name: string; supervisorId?: string | null | undefined }) {
  authorize(ctx.actor, 'teams.manage');
  const row = await database.transaction((tx) => createTeamInTx(tx, ctx, input));
  return presentCreatedTeam(row);
}

export async function listRoles(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'roles.view');
  const settings = new Map((await identityRepo.roleSettings(database.db)).map((r) => [r.role, r]));
  return {
    items: ROLES.map((role) => presentRole(role, settings.get(role)?.requireTotp ?? false)),
    permissions: [...PERMISSIONS],
  };
}

export async function updateRole(database: Database, ctx: Ctx, role: Role, input: { requireTotp: boolean }) {
  authorize(ctx.actor, 'roles.manage');
  return database.transaction(async (tx) => {
    const before = await identityRepo.roleSetting(tx, role);
    await identityRepo.upsertRoleSetting(tx, role, input.requireTotp);
    await writeAudit(tx, ctx, {
      action: 'role.updated',
      targetType: 'role',
      targetId: role,
      changes: diff({ requireTotp: before?.requireTotp ?? false }, { requireTotp: input.requireTotp }),
    });
    return presentRole(role, input.requireTotp);
  });
}

/** CHIDU_BOOTSTRAP_ADMIN: creates the first admin when the database has no staff. */
export async function bootstrapAdmin(database: Database, ctx: Ctx, spec: string): Promise<boolean> {
  const sep = spec.indexOf(':');
  const employeeNo = spec.slice(0, sep);
  const password = spec.slice(sep + 1);
  const passwordHash = await hashPassword(password);
  return database.transaction(async (tx) => {
    await identityRepo.lockBootstrap(tx);
    if ((await identityRepo.staffCount(tx)) > 0) return false;
    // The catalogue is not registered yet at start-up (before buildApp): read the module's own bundle.
    const name = identityMessages[ctx.locale ?? DEFAULT_LOCALE]['identity.bootstrap_admin_name']!;
    await createStaffInTx(tx, ctx, { employeeNo, name, password, roles: ['admin'] }, passwordHash);
    return true;
  });
}
