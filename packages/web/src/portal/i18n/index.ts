/**
 * i18n of the customer portal: its own dictionaries (zh-CN default, English switch), separate from the staff
 * app's, so the portal page loads only the strings it uses. Checked by `src/portal/i18n.test.ts`.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import zhCN from './zh-CN.json';
import en from './en.json';

export type PortalLocale = 'zh-CN' | 'en';
export const PORTAL_LOCALES: readonly PortalLocale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: PortalLocale = 'zh-CN';
const STORAGE_KEY = 'chidu.portal.locale';

export function isPortalLocale(value: unknown): value is PortalLocale {
  return value === 'zh-CN' || value === 'en';
}

function storedLocale(): PortalLocale {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isPortalLocale(value) ? value : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

function syncSideEffects(lng: string): void {
  const locale: PortalLocale = isPortalLocale(lng) ? lng : DEFAULT_LOCALE;
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
    'zh-CN': { translation: zhCN },
    en: { translation: en },
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

export function currentLocale(): PortalLocale {
  return isPortalLocale(i18n.language) ? i18n.language : DEFAULT_LOCALE;
}

export async function setLocale(locale: PortalLocale): Promise<void> {
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
}

export default i18n;
