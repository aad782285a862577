import { orgTimeZone } from '../../lib/timezone';

// Building an Intl.DateTimeFormat costs far more than using one: one of each per zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const partFormats = new Map<string, Intl.DateTimeFormat>();
const cached = (m: Map<string, Intl.DateTimeFormat>, tz: string, make: () => Intl.DateTimeFormat) => {
  let f = m.get(tz);
  if (!f) m.set(tz, (f = make()));
  return f;
};

/** The local date (YYYY-MM-DD) of an instant in the organisation's time zone. */
export function localDate(at: Date, tz = orgTimeZone()): string {
  return cached(dateFormats, tz, () => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })).format(at);
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetMs(at: number, tz: string): number {
  const parts = cached(
    partFormats,
    tz,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  ).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(at / 1000) * 1000;
}

/** [start, end) of a local day in the organisation's zone, as instants. */
export function dayBounds(date: string, tz = orgTimeZone()): { from: Date; to: Date } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const at = (dd: number) => {
    const guess = Date.UTC(y, m - 1, dd);
    const first = guess - offsetMs(guess, tz);
    return new Date(guess - offsetMs(first, tz));
  };
  return { from: at(d), to: at(d + 1) };
}
