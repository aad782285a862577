import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../src/modules/identity/policy';
import { testApp, type TestApp } from './harness';

/**
 * Bad input on every operation of the OpenAPI document, by a caller allowed to make the call (a staff member holding
 * every role, a signed-in customer, or nobody for public routes), so validation — not access — answers:
 * - a path id that is not a UUID → 400 problem naming `params.<name>`; a well-formed id of nothing → never a 5xx;
 * - a body of the wrong shape (an array, a string, a number) → 400 problem;
 * - each body field given a value of the wrong type, or a 100,000-character string → a 4xx (or accepted), never a 5xx;
 * - a body above the size limit → 413.
 * Any 4xx is problem+json. New operations are swept as they are added.
 */
let t: TestApp;
let staff: string;
let customer: string;

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; format?: string; anyOf?: Schema[]; oneOf?: Schema[]; $ref?: string };
type Op = {
  parameters?: { in: string; name: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
};
type Doc = { paths: Record<string, Record<string, Op>>; components?: { schemas?: Record<string, Schema> } };
let doc: Doc;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const UUID_NIL = '01890000-0000-7000-8000-000000000000';

function resolve(s: Schema | undefined): Schema | undefined {
  if (!s) return s;
  if (s.$ref) return resolve(doc.components?.schemas?.[s.$ref.split('/').pop()!]);
  return s;
}

const typeOf = (s: Schema | undefined): string | undefined => {
  const r = resolve(s);
  if (!r) return undefined;
  if (typeof r.type === 'string') return r.type;
  if (Array.isArray(r.type)) return r.type.find((x) => x !== 'null');
  const alt = r.anyOf ?? r.oneOf;
  return alt ? typeOf(alt.find((x) => resolve(x)?.type !== 'null')) : undefined;
};

/** A value of a type the field does not take. */
function wrongValue(type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return { nested: true };
    case 'number':
    case 'integer':
      return 'not-a-number';
    case 'boolean':
      return 'maybe';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 42;
    default:
      return undefined;
  }
}

interface Target {
  method: (typeof METHODS)[number];
  path: string;
  op: Op;
  token: string | undefined;
}

function targets(): Target[] {
  const out: Target[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/v1/')) continue;
    // Sign-in and sign-out routes would end the sessions the sweep uses; the auth tests cover their input.
    if (/\/auth\/(logout|logout-all)$/.test(p)) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const token = p.startsWith('/api/v1/portal/') ? customer : op.security && op.security.length === 0 ? undefined : staff;
      out.push({ method: m, path: p, op, token });
    }
  }
  return out;
}

const fill = (path: string, op: Op, value: (name: string) => string) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const param = op.parameters?.find((x) => x.in === 'path' && x.name === name);
    return encodeURIComponent(param ? value(name) : 'x');
  });

const uuidParam = (op: Op, name: string) => resolve(op.parameters?.find((x) => x.in === 'path' && x.name === name)?.schema)?.format === 'uuid';

async function call(tg: Target, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: tg.method.toUpperCase() as 'GET',
    url,
    ...(payload !== undefined ? { payload: payload as never } : {}),
    headers: { ...(tg.token ? { authorization: `Bearer ${tg.token}` } : {}), ...headers },
  });
  return res;
}

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string) {
  expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) expect(String(res.headers['content-type']), what).toContain('application/problem+json');
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' }); // demo mode: the portal's sign-in code comes back in the answer
  staff = (await t.as([...ROLES])).token;
  const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: '13900001111' })).json().demoCode;
  customer = (await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone: '13900001111', code })).json().token;
  expect((await t.inject('GET', '/api/v1/portal/me', customer)).statusCode).toBe(200);
  doc = t.app.swagger() as unknown as Doc;
});
afterAll(async () => t?.close());

describe('bad input on every operation', () => {
  it('a path id that is not a UUID is a 400 naming it; an id of nothing is never a 5xx', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const tg of targets()) {
      const names = [...tg.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      for (const name of names.filter((n) => uuidParam(tg.op, n))) {
        const bad = await call(
          tg,
          fill(tg.path, tg.op, (n) => (n === name ? 'not-a-uuid' : UUID_NIL)),
          tg.method === 'get' || tg.method === 'delete' ? undefined : {},
        );
        checked++;
        const named = bad.statusCode === 400 && JSON.stringify(bad.json().errors ?? []).includes(name);
        if (!named) failures.push(`${tg.method.toUpperCase()} ${tg.path} (${name}=not-a-uuid): ${bad.statusCode} ${bad.body.slice(0, 160)}`);
      }
      if (names.length) {
        const none = await call(
          tg,
          fill(tg.path, tg.op, () => UUID_NIL),
          tg.method === 'get' || tg.method === 'delete' ? undefined : {},
        );
        if (none.statusCode >= 500) failures.push(`${tg.method.toUpperCase()} ${tg.path} (ids of nothing): ${none.statusCode} ${none.body.slice(0, 160)}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  });

  it('a body of the wrong shape is a 400; a field of the wrong type or 100,000 characters is never a 5xx', async () => {
    const failures: string[] = [];
    let bodies = 0;
    const big = '漏'.repeat(100_000);
    for (const tg of targets()) {
      const schema = resolve(tg.op.requestBody?.content?.['application/json']?.schema);
      if (!schema || typeOf(schema) !== 'object') continue;
      bodies++;
      const url = fill(tg.path, tg.op, () => UUID_NIL);
      for (const wrong of [[1, 2], 'text', 7]) {
        const res = await call(tg, url, JSON.stringify(wrong), { 'content-type': 'application/json' });
        // 404 when the record is looked up before the body (an id of nothing); otherwise the body is refused.
        if (![400, 404, 413].includes(res.statusCode))
          failures.push(`${tg.method.toUpperCase()} ${tg.path} body ${JSON.stringify(wrong)}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
      for (const [field, fs] of Object.entries(schema.properties ?? {})) {
        const wrong = wrongValue(typeOf(fs));
        for (const value of wrong === undefined ? [big] : [wrong, big]) {
          const res = await call(tg, url, { [field]: value });
          if (res.statusCode >= 500)
            failures.push(`${tg.method.toUpperCase()} ${tg.path} ${field}=${JSON.stringify(value).slice(0, 20)}: ${res.statusCode} ${res.body.slice(0, 160)}`);
          else expectProblem(res, `${tg.method.toUpperCase()} ${tg.path} ${field}`);
        }
      }
    }
    expect(bodies).toBeGreaterThan(50);
    expect(failures).toEqual([]);
  });

  it('a body above the limit is a 413 problem', async () => {
    const tg = targets().find((x) => x.method === 'post' && x.path === '/api/v1/tickets')!;
    const res = await call(tg, '/api/v1/tickets', JSON.stringify({ subject: 'x'.repeat(t.config.BODY_LIMIT_BYTES + 10) }), {
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(413);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
  });
});
