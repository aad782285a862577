import type { BusinessCalendar } from '@chidu/core/calendar/index';
import type { Message } from '../../i18n/index';
import { isFree, type Window } from './field.slots';

/** A technician as dispatch sees them. */
export interface Candidate {
  id: string;
  name: string;
  skills: readonly string[];
  /** Site subtrees covered; empty = everywhere. */
  areaSiteIds: readonly string[];
  calendar: BusinessCalendar | null;
  busy: readonly Window[];
  /** Open visits (not completed, cancelled or declined) from now on. */
  openLoad: number;
}

export interface Proposal {
  technicianId: string;
  name: string;
  free: boolean;
  skillMatch: boolean;
  area: 'covered' | 'everywhere' | 'outside';
  openLoad: number;
  /** Free, in the area: may be sent. */
  eligible: boolean;
  reasons: Message[];
}

const m = (key: string, params?: Message['params']): Message =>
  params ? { key: `field.dispatch.reason.${key}`, params } : { key: `field.dispatch.reason.${key}` };

/**
 * Rank technicians for a visit window: eligible (free in their calendar, in the area) first, then by skill, then an
 * explicit area before "everywhere", then the lighter open load, then name. Each carries its reasons (message keys).
 */
export function rankTechnicians(cands: readonly Candidate[], w: Window, skill: string | null, siteAncestors: ReadonlySet<string>): Proposal[] {
  const out = cands.map((c): Proposal => {
    const free = isFree(c.calendar, c.busy, w);
    const skillMatch = skill === null || c.skills.includes(skill);
    // A ticket without a site (e.g. a portal request) has no area to cover: nobody is outside it.
    const area =
      c.areaSiteIds.length === 0 || siteAncestors.size === 0 ? 'everywhere' : c.areaSiteIds.some((a) => siteAncestors.has(a)) ? 'covered' : 'outside';
    const reasons: Message[] = [
      free ? m('free') : c.calendar === null ? m('no_calendar') : c.busy.some((b) => b[0] < w[1] && w[0] < b[1]) ? m('busy') : m('off_calendar'),
      skill === null ? m('skill_any') : skillMatch ? m('skill_match', { skill }) : m('skill_missing', { skill }),
      m(`area_${area}`),
      m('open_load', { n: c.openLoad }),
    ];
    return { technicianId: c.id, name: c.name, free, skillMatch, area, openLoad: c.openLoad, eligible: free && area !== 'outside', reasons };
  });
  const key = (p: Proposal) => [p.eligible ? 0 : 1, p.skillMatch ? 0 : 1, p.area === 'covered' ? 0 : p.area === 'everywhere' ? 1 : 2, p.openLoad] as const;
  return out.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.name.localeCompare(b.name, 'zh-CN') || a.technicianId.localeCompare(b.technicianId);
  });
}
