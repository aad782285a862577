import type { TicketQuery } from '../../api/types';

export type QueueView = 'mine' | 'team' | 'unassigned' | 'dueSoon' | 'attention' | 'resolved' | 'all';

/** The 即将超时 (due soon) window: open tickets with a running standard due within this many seconds. */
export const DUE_SOON_WINDOW_SECONDS = 3600;

/** What each queue tab asks GET /tickets for. */
export const VIEW_QUERIES: Record<QueueView, TicketQuery> = {
  mine: { ownerId: 'me', status: 'open' },
  // 我的团队: the team's open tickets, nearest deadline first (what a supervisor works through)
  team: { teamId: 'mine', status: 'open', sort: 'due' },
  unassigned: { unassigned: 'true', status: 'new' },
  dueSoon: { status: 'open', dueWithinSeconds: DUE_SOON_WINDOW_SECONDS },
  // 超时与预警: every team's open tickets breached or due within the window, nearest deadline first (directors)
  attention: { status: 'open', risk: 'attention', dueWithinSeconds: DUE_SOON_WINDOW_SECONDS, sort: 'due' },
  // 最近解决: what QA reviews
  resolved: { status: 'resolved,closed' },
  all: {},
};

export type RiskFilter = 'breached' | 'at_risk' | 'attention';

export interface QueueFilters {
  status?: string;
  priority?: string;
  type?: string;
  channel?: string;
  q?: string;
  /** From a home counter: only breached / at-risk tickets of the tab. */
  risk?: string;
}

const RISKS: readonly string[] = ['breached', 'at_risk', 'attention'];

/** A tab's query with the user's filters on top (a status filter replaces the tab's status; the window stays). */
export function queueQuery(view: QueueView, filters: QueueFilters = {}): TicketQuery {
  const base: TicketQuery = { ...VIEW_QUERIES[view] };
  if (filters.status) base.status = filters.status;
  if (filters.risk && RISKS.includes(filters.risk)) {
    base.risk = filters.risk;
    base.dueWithinSeconds = DUE_SOON_WINDOW_SECONDS;
  }
  return { ...base, priority: filters.priority, type: filters.type, channel: filters.channel, q: filters.q || undefined };
}

/** Who answers for what: the tab a role lands on when it has not chosen one. */
export function defaultView(
  p: { roles: readonly string[]; canWork: boolean; canReadAll: boolean; teamId: string | null },
  views: readonly QueueView[],
): QueueView {
  const pick = (v: QueueView) => (views.includes(v) ? v : null);
  const isDirector = p.roles.includes('director') || p.roles.includes('admin');
  const wanted: QueueView[] = isDirector
    ? ['attention']
    : p.roles.includes('supervisor') && p.teamId
      ? ['team']
      : p.canReadAll && !p.canWork
        ? ['resolved']
        : ['mine'];
  for (const v of wanted) if (pick(v)) return v;
  return views[0] ?? 'all';
}

const viewKey = (userId: string) => `chidu.ticketsView.${userId}`;

/** The tab a user chose last (per user, this browser). */
export function rememberedView(userId: string): string | null {
  try {
    return window.localStorage.getItem(viewKey(userId));
  } catch {
    return null;
  }
}

export function rememberView(userId: string, view: QueueView): void {
  try {
    window.localStorage.setItem(viewKey(userId), view);
  } catch {
    /* private mode: not remembered */
  }
}
