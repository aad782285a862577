import dayjs, { type Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router-dom';
import type { PeriodPreset } from './common';

const PRESETS: readonly PeriodPreset[] = ['today', '7d', '30d', 'month', '12m'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /^[a-z_]{1,40}$/;

/** Filters a dashboard keeps in its URL (with the check that keeps a hand-edited link from becoming a 400). */
const FILTERS = { teamId: UUID, channel: WORD } as const;
export type UrlFilter = keyof typeof FILTERS;

/**
 * A dashboard's period and filters live in the URL's search params (`period=7d`, or `from`/`to` as YYYY-MM-DD, plus
 * `teamId`, `channel`): a reload or a shared link shows the same view, and the export uses exactly these.
 */
export function useDashboardUrl(defaultPreset: PeriodPreset = '30d') {
  const [sp, setSp] = useSearchParams();
  const p = sp.get('period');
  const preset: PeriodPreset = PRESETS.includes(p as PeriodPreset) ? (p as PeriodPreset) : defaultPreset;
  const from = sp.get('from');
  const to = sp.get('to');
  const range: [Dayjs, Dayjs] | null = from && to && DATE.test(from) && DATE.test(to) && from <= to ? [dayjs(from), dayjs(to)] : null;
  const update = (changes: Record<string, string | undefined>) =>
    setSp(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  const filter = (k: UrlFilter): string | undefined => {
    const v = sp.get(k);
    return v && FILTERS[k].test(v) ? v : undefined;
  };
  return {
    preset,
    range,
    setPreset: (v: PeriodPreset) => update({ period: v, from: undefined, to: undefined }),
    setRange: (r: [Dayjs, Dayjs] | null) =>
      update(r ? { from: r[0].format('YYYY-MM-DD'), to: r[1].format('YYYY-MM-DD'), period: undefined } : { from: undefined, to: undefined }),
    filter,
    setFilter: (k: UrlFilter, v: string | undefined) => update({ [k]: v }),
  };
}
