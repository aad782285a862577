/**
 * The OpenAPI document, made complete centrally (so route files only declare `summary`, schemas and responses):
 * - shared zod schemas with `.meta({ id })` become named components (`#/components/schemas/<id>`; the request
 *   variant of a schema used on both sides is `<id>Input`), unused ones are left out;
 * - every operation gets a stable `operationId` (`schema.operationId`, else derived from method + path);
 * - every operation documents its problem+json refusals (`Problem`): 400 always, 401/403 unless its access
 *   declaration (src/http/access.ts) says `public`, 404 when the path names a record, 409 on writes, 503 always;
 * - public operations say `security: []`; `servers` names this server.
 * The same document is served at /api/openapi.json and written to packages/server/openapi.json by
 * `npm run openapi` (scripts/openapi.mjs), from which the web app's types are generated.
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import type { FastifyError, FastifyRequest, FastifySchemaCompiler, preValidationHookHandler } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../lib/errors';
import { accessTables, type RouteAccess } from './access';

const API_PREFIX = '/api/v1';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Query strings are strict: a parameter the route does not declare is a 400 naming it (`querystring.<name>`),
 * so a client that drifts from the contract hears about it instead of being silently ignored. A schema that
 * really takes any parameter says so with `z.looseObject` / `.loose()` / `.catchall(...)`.
 */
const strictCache = new WeakMap<object, z.ZodType>();
function strictQuery(schema: unknown): unknown {
  if (!(schema instanceof z.ZodObject)) return schema;
  if (schema.def.catchall !== undefined) return schema; // already strict, loose or a catchall: the route decided
  let strict = strictCache.get(schema);
  if (!strict) {
    strict = schema.strict();
    strictCache.set(schema, strict);
  }
  return strict;
}

export const chiduValidatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) =>
  validatorCompiler(route.httpPart === 'querystring' ? { ...route, schema: strictQuery(route.schema) as z.ZodType } : route);

/**
 * The same rule for `/api/v1` operations that declare no query string at all: any parameter is unknown (400).
 * WebSocket upgrades are exempt (`/ws?token=`: browsers cannot send headers there).
 */
export function undeclaredQueryError(req: FastifyRequest): AppError | null {
  const schema = req.routeOptions.schema;
  if (!schema || schema.querystring || schema.hide || !req.url.startsWith(`${API_PREFIX}/`)) return null;
  if ((req as FastifyRequest & { ws?: boolean }).ws) return null;
  const keys = Object.keys(req.query ?? {});
  if (!keys.length) return null;
  const errors = keys.map((k) => ({ path: `querystring.${k}`, message: 'is not a known parameter' }));
  return new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

/** The preValidation hook that applies {@link undeclaredQueryError}. */
export const rejectUndeclaredQuery: preValidationHookHandler = (req, _reply, done) => {
  const err = undeclaredQueryError(req);
  if (err) done(err as unknown as FastifyError);
  else done();
};

/** The problem+json body of every refusal (src/lib/errors.ts `toProblem`). */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details. `code` is stable per situation class, `reason` (when present) names the exact ' +
    'situation (e.g. code `conflict`, reason `ticket_closed`) with `params` for its message.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'https://chidu.dev/problems/<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'English, for API readers' },
    code: { type: 'string', description: 'Stable machine-readable code (validation_failed, forbidden, conflict, …)' },
    reason: { type: 'string', description: 'Stable snake_case reason within the code' },
    params: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    errors: {
      type: 'array',
      description: 'Field errors; `path` is `body.<field>`-less for the body (`teamId`), `querystring.<name>` or `params.<name>`',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    requestId: { type: 'string' },
  },
  additionalProperties: true,
} as const;

const PROBLEM_RESPONSES = {
  ValidationFailed: { status: '400', description: 'The request does not match its schema (`validation_failed`; `errors` name the fields)' },
  Unauthenticated: { status: '401', description: 'No valid session or token (`unauthenticated`, `token_expired`)' },
  Forbidden: { status: '403', description: 'Signed in but not allowed (`forbidden`, `csrf_failed`, …)' },
  NotFound: { status: '404', description: 'The record does not exist or the caller may not see it (`not_found`)' },
  Conflict: { status: '409', description: "Refused because of the record's state (`conflict` with a `reason`)" },
  Unavailable: { status: '503', description: 'Overloaded or the database is unavailable (`overloaded`, `database_unavailable`); retry later' },
} as const;
type ProblemResponse = keyof typeof PROBLEM_RESPONSES;

/** `('post', '/api/v1/tickets/{id}/resolve')` → `'postTicketsByIdResolve'`. */
export function operationIdFor(method: string, path: string): string {
  const rest = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
  const words = rest
    .split('/')
    .filter(Boolean)
    .map((seg) => {
      const param = /^\{(.+)\}$/.exec(seg);
      return param ? `By-${param[1]}` : seg;
    });
  const pascal = words
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return `${method.toLowerCase()}${pascal}`;
}

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  responses?: Record<string, unknown>;
  security?: unknown[];
  parameters?: Json[];
}

