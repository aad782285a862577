import { createContext, useContext, useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { meApi } from '../../api/endpoints';
import type { Me } from '../../api/types';
import { formatDuration, formatInZone, fromNow, safeTimeZone } from '../../lib/time';
import { formatFen } from '../../lib/money';

export const ME_QUERY_KEY = ['me'] as const;

export function useMeQuery() {
  return useQuery({ queryKey: ME_QUERY_KEY, queryFn: meApi.get, staleTime: 5 * 60_000 });
}

const MeContext = createContext<Me | null>(null);
export const MeProvider = MeContext.Provider;

/** The signed-in user. Only valid below the authenticated layout. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe() used outside the authenticated layout');
  return me;
}

/** The signed-in user if available (e.g. the TOTP enrolment shell may not have one). */
export function useOptionalMe(): Me | null {
  return useContext(MeContext);
}

export function hasPermission(me: Pick<Me, 'permissions'> | null | undefined, permission: string | readonly string[] | undefined): boolean {
  if (!permission) return true;
  if (!me) return false;
  const wanted = typeof permission === 'string' ? [permission] : permission;
  return wanted.some((p) => me.permissions.includes(p));
}

export function usePermission(permission: string | readonly string[]): boolean {
  return hasPermission(useOptionalMe(), permission);
}

/** Formatters bound to the user's time zone and UI language. */
export function useFormat() {
  const me = useOptionalMe();
  const { t, i18n } = useTranslation();
  const tz = safeTimeZone(me?.timeZone);
  const lng = i18n.language;
  return useMemo(
    () => ({
      timeZone: tz,
      /** e.g. 2026年11月23日 14:05 */
      dateTime: (iso: string | null | undefined) => formatInZone(iso, tz, t('format.dateTime')),
      /** e.g. 2026-11-23 14:05:09 (tables) */
      tableTime: (iso: string | null | undefined) => formatInZone(iso, tz, t('format.tableTime')),
      date: (iso: string | null | undefined) => formatInZone(iso, tz, t('format.date')),
      /** e.g. 11-23 14:05 (timelines, lists within the last weeks) */
      shortTime: (iso: string | null | undefined) => formatInZone(iso, tz, t('format.shortTime')),
      /** e.g. 2026-11-23 14:05 */
      minuteTime: (iso: string | null | undefined) => formatInZone(iso, tz, t('format.minuteTime')),
      money: (fen: number | null | undefined) => formatFen(fen, lng),
      /** e.g. 3 小时前 (the exact time goes next to it or in a tooltip) */
      relative: (iso: string | null | undefined) => fromNow(iso),
      /** e.g. 1小时23分 */
      duration: (seconds: number) =>
        formatDuration(
          seconds,
          {
            days: (n) => t('duration.days', { n }),
            hours: (n) => t('duration.hours', { n }),
            minutes: (n) => t('duration.minutes', { n }),
            seconds: (n) => t('duration.seconds', { n }),
          },
          lng === 'en' ? ' ' : '',
        ),
    }),
    [tz, lng, t],
  );
}
