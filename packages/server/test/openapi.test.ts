/**
 * The OpenAPI document (src/http/openapi.ts) and what it promises: the checked-in copy is current, every operation
 * has a unique operationId and documents its problem+json refusals, and query strings are strict (an unknown
 * parameter is a 400 naming it). Plus the proof that `npm run openapi:check` fails when a schema changed without
 * regenerating.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accessTables } from '../src/http/access';
import { chiduValidatorCompiler, openApiTransform, openApiTransformObject, operationIdFor } from '../src/http/openapi';
import { testApp, type TestApp } from './harness';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SPEC = 'packages/server/openapi.json';
const TYPES = 'packages/web/src/api/schema.gen.ts';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Op = { operationId?: string; responses: Record<string, unknown>; security?: unknown[] };
type Doc = {
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
  servers?: unknown[];
};

let t: TestApp;
let doc: Doc;
beforeAll(async () => {
  t = await testApp();
  doc = t.app.swagger() as unknown as Doc;
});
afterAll(async () => {
  await t?.close();
});

const operations = () => Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => ({ method: m, path: p, op: item[m]! })));

describe('the OpenAPI document', () => {
  it('is what packages/server/openapi.json holds (else: npm run openapi)', () => {
    const checkedIn = JSON.parse(readFileSync(path.join(repo, SPEC), 'utf8'));
    expect(JSON.parse(JSON.stringify(doc)), 'packages/server/openapi.json is stale: run `npm run openapi`').toEqual(checkedIn);
  });

  it('names this server, and every operation has a unique, stable operationId', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operationIdFor('post', '/api/v1/tickets/{id}/resolve')).toBe('postTicketsByIdResolve');
    expect(operationIdFor('get', '/api/v1/kb/articles/{id}/versions/{version}/diff')).toBe('getKbArticlesByIdVersionsByVersionDiff');
    expect(doc.paths['/api/v1/tickets']!.get!.operationId).toBe('getTickets');
  });

  it('documents the problem+json refusals: 400 everywhere, 401/403 unless public, 404 on records, 409 on writes', () => {
    expect(doc.components.schemas.Problem).toMatchObject({ required: expect.arrayContaining(['code', 'status', 'detail']) });
    const access = accessTables();
    for (const { method, path: p, op } of operations()) {
      const where = `${method.toUpperCase()} ${p}`;
      expect(op.responses['400'], where).toBeTruthy();
      expect(op.responses['503'], where).toBeTruthy();
      const decl = access.get(`${method.toUpperCase()} ${p.replace('/api/v1', '')}`);
      if (decl && decl.caller !== 'public') {
        expect(op.responses['401'], where).toBeTruthy();
        expect(op.responses['403'], where).toBeTruthy();
      } else if (decl?.caller === 'public') {
        expect(op.security, where).toEqual([]);
      }
      if (p.includes('{')) expect(op.responses['404'], where).toBeTruthy();
      if (method !== 'get') expect(op.responses['409'], where).toBeTruthy();
    }
    expect(doc.paths['/api/v1/tickets/{id}/resolve']!.post!.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(doc.components.responses.Conflict).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  });

  it('lists only the named component schemas that operations use', () => {
    const text = JSON.stringify(doc.paths) + JSON.stringify(doc.components.responses) + JSON.stringify(doc.components.schemas);
    for (const name of Object.keys(doc.components.schemas)) expect(text, name).toContain(`"#/components/schemas/${name}"`);
  });
});

describe('named components', () => {
  it('a shared zod schema with .meta({ id }) becomes #/components/schemas/<id>, referenced by the operations', async () => {
    const Widget = z.object({ id: z.string(), size: z.number().int() }).meta({ id: 'OpenapiTestWidget' });
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(chiduValidatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } },
      transform: openApiTransform,
      transformObject: openApiTransformObject,
    });
    app.post('/api/v1/widgets', { schema: { summary: 'Create', body: Widget, response: { 201: Widget } } }, async (_req, reply) =>
      reply.status(201).send({ id: 'w', size: 1 }),
    );
    app.get(
      '/api/v1/widgets',
      { schema: { summary: 'List', querystring: z.object({ size: z.coerce.number().optional() }), response: { 200: z.object({ items: z.array(Widget) }) } } },
      () => ({ items: [] }),
    );
    await app.ready();
    const d = app.swagger() as unknown as Doc;
    expect(d.components.schemas.OpenapiTestWidget).toMatchObject({ type: 'object', properties: { size: { type: 'integer' } } });
    expect(d.components.schemas.OpenapiTestWidgetInput).toBeTruthy(); // the request side
    expect(JSON.stringify(d.paths['/api/v1/widgets']!.get!.responses['200'])).toContain('#/components/schemas/OpenapiTestWidget"');
    expect(d.paths['/api/v1/widgets']!.post!.operationId).toBe('postWidgets');
    // no access declaration here, so the operations count as signed-in ones
    expect(d.paths['/api/v1/widgets']!.post!.responses['401']).toEqual({ $ref: '#/components/responses/Unauthenticated' });
    const strict = await app.inject({ method: 'GET', url: '/api/v1/widgets?size=2&colour=red' });
    expect(strict.statusCode).toBe(400); // this bare app has fastify's default error body; the real app's is a problem
    expect(JSON.parse(strict.body).message).toMatch(/colour/);
    await app.close();
  });
});

describe('unknown query parameters', () => {
  let token: string;
  beforeAll(async () => {
    token = (await t.as(['admin'])).token;
  });

  it('are a 400 problem naming each of them', async () => {
    const res = await t.inject('GET', '/api/v1/tickets?dueWithinSecs=5&status=open&colour=red', token);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: 'querystring.dueWithinSecs', message: 'is not a known parameter' },
        { path: 'querystring.colour', message: 'is not a known parameter' },
      ]),
    );
    expect(body.errors).toHaveLength(2);
    expect(body.detail).toContain('querystring.dueWithinSecs');
  });

  it('leave declared parameters working, on every schema-validated list', async () => {
    expect((await t.inject('GET', '/api/v1/tickets?status=open&limit=5', token)).statusCode).toBe(200);
    expect((await t.inject('GET', '/api/v1/staff?q=x&limit=2', token)).statusCode).toBe(200);
    expect((await t.inject('GET', '/api/v1/audit?limit=1', token)).statusCode).toBe(200);
    expect((await t.inject('GET', '/api/v1/staff?limit=2&cachebust=1', token)).statusCode).toBe(400);
  });

  it('are a 400 on operations that declare no query string at all', async () => {
    const res = await t.inject('GET', '/api/v1/me?verbose=1', token);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'querystring.verbose', message: 'is not a known parameter' }]);
    expect((await t.inject('GET', '/api/v1/me', token)).statusCode).toBe(200);
    // refused before anything else only for the signed-in: anonymous callers still get 401 first
    expect((await t.inject('GET', '/api/v1/me?verbose=1')).statusCode).toBe(401);
  });
});

describe('npm run openapi:check', () => {
  it('fails with a clear message when the server schema changed without regenerating', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'chidu-openapi-check-'));
    try {
      for (const rel of [SPEC, TYPES]) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        cpSync(path.join(repo, rel), path.join(root, rel));
      }
      // The checked-in document as it was before a schema gained a field (the code now has one more).
      const stale = JSON.parse(readFileSync(path.join(root, SPEC), 'utf8'));
      const props = stale.paths['/api/v1/tickets'].get.parameters as { name: string }[];
      stale.paths['/api/v1/tickets'].get.parameters = props.filter((p) => p.name !== 'q');
      writeFileSync(path.join(root, SPEC), `${JSON.stringify(stale, null, 2)}\n`);

      const run = spawnSync(process.execPath, [path.join(repo, 'scripts/openapi.mjs'), '--check', '--root', root], { encoding: 'utf8', cwd: repo });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`generated files are stale: ${SPEC}`);
      expect(run.stderr).toContain('npm run openapi');
      expect(run.stderr).toMatch(/^\+.*"name": "q"/m); // the diff shows what changed
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 600_000);
});
