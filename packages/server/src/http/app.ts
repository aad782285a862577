import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { AppError, toProblem } from '../lib/errors';
import { UUID_RE, uuidv7 } from '../lib/ids';
import { setOrgTimeZone } from '../lib/timezone';
import { configureOutbound, parseAllowList } from '../lib/outbound';
import { configureSecrets, resolveSecretKeyring } from '../lib/secretbox';
import { sealStoredSecrets } from '../lib/stored-secrets';
import { can, type Permission } from '../modules/identity/policy';
import { registerModules } from '../modules/index';
import { accessFor, enforceAccess } from './access';
import { authenticate } from './auth';
import { registerMetrics } from './metrics';
import { errorHandler } from './errors';
import { loggerOptions, QuietLogController } from './logger';
import { widgetDemoPage, widgetFrameAncestors } from '../modules/channels/channels.webchat.page';
import { chiduValidatorCompiler, openApiTransform, openApiTransformObject, rejectUndeclaredQuery } from './openapi';
import { syncPlugin } from './plugin';
import { registerResilience } from './resilience';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Checked before the body is read (the command checks it again). */
    permission?: Permission;
  }
}

export type App = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;
export interface AppDeps {
  config: Config;
  database: Database;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_DIST = path.resolve(here, '../../../web/dist');

export async function buildApp(deps: AppDeps, opts: { logger?: boolean } = {}) {
  const { config, database } = deps;
  setOrgTimeZone(config.CHIDU_TIME_ZONE);
  configureOutbound({
    allow: parseAllowList(config.CHIDU_OUTBOUND_ALLOW),
    connectTimeoutMs: config.CHIDU_OUTBOUND_CONNECT_TIMEOUT_MS,
    timeoutMs: config.CHIDU_OUTBOUND_TIMEOUT_MS,
    maxResponseBytes: config.CHIDU_OUTBOUND_MAX_BYTES,
  });
  // Secrets at rest: the keyring (CHIDU_SECRET_KEY or DATA_DIR/secret.key), then seal values left plain (idempotent).
  configureSecrets(resolveSecretKeyring(config, database.kind));
  await sealStoredSecrets(database);
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(config.LOG_LEVEL),
    // Request lines (src/http/logger.ts): server errors and slow requests at the default level, the rest at debug.
    logController: new QuietLogController(config.CHIDU_SLOW_REQUEST_MS),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : uuidv7();
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    return503OnClosing: true,
    forceCloseConnections: false,
  }).withTypeProvider<ZodTypeProvider>();

  // zod validation; query strings are strict (an unknown parameter is a 400 naming it): src/http/openapi.ts.
  app.setValidatorCompiler(chiduValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionScope', null);
  // Load shedding first (before authentication), the storage guard, /readyz.
  registerResilience(app, deps);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chidu 尺度 API',
        version: '1.0.0',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
        description:
          'Service-operations platform. Errors are RFC 9457 problem+json with a stable `code`. Auth: `Authorization: Bearer <token>` from POST /api/v1/auth/login (or the web session cookie with an X-CSRF-Token header).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'chidu_session', description: 'The web session (writes also send X-CSRF-Token = cookie chidu_csrf)' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // Named components, operationIds, problem responses, servers: src/http/openapi.ts (also writes packages/server/openapi.json).
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    // The web chat widget page (/widget/<channel>) sets its own CSP: framed only by the channel's allowed sites.
    const framed = reply.hasHeader('x-chidu-framed');
    if (framed) reply.removeHeader('x-chidu-framed');
    if (!req.url.startsWith('/api/docs') && !framed) {
      reply.header('x-frame-options', 'DENY');
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html')) {
        reply.header(
          'content-security-policy',
          "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' ws: wss:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        );
      }
    }
  });

  // Deny by default: every /api/v1 route needs a session unless its config says `public`.
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/v1/')) return;
    const cfg = req.routeOptions.config;
    if (cfg.public) return;
    await authenticate(database, req, config);
    if (cfg.permission && req.actor && !can(req.actor, cfg.permission)) throw new AppError('forbidden', `Missing permission ${cfg.permission}`);
    // The route's access declaration (its module's *.access.ts): caller kind, permissions, ticket visibility.
    const access = accessFor(req.method, req.routeOptions.url);
    if (access) await enforceAccess(database, req, access);
  });

  // An operation without a query-string schema takes no parameters (with one: strict, chiduValidatorCompiler).
  app.addHook('preValidation', rejectUndeclaredQuery);

  registerMetrics(app, deps);
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(
    syncPlugin((api) => {
      registerModules(api, deps);
    }),
    { prefix: '/api/v1' },
  );

  const webDist = config.WEB_DIST ? path.resolve(config.WEB_DIST) : DEFAULT_WEB_DIST;
  const hasWeb = existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: false,
      // The build writes .br and .gz next to each text asset (packages/web/vite.config.ts): sent when accepted.
      preCompressed: true,
      setHeaders: (res, file) => {
        // Hashed file names under /assets never change: cached for a year; the pages (index.html …) revalidate.
        res.header('cache-control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
        res.header('vary', 'Accept-Encoding');
      },
    });
  }

  app.setNotFoundHandler(async (req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    if (url.startsWith('/api/') || url === '/healthz' || url === '/readyz' || req.method !== 'GET') {
      return reply
        .status(404)
        .type('application/problem+json; charset=utf-8')
        .send(toProblem(new AppError('not_found', `No route ${req.method} ${url}`), req.id));
    }
    if (!hasWeb) {
      return reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>Chidu</title><p>The web app is not built. Run <code>npm start</code> (it builds it) or <code>npm run build</code>.</p>',
        );
    }
    // Static file or SPA route.
    const rel = decodeURIComponent(url).replace(/^\/+/, '');
    if (rel && !rel.includes('..') && existsSync(path.join(webDist, rel)) && !rel.endsWith('/')) {
      return reply.sendFile(rel);
    }
    if (/\.[a-z0-9]{2,5}$/i.test(rel)) {
      return reply
        .status(404)
        .type('application/problem+json; charset=utf-8')
        .send(toProblem(new AppError('not_found', `No file ${url}`), req.id));
    }
    reply.header('cache-control', 'no-cache');
    // The customer portal is its own mobile-first page (portal.html) under /portal.
    if ((url === '/portal' || url.startsWith('/portal/')) && existsSync(path.join(webDist, 'portal.html'))) return reply.sendFile('portal.html');
    // Public survey links (/s/<token>) open the mobile survey page (survey.html).
    if (url.startsWith('/s/') && existsSync(path.join(webDist, 'survey.html'))) return reply.sendFile('survey.html');
    // The web chat widget (/widget/<channel id>, in an iframe on the channel's allowed sites) and its demo host page.
    if (url.startsWith('/widget/') && existsSync(path.join(webDist, 'widget.html'))) {
      const ancestors = await widgetFrameAncestors(database, url.slice('/widget/'.length));
      if (!ancestors) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      reply.header('x-chidu-framed', '1');
      reply.header(
        'content-security-policy',
        `default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors ${ancestors}; base-uri 'self'; form-action 'self'`,
      );
      return reply.sendFile('widget.html');
    }
    if (url === '/widget-demo' && config.CHIDU_DEMO) return reply.type('text/html; charset=utf-8').send(await widgetDemoPage(database, req));
    // One-time visit sign-off links (/signoff/<token>) open the mobile sign-off page (signoff.html).
    if (url.startsWith('/signoff/') && existsSync(path.join(webDist, 'signoff.html'))) return reply.sendFile('signoff.html');
    return reply.sendFile('index.html');
  });

  return app;
}

export { UUID_RE };
