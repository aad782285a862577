import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { clearSessionCookies, ctxOf, setSessionCookies } from '../../http/auth';
import { DEFAULT_LOCALE, localeFromAcceptLanguage } from '../../i18n/index';
import type { Ctx } from '../../lib/context';
import * as cmd from './identity.commands';
import * as s from './identity.schema';

/** The context of a caller without a session (sign-in, portal codes): a named system actor, the request's address and language. */
export function anonymousCtx(req: FastifyRequest, name: string): Ctx {
  return {
    actor: { kind: 'system', id: null, name },
    requestId: req.id,
    ip: req.ip,
    locale: localeFromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LOCALE,
  };
}

export function registerIdentityRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];
  const { database, config } = deps;

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Sign in with employee number, password and TOTP (动态密码)',
        body: s.LoginBody,
        response: { 200: s.LoginResponse },
        security: [],
      },
    },
    async (req, reply) => {
      const out = await cmd.login(database, anonymousCtx(req, 'login'), { ...req.body, userAgent: req.headers['user-agent'] ?? null }, config);
      setSessionCookies(reply, out.token, out.csrfToken, new Date(out.expiresAt), config.COOKIE_SECURE);
      return out;
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { allowDuringEnrolment: true },
      schema: { tags, summary: 'End this session', response: { 204: z.null().describe('Signed out') } },
    },
    async (req, reply) => {
      await cmd.logout(database, ctxOf(req));
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      config: { allowDuringEnrolment: true },
      schema: { tags, summary: 'End every session of the signed-in user', response: { 204: z.null().describe('Signed out everywhere') } },
    },
    async (req, reply) => {
      await cmd.logoutEverywhere(database, ctxOf(req));
      clearSessionCookies(reply);
      return reply.status(204).send(null);
    },
  );

  app.get('/me', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'The signed-in user', response: { 200: s.Me } } }, async (req) =>
    cmd.getMe(database, ctxOf(req), req.sessionScope === 'enrol'),
  );

  app.patch(
    '/me',
    {
      schema: { tags, summary: 'Change my name, language or time zone', body: s.MePatch, response: { 200: s.Me } },
      config: { allowDuringEnrolment: true },
    },
    async (req) => cmd.updateMe(database, ctxOf(req), req.body, req.sessionScope === 'enrol'),
  );

  app.post(
    '/me/password',
    {
      schema: {
        tags,
        summary: 'Change my password (every other session ends)',
        body: s.PasswordChange,
        response: { 204: z.null().describe('Password changed') },
      },
    },
    async (req, reply) => {
      await cmd.changePassword(database, ctxOf(req), req.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/me/totp/setup',
    { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'Start TOTP enrolment: secret and QR code', response: { 200: s.TotpSetup } } },
    async (req) => cmd.totpSetup(database, ctxOf(req)),
  );

  app.post(
    '/me/totp/confirm',
    {
      config: { allowDuringEnrolment: true },
      schema: { tags, summary: 'Confirm TOTP with a first code; returns recovery codes once', body: s.TotpConfirm, response: { 200: s.RecoveryCodes } },
    },
    async (req) => cmd.totpConfirm(database, ctxOf(req), req.body.code, config),
  );

  app.get(
    '/staff',
    {
      config: { permission: 'staff.view' },
      schema: { tags, summary: 'Staff members by employee number', querystring: s.StaffQuery, response: { 200: s.page(s.Staff) } },
    },
    async (req) => cmd.listStaff(database, ctxOf(req), req.query),
  );

  app.post(
    '/staff',
    {
      config: { permission: 'staff.manage' },
      schema: { tags, summary: 'Create a staff member', body: s.StaffCreate, response: { 201: s.Staff } },
    },
    async (req, reply) => {
      const out = await cmd.createStaff(database, ctxOf(req), req.body);
      return reply.status(201).send(out);
    },
  );

  app.get(
    '/staff/:id',
    { config: { permission: 'staff.view' }, schema: { tags, summary: 'One staff member', params: s.IdParam, response: { 200: s.Staff } } },
    async (req) => cmd.getStaff(database, ctxOf(req), req.params.id),
  );

  app.patch(
    '/staff/:id',
    {
      config: { permission: 'staff.manage' },
      schema: { tags, summary: 'Edit a staff member (roles, team, skills, limit, active)', params: s.IdParam, body: s.StaffPatch, response: { 200: s.Staff } },
    },
    async (req) => cmd.updateStaff(database, ctxOf(req), req.params.id, req.body),
  );

  app.post(
    '/staff/:id/reset-password',
    {
      config: { permission: 'staff.manage' },
      schema: {
        tags,
        summary: 'Set a new password for a staff member (their sessions end)',
        params: s.IdParam,
        body: s.ResetPassword,
        response: { 204: z.null().describe('Password reset') },
      },
    },
    async (req, reply) => {
      await cmd.resetStaffPassword(database, ctxOf(req), req.params.id, req.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/staff/:id/reset-totp',
    {
      config: { permission: 'staff.manage' },
      schema: {
        tags,
        summary: "Remove a staff member's TOTP enrolment (they enrol again; their sessions end)",
        params: s.IdParam,
        response: { 204: z.null().describe('TOTP reset') },
      },
    },
    async (req, reply) => {
      await cmd.resetStaffTotp(database, ctxOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/teams', { schema: { tags, summary: 'Teams with their supervisor and member count', response: { 200: s.TeamList } } }, async (req) =>
    cmd.listTeams(database, ctxOf(req)),
  );

  app.post(
    '/teams',
    {
      config: { permission: 'teams.manage' },
      schema: { tags, summary: 'Create a team', body: s.TeamCreate, response: { 201: s.CreatedTeam } },
    },
    async (req, reply) => {
      const out = await cmd.createTeam(database, ctxOf(req), req.body);
      return reply.status(201).send(out);
    },
  );

  app.get(
    '/roles',
    { config: { permission: 'roles.view' }, schema: { tags, summary: 'Role → permission table', response: { 200: s.RolesResponse } } },
    async (req) => cmd.listRoles(database, ctxOf(req)),
  );

  app.patch(
    '/roles/:role',
    {
      config: { permission: 'roles.manage' },
      schema: { tags, summary: "Change a role's settings (require TOTP)", params: s.RoleParam, body: s.RolePatch, response: { 200: s.RoleRow } },
    },
    async (req) => cmd.updateRole(database, ctxOf(req), req.params.role, req.body),
  );
}
