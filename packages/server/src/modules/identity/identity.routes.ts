import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../http/app';
import { clearSessionCookies, ctxOf, setSessionCookies } from '../../http/auth';
import * as cmd from './identity.commands';
import * as s from './identity.schema';

export function registerIdentityRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['identity'];

  app.post('/auth/login', {
    config: { public: true },
    schema: { tags, summary: 'Sign in with employee number, password and TOTP (动态密码)', body: s.LoginBody, response: { 200: s.LoginResponse }, security: [] },
  }, async (req, reply) => {
    const out = await cmd.login(deps, req.body, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id });
    setSessionCookies(reply, out.token, out.csrfToken, new Date(out.expiresAt), deps.config.COOKIE_SECURE);
    return out;
  });

  app.post('/auth/logout', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'End this session' } }, async (req, reply) => {
    await cmd.logout(deps, ctxOf(req));
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.post('/auth/logout-all', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'End every session of the signed-in user' } }, async (req, reply) => {
    await cmd.logoutEverywhere(deps, ctxOf(req));
    clearSessionCookies(reply);
    return reply.status(204).send();
  });

  app.get('/me', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'The signed-in user', response: { 200: s.Me } } },
    async (req) => cmd.getMe(deps, ctxOf(req), req.sessionScope === 'enrol'));

  app.patch('/me', { schema: { tags, body: s.MePatch, response: { 200: s.Me } }, config: { allowDuringEnrolment: true } },
    async (req) => cmd.updateMe(deps, ctxOf(req), req.body, req.sessionScope === 'enrol'));

  app.post('/me/password', { schema: { tags, body: s.PasswordChange } }, async (req, reply) => {
    await cmd.changePassword(deps, ctxOf(req), req.body);
    return reply.status(204).send();
  });

  app.post('/me/totp/setup', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'Start TOTP enrolment: secret and QR code', response: { 200: s.TotpSetup } } },
    async (req) => cmd.totpSetup(deps, ctxOf(req)));

  app.post('/me/totp/confirm', { config: { allowDuringEnrolment: true }, schema: { tags, summary: 'Confirm TOTP with a first code; returns recovery codes once', body: s.TotpConfirm, response: { 200: s.RecoveryCodes } } },
    async (req) => cmd.totpConfirm(deps, ctxOf(req), req.body.code));

  app.get('/staff', { config: { permission: 'staff.view' }, schema: { tags, querystring: s.StaffQuery, response: { 200: s.page(s.Staff) } } },
    async (req) => cmd.listStaff(deps, ctxOf(req), req.query));

  app.post('/staff', { config: { permission: 'staff.manage' }, schema: { tags, body: s.StaffCreate, response: { 201: s.Staff } } }, async (req, reply) => {
    const out = await cmd.createStaff(deps, ctxOf(req), req.body);
    return reply.status(201).send(out);
  });

  app.get('/staff/:id', { config: { permission: 'staff.view' }, schema: { tags, params: s.IdParam, response: { 200: s.Staff } } },
    async (req) => cmd.getStaff(deps, ctxOf(req), req.params.id));

  app.patch('/staff/:id', { config: { permission: 'staff.manage' }, schema: { tags, params: s.IdParam, body: s.StaffPatch, response: { 200: s.Staff } } },
    async (req) => cmd.updateStaff(deps, ctxOf(req), req.params.id, req.body));

  app.post('/staff/:id/reset-password', { config: { permission: 'staff.manage' }, schema: { tags, params: s.IdParam, body: s.ResetPassword } }, async (req, reply) => {
    await cmd.resetStaffPassword(deps, ctxOf(req), req.params.id, req.body.password);
    return reply.status(204).send();
  });

  app.post('/staff/:id/reset-totp', { config: { permission: 'staff.manage' }, schema: { tags, params: s.IdParam } }, async (req, reply) => {
    await cmd.resetStaffTotp(deps, ctxOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/teams', { schema: { tags, response: { 200: z.object({ items: z.array(s.Team) }) } } },
    async (req) => cmd.listTeams(deps, ctxOf(req)));

  app.post('/teams', { config: { permission: 'teams.manage' }, schema: { tags, body: s.TeamCreate, response: { 201: z.object({ id: z.string(), name: z.string(), supervisorId: z.string().nullable() }) } } }, async (req, reply) => {
    const out = await cmd.createTeam(deps, ctxOf(req), req.body);
    return reply.status(201).send(out);
  });

  app.get('/roles', { config: { permission: 'roles.view' }, schema: { tags, summary: 'Role → permission table', response: { 200: s.RolesResponse } } },
    async (req) => cmd.listRoles(deps, ctxOf(req)));

  app.patch('/roles/:role', { config: { permission: 'roles.manage' }, schema: { tags, params: s.RoleParam, body: s.RolePatch, response: { 200: s.RoleRow } } },
    async (req) => cmd.updateRole(deps, ctxOf(req), req.params.role, req.body));
}
