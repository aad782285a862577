import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import zhCN from './zh-CN.json';
import en from './en.json';
import type { Locale } from '../api/types';

type Tree = { [key: string]: string | Tree };

/**
 * Feature bundles: `src/i18n/extra/<feature>.zh-CN.json` + `<feature>.en.json`, deep-merged into the main
 * dictionaries, so features can own their strings without editing one shared file.
 */
const bundles = import.meta.glob('./extra/*.json', { eager: true, import: 'default' }) as Record<string, Tree>;

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
export const DEFAULT_LOCALE: Locale = 'zh-CN';
const STORAGE_KEY = 'chidu.locale';

export function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

function storedLocale(): Locale {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function syncSideEffects(lng: string): void {
  const locale: Locale = isLocale(lng) ? lng : DEFAULT_LOCALE;
  dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
  document.documentElement.lang = locale;
  document.title = i18n.t('app.documentTitle');
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* storage may be unavailable (private mode) */
  }
}

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: withBundles(zhCN, 'zh-CN') },
    en: { translation: withBundles(en, 'en') },
  },
  lng: storedLocale(),
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: ['zh-CN', 'en'],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
});

i18n.on('languageChanged', syncSideEffects);
syncSideEffects(i18n.language);

export function currentLocale(): Locale {
  return isLocale(i18n.language) ? i18n.language : DEFAULT_LOCALE;
}

/** Switch the UI language (and antd/dayjs with it). Persisting to the user is the caller's job. */
export async function applyLocale(locale: Locale): Promise<void> {
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
}

export default i18n;
