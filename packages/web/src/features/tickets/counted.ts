/**
 * Counted standards (计数型标准) speak in counts, not time: a breach reads "超出次数限制（4 声 > 3 声）" /
 * "Over the count limit (4 rings > 3)" — on the ticket's standard chips, the queue's tags and the timeline.
 */
import type { TFunction } from 'i18next';

const SOURCES = ['ring_count', 'contacts_before_resolution', 'transfers', 'visits'] as const;

/** The count wording of a counted clock or breach event; null when it is not a counted one. */
export function countedText(t: TFunction, c: { observed?: unknown; limit?: unknown; source?: unknown }, outcome: 'over' | 'within' = 'over'): string | null {
  const observed = typeof c.observed === 'number' ? c.observed : null;
  const limit = typeof c.limit === 'number' ? c.limit : null;
  if (observed === null || limit === null) return null;
  const source = (SOURCES as readonly unknown[]).includes(c.source) ? String(c.source) : 'other';
  return t(`stdEvents.count.${outcome}.${source}`, { observed, limit });
}
