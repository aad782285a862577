/**
 * Translation hygiene. Runs in plain Node under vitest (no DOM, no React plugin needed):
 *   npx vitest run packages/web        (from the repository root)
 *
 * Fails when
 *  - a key exists in one language file but not the other,
 *  - a value is empty (or not a string),
 *  - the {{placeholders}} of a key differ between the languages,
 *  - a literal key used in the source — t('key'), t("key"), i18nKey="key", labelKey/descriptionKey: 'key' —
 *    is missing from either file.
 */
import { describe, expect, it } from 'vitest';
import zhCN from './zh-CN.json';
import en from './en.json';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, path, out);
    else out.set(path, value);
  }
  return out;
}

/** Groups looked up with returnObjects (ids may contain dots, e.g. permissionLabels["staff.manage"]). */
function groupKeys(tree: Tree, prefix = '', out: Set<string> = new Set()): Set<string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') {
      out.add(path);
      groupKeys(value, path, out);
    }
  }
  return out;
}

// Feature bundles (src/i18n/extra/<feature>.<lng>.json) are merged like the app does at start.
const extra = import.meta.glob<Tree>('./extra/*.json', { eager: true, import: 'default' });
function merged(base: Tree, lng: string): Tree {
  const merge = (into: Tree, from: Tree): Tree => {
    const out: Tree = { ...into };
    for (const [k, v] of Object.entries(from)) {
      const cur = out[k];
      out[k] = cur && typeof cur === 'object' && typeof v === 'object' ? merge(cur, v) : v;
    }
    return out;
  };
  let out = base;
  for (const [file, tree] of Object.entries(extra).sort(([a], [b]) => a.localeCompare(b))) if (file.endsWith(`.${lng}.json`)) out = merge(out, tree);
  return out;
}
const languages = { 'zh-CN': merged(zhCN, 'zh-CN'), en: merged(en, 'en') };
const flat = Object.fromEntries(Object.entries(languages).map(([lng, tree]) => [lng, flatten(tree)])) as Record<keyof typeof languages, Map<string, unknown>>;
const groups = Object.fromEntries(Object.entries(languages).map(([lng, tree]) => [lng, groupKeys(tree)])) as Record<keyof typeof languages, Set<string>>;

// Source files, read as text by Vite's glob import (works under vitest without a config file).
// The customer portal (src/portal) has its own dictionaries and test.
const sources = import.meta.glob<string>(['../**/*.ts', '../**/*.tsx', '!../**/*.test.ts', '!../**/*.d.ts', '!../portal/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

const KEY_PATTERNS = [/\bt\(\s*'([^'\n]+)'/g, /\bt\(\s*"([^"\n]+)"/g, /\bi18nKey=["']([^"'\n]+)["']/g, /\b(?:labelKey|descriptionKey):\s*'([^'\n]+)'/g];

function usedKeys(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const [file, text] of Object.entries(sources)) {
    for (const pattern of KEY_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const key = match[1]!;
        used.set(key, [...(used.get(key) ?? []), file]);
      }
    }
  }
  return used;
}

function placeholders(value: unknown): string[] {
  return typeof value === 'string' ? [...value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort() : [];
}

function hasKey(lng: keyof typeof languages, key: string): boolean {
  const f = flat[lng];
  return f.has(key) || f.has(`${key}_other`) || groups[lng].has(key);
}

describe('i18n resources', () => {
  it('found the source files to scan', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it('zh-CN and en have the same keys', () => {
    const zhKeys = [...flat['zh-CN'].keys()];
    const enKeys = [...flat.en.keys()];
    expect(
      zhKeys.filter((k) => !flat.en.has(k)),
      'keys only in zh-CN.json',
    ).toEqual([]);
    expect(
      enKeys.filter((k) => !flat['zh-CN'].has(k)),
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

  it('defines every key used in the source', () => {
    const used = usedKeys();
    expect(used.size).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const [key, files] of used) {
      for (const lng of Object.keys(languages) as (keyof typeof languages)[]) {
        if (!hasKey(lng, key)) missing.push(`${lng}: ${key}  (${[...new Set(files)].join(', ')})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
