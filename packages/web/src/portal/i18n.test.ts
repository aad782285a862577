/**
 * Translation hygiene of the customer portal (its own dictionaries: src/portal/i18n/*.json).
 *   npx vitest run --project web
 *
 * Fails when
 *  - a key exists in one language but not the other,
 *  - a value is empty (or not a string),
 *  - the {{placeholders}} of a key differ between the languages,
 *  - a key used in portal source is missing: t('key') / i18nKey="key", and every quoted 'ns.key' literal whose
 *    namespace is a top-level group of the dictionaries (keys kept in lookup tables such as STATUS_LABEL),
 *  - a lookup table does not cover every value of its enumeration (ticket statuses, types, error codes),
 *  - portal source shows Chinese text that is not in a dictionary (every string goes through i18n).
 */
import { describe, expect, it } from 'vitest';
import zhCN from './i18n/zh-CN.json';
import en from './i18n/en.json';
import { TICKET_STATUSES, TICKET_TYPES } from './api';
import { STATUS_LABEL, STEPS, TYPE_LABEL, buildTimeline } from './format';
import { KNOWN_ERROR_CODES } from './errors';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, path, out);
    else out.set(path, value);
  }
  return out;
}

const languages = { 'zh-CN': zhCN as Tree, en: en as Tree };
type Lng = keyof typeof languages;
const flat = Object.fromEntries(Object.entries(languages).map(([lng, tree]) => [lng, flatten(tree)])) as Record<Lng, Map<string, unknown>>;
const namespaces = Object.keys(zhCN);

const sources = import.meta.glob<string>(['./**/*.ts', './**/*.tsx', '!./**/*.test.ts', '!./**/*.d.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function usedKeys(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (key: string, file: string) => used.set(key, (used.get(key) ?? new Set()).add(file));
  const nsAlt = namespaces.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const literal = new RegExp(`['"\`]((?:${nsAlt})\\.[A-Za-z0-9_.]+)['"\`]`, 'g');
  for (const [file, raw] of Object.entries(sources)) {
    const text = stripComments(raw);
    for (const m of text.matchAll(/\bt\(\s*['"]([^'"\n]+)['"]/g)) add(m[1]!, file);
    for (const m of text.matchAll(/\bi18nKey=["']([^"'\n]+)["']/g)) add(m[1]!, file);
    for (const m of text.matchAll(literal)) add(m[1]!, file);
  }
  return used;
}

function placeholders(value: unknown): string[] {
  return typeof value === 'string' ? [...value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort() : [];
}

function has(lng: Lng, key: string): boolean {
  return flat[lng].has(key) || flat[lng].has(`${key}_other`);
}

describe('portal i18n', () => {
  it('found the portal sources', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(8);
    expect(Object.keys(sources).some((f) => f.includes('LoginPage'))).toBe(true);
  });

  it('zh-CN and en have the same keys', () => {
    const zh = [...flat['zh-CN'].keys()];
    const e = [...flat.en.keys()];
    expect(
      zh.filter((k) => !flat.en.has(k)),
      'keys only in zh-CN.json',
    ).toEqual([]);
    expect(
      e.filter((k) => !flat['zh-CN'].has(k)),
      'keys only in en.json',
    ).toEqual([]);
  });

  it('has no empty values', () => {
    for (const [lng, map] of Object.entries(flat)) {
      const empty = [...map.entries()].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      expect(empty, `empty or non-string values in ${lng}`).toEqual([]);
    }
  });

  it('uses the same {{placeholders}} in both languages', () => {
    const mismatched = [...flat['zh-CN'].entries()]
      .filter(([k, v]) => flat.en.has(k) && placeholders(v).join() !== placeholders(flat.en.get(k)).join())
      .map(([k]) => k);
    expect(mismatched).toEqual([]);
  });

  it('defines every key used in the portal source', () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const [key, files] of used) {
      for (const lng of Object.keys(languages) as Lng[]) {
        if (!has(lng, key)) missing.push(`${lng}: ${key}  (${[...files].join(', ')})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('covers every status, type, step and known error code', () => {
    const keys = [
      ...TICKET_STATUSES.map((s) => STATUS_LABEL[s]),
      ...TICKET_TYPES.map((ty) => TYPE_LABEL[ty]),
      ...STEPS,
      ...KNOWN_ERROR_CODES.map((c) => `errors.${c}`),
    ];
    for (const lng of Object.keys(languages) as Lng[]) {
      expect(
        keys.filter((k) => !has(lng, k)),
        `missing in ${lng}`,
      ).toEqual([]);
    }
  });

  it('has a sentence for every timeline entry', () => {
    const statuses = TICKET_STATUSES;
    const timeline = [
      { id: '1', at: '2026-11-23T01:00:00Z', kind: 'ticket.created', actorKind: 'customer', actorName: null, data: { type: 'repair' } },
      { id: '1b', at: '2026-11-23T01:00:00Z', kind: 'ticket.created', actorKind: 'staff', actorName: 'x', data: { type: 'repair' } },
      ...statuses.flatMap((to, i) =>
        statuses.map((from, j) => ({
          id: `${i}-${j}`,
          at: '2026-11-23T02:00:00Z',
          kind: 'ticket.status_changed',
          actorKind: j % 2 ? 'customer' : 'staff',
          actorName: 'x',
          data: { from, to },
        })),
      ),
    ];
    const entries = buildTimeline({ type: 'repair', timeline });
    for (const lng of Object.keys(languages) as Lng[]) {
      expect(entries.filter((e) => !has(lng, e.key) || Object.values(e.params ?? {}).some((k) => !has(lng, k))).map((e) => e.key)).toEqual([]);
    }
  });

  it('shows no Chinese text outside the dictionaries', () => {
    const offenders: string[] = [];
    for (const [file, raw] of Object.entries(sources)) {
      const lines = stripComments(raw).split('\n');
      lines.forEach((line, i) => {
        // the logo glyph 尺 comes from the dictionary too; nothing in code should be Chinese
        if (/[\u4e00-\u9fff]/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