const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path}`;

function refusalsOf(method: string, path: string, access: RouteAccess | undefined): ProblemResponse[] {
  const out: ProblemResponse[] = ['ValidationFailed'];
  if (path.startsWith(API_PREFIX) && access?.caller !== 'public') out.push('Unauthenticated', 'Forbidden');
  if (/\{[^}]+\}/.test(path)) out.push('NotFound');
  if (WRITE_METHODS.has(method)) out.push('Conflict');
  out.push('Unavailable');
  return out;
}

/** Every `$ref` target under a value. */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') into.add(v);
    else collectRefs(v, into);
  }
}

/** Keep only the component schemas reachable from the paths (the registry lists every `.meta({ id })` schema twice). */
function pruneSchemas(doc: Json): void {
  const components = doc.components as { schemas?: Record<string, unknown>; responses?: unknown } | undefined;
  const schemas = components?.schemas;
  if (!schemas) return;
  const PREFIX = '#/components/schemas/';
  const keep = new Set<string>();
  const pending: unknown[] = [doc.paths, components.responses];
  while (pending.length) {
    const refs = new Set<string>();
    collectRefs(pending.pop(), refs);
    for (const ref of refs) {
      if (!ref.startsWith(PREFIX)) continue;
      const name = ref.slice(PREFIX.length);
      if (keep.has(name)) continue;
      keep.add(name);
      pending.push(schemas[name]);
    }
  }
  components.schemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => keep.has(name)));
}

/** Completes the document (see the file comment); pure apart from reading the access tables. */
/**
 * File downloads: their bodies are files, not JSON, so zod describes no response; the document names the content
 * types here (one place, beside the rest of the document's finishing).
 */
const FILE_RESPONSES: Record<string, { description: string; types: readonly string[] }> = {
  'GET /attachments/{id}': { description: 'The file (Content-Disposition: attachment, X-Content-Type-Options: nosniff)', types: ['application/octet-stream'] },
  'GET /attachments/{id}/thumbnail': { description: 'A JPEG thumbnail of an image attachment', types: ['image/jpeg'] },
  'GET /measures/export': {
    description: 'The measures as CSV or XLSX',
    types: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  },
  'GET /measures/reports/{id}/chart.png': { description: "The report's trend chart", types: ['image/png'] },
};
const binary = { type: 'string', format: 'binary' } as const;

export function finishDocument<T extends Json>(doc: T, access: ReadonlyMap<string, RouteAccess> = accessTables()): T {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Operation>>;
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const id = op.operationId ?? operationIdFor(method, path);
      const clash = seen.get(id);
      if (clash) throw new Error(`operationId ${id} is used by both ${clash} and ${method.toUpperCase()} ${path}; give one a schema.operationId`);
      seen.set(id, `${method.toUpperCase()} ${path}`);
      const decl = access.get(keyOf(method, path));
      const responses: Record<string, unknown> = { ...(op.responses ?? {}) };
      const file = FILE_RESPONSES[keyOf(method, path)];
      if (file) responses['200'] = { description: file.description, content: Object.fromEntries(file.types.map((t) => [t, { schema: binary }])) };
      for (const name of refusalsOf(method, path, decl)) {
        const { status } = PROBLEM_RESPONSES[name];
        if (!(status in responses)) responses[status] = { $ref: `#/components/responses/${name}` };
      }
      const withId: Operation = { operationId: id, ...op, responses };
      if (decl?.caller === 'public' || !path.startsWith(API_PREFIX)) withId.security = [];
      item[method] = withId;
    }
  }
  const components = (doc.components ?? {}) as Json & { schemas?: Record<string, unknown>; responses?: Record<string, unknown> };
  components.schemas = { ...(components.schemas ?? {}), Problem: PROBLEM_SCHEMA };
  components.responses = {
    ...(components.responses ?? {}),
    ...Object.fromEntries(
      Object.entries(PROBLEM_RESPONSES).map(([name, r]) => [
        name,
        {
          description: r.description,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      ]),
    ),
  };
  const out = { ...doc, servers: [{ url: '/', description: 'This Chidu server (operation paths include /api/v1)' }], components } as T & Json;
  pruneSchemas(out);
  return out;
}

/** Per route: zod → JSON Schema, `$ref`s to the named (`.meta({ id })`) components. */
export const openApiTransform: SwaggerTransform = createJsonSchemaTransform({});

const registryComponents = createJsonSchemaTransformObject({});
/** Whole document: add the named components, then complete it (finishDocument). */
export const openApiTransformObject: SwaggerTransformObject = (input) => finishDocument(registryComponents(input) as unknown as Json);
