import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STARTER_SCRIPTS, STARTER_TYPES } from '../src/modules/kb/starter-pack.data';
import { testApp, type TestApp } from './harness';

/** The zh-CN knowledge starter pack (#13 item 8): preview, import on an empty installation, idempotent, searchable. */
let t: TestApp;
let admin: string;
let agent: string;
const api = (m: 'GET' | 'POST', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

beforeAll(async () => {
  t = await testApp();
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => t?.close());

describe('knowledge starter pack', () => {
  it('holds 20 scripts and ten solutions per problem type, none saying 不能/不行 to a customer', () => {
    expect(STARTER_SCRIPTS).toHaveLength(20);
    expect(STARTER_TYPES.length).toBeGreaterThanOrEqual(8);
    for (const type of STARTER_TYPES) expect(type.items, type.category).toHaveLength(10);
    // Seed 001: 避免使用否定句式「不能」「不行」 — only the refusal script's title names them.
    for (const s of STARTER_SCRIPTS) expect(s.body, s.title).not.toMatch(/不能|不行|不知道|不归我管/);
    const titles = STARTER_TYPES.flatMap((x) => x.items.map((i) => `${x.category}/${i.title}`));
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('is for KB managers only; bad input names the field', async () => {
    expect((await api('GET', '/kb/starter-pack', agent)).statusCode).toBe(403);
    expect((await api('POST', '/kb/starter-pack/import', agent, {})).statusCode).toBe(403);
    const bad = await api('POST', '/kb/starter-pack/import', admin, { publish: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('publish');
  });

  it('previews, imports as drafts, and a second import adds nothing', async () => {
    const before = (await api('GET', '/kb/starter-pack', admin)).json();
    expect(before.total).toBe(20 + STARTER_TYPES.length * 10);
    expect(before.toAdd).toBe(before.total);
    const first = await api('POST', '/kb/starter-pack/import', admin, {});
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ added: before.total, skipped: 0, published: 0 });
    const after = (await api('GET', '/kb/starter-pack', admin)).json();
    expect(after.toAdd).toBe(0);
    const again = (await api('POST', '/kb/starter-pack/import', admin, { publish: true })).json();
    expect(again).toMatchObject({ added: 0, skipped: before.total });
    // Drafts are not searchable by agents; tagged 模板 with a review date.
    const list = (await api('GET', '/kb/articles?status=draft&limit=100', admin)).json();
    const script = list.items.find((i: { title: string }) => i.title === '电话标准开场白');
    expect(script).toMatchObject({ kind: 'script', status: 'draft' });
    expect(script.tags).toContain('模板');
    expect((await api('GET', `/kb/search?q=${encodeURIComponent('阳台地漏反水')}`, agent)).json().hits).toHaveLength(0);
  });

  it('published on request: searchable at once by the solution a customer describes', async () => {
    const t2 = await testApp();
    try {
      const a2 = (await t2.as(['admin'])).token;
      const ag2 = (await t2.as(['agent'])).token;
      const r = await t2.inject('POST', '/api/v1/kb/starter-pack/import', a2, { publish: true });
      expect(r.json().published).toBe(20 + STARTER_TYPES.length * 10);
      const hits = (await t2.inject('GET', `/api/v1/kb/search?q=${encodeURIComponent('阳台地漏反水')}`, ag2)).json().hits as { title: string }[];
      expect(hits[0]?.title).toBe('阳台地漏反水、冒水');
      const audit = (await t2.inject('GET', '/api/v1/audit?action=kb.starter_pack.imported', a2)).json();
      expect(audit.items.length).toBe(1);
    } finally {
      await t2.close();
    }
  });
});
