/**
 * Planning a month of mystery-shopper visits (pure, no I/O): spread each site's visits evenly over the month's days,
 * take the channel mix and the kinds in turn, and give each visit to the least-loaded shopper (ties in the given order).
 */
export interface SitePlan {
  siteId: string;
  visits: number;
  channels: readonly string[];
  kinds: readonly string[];
}
export interface PlannedVisit {
  siteId: string;
  channel: string;
  kind: string;
  shopperId: string;
  plannedOn: string;
}

export function daysIn(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The day of the k-th of n visits: the middle of the k-th of n equal parts of the month. */
export function dayOf(month: string, k: number, n: number): string {
  const d = Math.min(daysIn(month), Math.floor(((k + 0.5) * daysIn(month)) / n) + 1);
  return `${month}-${String(d).padStart(2, '0')}`;
}

/**
 * The visits of each site still to plan (`remaining`: how many of its visits are not yet done), with `load` the
 * visits each shopper already has this month.
 */
export function planMonth(
  month: string,
  sites: readonly (SitePlan & { remaining: number })[],
  shopperIds: readonly string[],
  load = new Map<string, number>(),
): PlannedVisit[] {
  const counts = new Map(shopperIds.map((id) => [id, load.get(id) ?? 0]));
  const out: PlannedVisit[] = [];
  for (const s of sites) {
    const skip = s.visits - s.remaining;
    for (let k = skip; k < s.visits; k++) {
      let best = shopperIds[0]!;
      for (const id of shopperIds) if (counts.get(id)! < counts.get(best)!) best = id;
      counts.set(best, counts.get(best)! + 1);
      out.push({
        siteId: s.siteId,
        channel: s.channels[k % s.channels.length]!,
        kind: s.kinds[k % s.kinds.length]!,
        shopperId: best,
        plannedOn: dayOf(month, k, s.visits),
      });
    }
  }
  return out;
}
