/**
 * Server-generated texts (event titles, dispatch reasons, notification titles, …) are message keys with
 * parameters, rendered in the reader's language. Each module declares its bundle (`messages` in its module
 * file); keys are namespaced by module (`tickets.event.assigned`). zh-CN is the default and the fallback.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** A parameter: a value, another message (rendered in the same language), or a list of them. */
export type MessageParam = string | number | null | undefined | Message | readonly MessageParam[];
export type MessageParams = Record<string, MessageParam>;
/** A text the server generates, stored or passed as a key with parameters and rendered when read. */
export interface Message {
  key: string;
  params?: MessageParams;
}
/** One module's texts: the same keys in every locale (a test checks). */
export type MessageBundle = Record<Locale, Record<string, string>>;

const catalogs: Record<Locale, Map<string, string>> = { 'zh-CN': new Map(), en: new Map() };

export function registerMessages(bundle: MessageBundle): void {
  for (const locale of LOCALES) for (const [k, v] of Object.entries(bundle[locale])) catalogs[locale].set(k, v);
}

/** Every registered key per locale (for the completeness test). */
export function messageKeys(locale: Locale): string[] {
  return [...catalogs[locale].keys()];
}

export function asLocale(v: string | null | undefined): Locale | null {
  if (!v) return null;
  const s = v.trim().toLowerCase();
  if (s.startsWith('zh')) return 'zh-CN';
  if (s.startsWith('en')) return 'en';
  return null;
}

/** The first supported language of an Accept-Language header, or null. */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...ps] = part.trim().split(';');
      const q = ps.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag ?? '', q: q ? Number(q.slice(2)) || 0 : 1, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const l = asLocale(r.tag);
    if (l) return l;
  }
  return null;
}

const LIST_SEPARATOR: Record<Locale, string> = { 'zh-CN': '、', en: ', ' };
const isMessage = (v: unknown): v is Message => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Message).key === 'string';

function paramText(locale: Locale, v: MessageParam): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (isMessage(v)) return t(locale, v.key, v.params);
  return v.map((x) => paramText(locale, x) ?? '').join(LIST_SEPARATOR[locale]);
}

/**
 * Render a key in a locale: `{name}` placeholders take the parameters (a parameter that is itself a message is
 * rendered in the same language; a list is joined); unknown keys fall back to zh-CN, then the key.
 */
export function t(locale: Locale | undefined, key: string, params: MessageParams = {}): string {
  const l = locale ?? DEFAULT_LOCALE;
  const tpl = catalogs[l].get(key) ?? catalogs[DEFAULT_LOCALE].get(key) ?? key;
  return tpl.replace(/\{(\w+)\}/g, (m, name: string) => paramText(l, params[name]) ?? m);
}

export const render = (locale: Locale | undefined, m: Message): string => t(locale, m.key, m.params);
export const msg = (key: string, params?: MessageParams): Message => (params ? { key, params } : { key });
