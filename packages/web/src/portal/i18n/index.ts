/**
 * i18n of the customer portal: its own dictionaries (zh-CN default, English switch), separate from the staff
 * app's, so the portal page loads only the strings it uses. Checked by `src/portal/i18n.test.ts`.
 */
import i18n, { DEFAULT_APP_LOCALE, initI18n, isAppLocale, type AppLocale } from '../../lib/i18nSetup';
import zhCN from './zh-CN.json';
import en from './en.json';

export type PortalLocale = AppLocale;
export const PORTAL_LOCALES: readonly PortalLocale[] = ['zh-CN', 'en'];
export const DEFAULT_LOCALE: PortalLocale = DEFAULT_APP_LOCALE;
export const isPortalLocale = isAppLocale;

const setup = initI18n({ 'zh-CN': zhCN, en }, 'chidu.portal.locale');

export function currentLocale(): PortalLocale {
  return setup.current();
}

export async function setLocale(locale: PortalLocale): Promise<void> {
  await setup.change(locale);
}

export default i18n;
