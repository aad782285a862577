import { z } from 'zod';
import { PERMISSIONS, ROLES } from './policy';

export const RoleSchema = z.enum(ROLES);
export const LocaleSchema = z.enum(['zh-CN', 'en']);
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone (Area/City)');

export const EmployeeNo = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -');
export const Password = z.string().min(8, 'must be at least 8 characters').max(128);

export const LoginBody = z.object({
  employeeNo: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  otp: z.string().trim().min(1).max(32).optional(),
});

export const SessionUser = z
  .object({
    id: z.string(),
    employeeNo: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    teamId: z.string().nullable(),
    locale: z.string(),
    timeZone: z.string(),
    totpEnabled: z.boolean(),
    mustEnrolTotp: z.boolean(),
  })
  .meta({ id: 'SessionUser' });

export const LoginResponse = z
  .object({
    token: z.string(),
    expiresAt: z.string(),
    csrfToken: z.string(),
    user: SessionUser,
  })
  .meta({ id: 'LoginResponse' });

export const Me = z
  .object({
    ...SessionUser.shape,
    teamName: z.string().nullable(),
    skills: z.array(z.string()),
    compensationLimitFen: z.number().int().describe('the limit that applies: the own one, else the highest default of the roles'),
    permissions: z.array(z.string()),
  })
  .meta({ id: 'Me' });

export const MePatch = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  locale: LocaleSchema.optional(),
  timeZone: timeZone.optional(),
});

export const PasswordChange = z.object({ currentPassword: z.string().min(1).max(256), newPassword: Password });
export const TotpSetup = z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() }).meta({ id: 'TotpSetup' });
export const TotpConfirm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code'),
});
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) }).meta({ id: 'RecoveryCodes' });

export const Staff = z
  .object({
    id: z.string(),
    employeeNo: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    teamId: z.string().nullable(),
    teamName: z.string().nullable(),
    skills: z.array(z.string()),
    compensationLimitFen: z.number().int().nullable(),
    active: z.boolean(),
    totpEnabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Staff' });

const skills = z.array(z.string().trim().min(1).max(32)).max(50);
const limitFen = z.number().int().min(0).max(1_000_000_000);

export const StaffCreate = z.object({
  employeeNo: EmployeeNo,
  name: z.string().trim().min(1).max(64),
  password: Password,
  roles: z.array(RoleSchema).min(1, 'at least one role').max(8),
  teamId: z.uuid().nullable().optional(),
  skills: skills.optional(),
  compensationLimitFen: limitFen.nullable().optional(),
});

export const StaffPatch = z.object({
  name: z.string().trim().min(1).max(64).optional(),
  roles: z.array(RoleSchema).min(1, 'at least one role').max(8).optional(),
  teamId: z.uuid().nullable().optional(),
  skills: skills.optional(),
  compensationLimitFen: limitFen.nullable().optional(),
  active: z.boolean().optional(),
});

export const StaffQuery = z.object({
  q: z.string().trim().max(64).optional(),
  role: RoleSchema.optional(),
  teamId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const ResetPassword = z.object({ password: Password });

export const Team = z
  .object({
    id: z.string(),
    name: z.string(),
    supervisorId: z.string().nullable(),
    supervisorName: z.string().nullable(),
    memberCount: z.number().int(),
  })
  .meta({ id: 'Team' });
export const CreatedTeam = z.object({ id: z.string(), name: z.string(), supervisorId: z.string().nullable() }).meta({ id: 'CreatedTeam' });
export const TeamCreate = z.object({ name: z.string().trim().min(1).max(64), supervisorId: z.uuid().nullable().optional() });

export const RoleRow = z
  .object({
    role: z.string(),
    permissions: z.array(z.string()),
    requireTotp: z.boolean(),
    defaultCompensationLimitFen: z.number().int(),
  })
  .meta({ id: 'Role' });
export const RolesResponse = z.object({ items: z.array(RoleRow), permissions: z.array(z.enum(PERMISSIONS)) }).meta({ id: 'RoleTable' });
export const TeamList = z.object({ items: z.array(Team) });
export const RolePatch = z.object({ requireTotp: z.boolean() });
export const IdParam = z.object({ id: z.uuid() });
export const RoleParam = z.object({ role: RoleSchema });

export const page = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
