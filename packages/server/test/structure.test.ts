/**
 * The module shape of docs/architecture.md, checked on the tree: every domain has its module file and is listed
 * once in MODULES; SQL lives only in repos, the db folder and migrations (plus the documented exceptions); every
 * module's server texts exist in zh-CN and en; ticket event consumers declare the kinds they take.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../src/i18n/index';
import { MODULES } from '../src/modules/index';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

/**
 * Where SQL may be written besides `*.repo.ts`, `src/db/` and migrations — each with the reason docs/architecture.md
 * gives ("Where SQL lives").
 */
export const SQL_OUTSIDE_REPOS: Record<string, string> = {
  'demo/': 'the demo loader seeds a database in bulk, as a migration would',
  'ops/': 'backups, restores and the move to PostgreSQL copy every table generically',
  'lib/': 'cross-cutting stores of their own tables (audit log, idempotency keys, attempt limiter, secrets, NOTIFY, health probes)',
  'http/': 'the request path: session lookup, the access check of a ticket route, readiness and metrics probes',
  'modules/measures/facts.ts': 'the measures engine: ticket facts computed from the sources and the cube deltas, in SQL by nature',
  'modules/measures/query.ts': 'the measures query planner: SQL over the rollup cubes and facts is its subject',
};

const SQL = /\b(db|tx|ex|executor|client)\.(select|selectDistinct|insert|update|delete|execute|query)\(|\bsql`|\bsql\.(raw|join)\(/;

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('module shape', () => {
  const domains = readdirSync(path.join(src, 'modules')).filter((d) => statSync(path.join(src, 'modules', d)).isDirectory());

  it('every domain has exactly one <domain>.module.ts, listed once in MODULES', () => {
    const missing = domains.filter((d) => !readdirSync(path.join(src, 'modules', d)).includes(`${d}.module.ts`));
    expect(missing).toEqual([]);
    const names = MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const d of domains) expect(names).toContain(d);
  });

  it('no route file starts intervals, consumers or workers (modules declare them)', () => {
    const offenders = walk(src)
      .filter((f) => /routes\.ts$/.test(f))
      .filter((f) => /setInterval\(|onTicketEvent\(|onTicketTransition\(|new \w+Worker\(/.test(stripComments(readFileSync(f, 'utf8'))))
      .map((f) => path.relative(src, f));
    expect(offenders).toEqual([]);
  });

  it('SQL lives in repos, src/db and migrations, or where the architecture guide says why', () => {
    const offenders = walk(src)
      .map((f) => path.relative(src, f).split(path.sep).join('/'))
      .filter((rel) => !rel.endsWith('.repo.ts') && !rel.startsWith('db/'))
      .filter((rel) => !Object.keys(SQL_OUTSIDE_REPOS).some((prefix) => rel.startsWith(prefix)))
      .filter((rel) => SQL.test(stripComments(readFileSync(path.join(src, rel), 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('no time-zone literal outside the one accessor', () => {
    const offenders = walk(src)
      .map((f) => path.relative(src, f).split(path.sep).join('/'))
      .filter((rel) => rel !== 'lib/timezone.ts' && !rel.startsWith('demo/'))
      // Column defaults in the drizzle schema are DDL: the migration cannot call orgTimeZone().
      .filter((rel) => !rel.startsWith('db/'))
      .filter((rel) => /'Asia\/Shanghai'/.test(stripComments(readFileSync(path.join(src, rel), 'utf8'))));
    expect(offenders).toEqual([]);
  });

  it('every module message exists in zh-CN and en', () => {
    for (const m of MODULES) {
      if (!m.messages) continue;
      const zh = Object.keys(m.messages['zh-CN']).sort();
      for (const l of LOCALES) expect(Object.keys(m.messages[l]).sort(), `${m.name} ${l}`).toEqual(zh);
      // The realtime module's texts are the notifications' (`notifications.*`), as the web app names them.
      const prefix = m.name === 'realtime' ? 'notifications.' : `${m.name}.`;
      for (const k of zh) expect(k.startsWith(prefix), `${k} is namespaced by its module`).toBe(true);
    }
  });

  it('every ticket-event consumer declares the kinds it takes', () => {
    for (const m of MODULES) for (const c of m.consumers ?? []) expect(c.kinds === '*' || c.kinds.length > 0, c.name).toBe(true);
  });
});
