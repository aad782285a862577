/**
 * The one i18next set-up shared by the staff app (`src/i18n`) and the customer portal (`src/portal/i18n`): zh-CN by
 * default, English as the switch, the choice remembered in localStorage under each app's own key, and dayjs, `<html
 * lang>` and the document title kept in step with the language. Each app passes only its own dictionaries, so the
 * portal page never loads the staff strings.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';

export type AppLocale = 'zh-CN' | 'en';
export const APP_LOCALES: readonly AppLocale[] = ['zh-CN', 'en'];
export const DEFAULT_APP_LOCALE: AppLocale = 'zh-CN';

export function isAppLocale(value: unknown): value is AppLocale {
  return value === 'zh-CN' || value === 'en';
}

type Dictionary = Record<string, unknown>;

export function initI18n(resources: Record<AppLocale, Dictionary>, storageKey: string) {
  let stored: AppLocale = DEFAULT_APP_LOCALE;
  try {
    const value = localStorage.getItem(storageKey);
    if (isAppLocale(value)) stored = value;
  } catch {
    /* storage may be unavailable (private mode) */
  }

  const syncSideEffects = (lng: string): void => {
    const locale: AppLocale = isAppLocale(lng) ? lng : DEFAULT_APP_LOCALE;
    dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
    document.documentElement.lang = locale;
    document.title = i18n.t('app.documentTitle');
    try {
      localStorage.setItem(storageKey, locale);
    } catch {
      /* storage may be unavailable (private mode) */
    }
  };

  void i18n.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: resources['zh-CN'] }, en: { translation: resources.en } },
    lng: stored,
    fallbackLng: DEFAULT_APP_LOCALE,
    supportedLngs: [...APP_LOCALES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
    showSupportNotice: false,
  });
  i18n.on('languageChanged', syncSideEffects);
  syncSideEffects(i18n.language);

  return {
    current: (): AppLocale => (isAppLocale(i18n.language) ? i18n.language : DEFAULT_APP_LOCALE),
    change: async (locale: AppLocale): Promise<void> => {
      if (i18n.language !== locale) await i18n.changeLanguage(locale);
    },
  };
}

export default i18n;
