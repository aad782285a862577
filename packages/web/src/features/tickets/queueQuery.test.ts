import { afterEach, describe, expect, it, vi } from 'vitest';
import { ticketsApi } from '../../api/endpoints';
import { DUE_SOON_WINDOW_SECONDS, defaultView, queueQuery } from './queueQuery';

/** Stub fetch; returns the URLs requested. */
function captureFetch(body: unknown = { items: [], nextCursor: null }) {
  const urls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      urls.push(url);
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
    }),
  );
  return urls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the 即将超时 (due soon) tab', () => {
  it('asks for open tickets due within its window', () => {
    expect(queueQuery('dueSoon')).toMatchObject({ status: 'open', dueWithinSeconds: DUE_SOON_WINDOW_SECONDS });
    // a status filter narrows the tab; the window stays
    expect(queueQuery('dueSoon', { status: 'in_progress', priority: 'urgent' })).toMatchObject({
      status: 'in_progress',
      priority: 'urgent',
      dueWithinSeconds: DUE_SOON_WINDOW_SECONDS,
    });
    // the other tabs do not send a window
    for (const view of ['mine', 'team', 'unassigned', 'all'] as const) expect(queueQuery(view)).not.toHaveProperty('dueWithinSeconds');
  });

  it('sends dueWithinSeconds to GET /api/v1/tickets', async () => {
    const urls = captureFetch();
    await ticketsApi.list({ ...queueQuery('dueSoon'), limit: 50 });
    expect(urls).toHaveLength(1);
    const url = new URL(urls[0]!, 'http://x');
    expect(url.pathname).toBe('/api/v1/tickets');
    expect(url.searchParams.get('dueWithinSeconds')).toBe(String(DUE_SOON_WINDOW_SECONDS));
    expect(url.searchParams.get('status')).toBe('open');
  });
});

describe('where each role lands (issue #18 item 4)', () => {
  const all = ['mine', 'team', 'unassigned', 'dueSoon', 'attention', 'resolved', 'all'] as const;
  it('agent → 我的工单, supervisor → 我的团队 by deadline, director → 超时与预警, QA → 最近解决', () => {
    expect(defaultView({ roles: ['agent'], canWork: true, canReadAll: false, teamId: 't1' }, ['mine', 'team', 'unassigned', 'dueSoon'])).toBe('mine');
    expect(defaultView({ roles: ['supervisor'], canWork: true, canReadAll: true, teamId: 't1' }, all)).toBe('team');
    expect(defaultView({ roles: ['director'], canWork: true, canReadAll: true, teamId: null }, all)).toBe('attention');
    expect(defaultView({ roles: ['qa'], canWork: false, canReadAll: true, teamId: null }, ['attention', 'resolved', 'all'])).toBe('resolved');
    expect(queueQuery('team')).toMatchObject({ teamId: 'mine', status: 'open', sort: 'due' });
    expect(queueQuery('attention')).toMatchObject({ status: 'open', risk: 'attention', sort: 'due' });
    // a home counter's filter narrows the tab
    expect(queueQuery('team', { risk: 'breached' })).toMatchObject({ teamId: 'mine', risk: 'breached' });
    expect(queueQuery('mine', { risk: 'nonsense' }).risk).toBeUndefined();
  });
});
