import i18n, { DEFAULT_APP_LOCALE, initI18n, isAppLocale } from '../lib/i18nSetup';
import zhCN from './zh-CN.json';
import en from './en.json';
import type { Locale } from '../api/types';

type Tree = { [key: string]: string | Tree };

/**
 * Feature bundles: `src/i18n/extra/<feature>.zh-CN.json` + `<feature>.en.json`, deep-merged into the main
 * dictionaries, so features can own their strings without editing one shared file.
 */
const bundles = import.meta.glob<Tree>('./extra/*.json', { eager: true, import: 'default' });

export function deepMerge(into: Tree, from: Tree): Tree {
  const out: Tree = { ...into };
  for (const [k, v] of Object.entries(from)) {
    const cur = out[k];
    out[k] = cur && typeof cur === 'object' && typeof v === 'object' ? deepMerge(cur, v) : v;
  }
  return out;
}

export function withBundles(base: Tree, lng: 'zh-CN' | 'en', files: Record<string, Tree> = bundles): Tree {
  let out = base;
  for (const [file, tree] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (file.endsWith(`.${lng}.json`)) out = deepMerge(out, tree);
  }
  return out;
}

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: Locale = DEFAULT_APP_LOCALE;
export const isLocale: (value: unknown) => value is Locale = isAppLocale;

const setup = initI18n({ 'zh-CN': withBundles(zhCN, 'zh-CN'), en: withBundles(en, 'en') }, 'chidu.locale');

export function currentLocale(): Locale {
  return setup.current();
}

/** Switch the UI language (and antd/dayjs with it). Persisting to the user is the caller's job. */
export async function applyLocale(locale: Locale): Promise<void> {
  await setup.change(locale);
}

export default i18n;
