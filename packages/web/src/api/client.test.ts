import { afterEach, describe, expect, it, vi } from 'vitest';
import i18next from 'i18next';
import { ApiError, fillPath, http, onAuthEvent } from './client';

interface Seen {
  url: string;
  init: RequestInit;
}
function stubFetch(status: number, body: unknown, contentType = 'application/json') {
  const seen: Seen[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init: RequestInit) => {
      seen.push({ url, init });
      return Promise.resolve(new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': contentType } }));
    }),
  );
  return seen;
}
const header = (s: Seen, name: string) => (s.init.headers as Record<string, string>)[name];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('typed client', () => {
  it('fills and encodes path parameters, drops empty query values', async () => {
    expect(fillPath('/tickets/{id}/replies', { id: 'a/b' })).toBe('/tickets/a%2Fb/replies');
    expect(() => fillPath('/tickets/{id}', {})).toThrow(/missing path parameter id/);
    const seen = stubFetch(200, { items: [], nextCursor: null });
    await http.get('/staff', { query: { q: 'x', teamId: undefined, limit: 5 } });
    expect(seen[0]!.url).toBe('/api/v1/staff?q=x&limit=5');
  });

  it('sends the app language as Accept-Language, and the CSRF token on writes', async () => {
    vi.stubGlobal('document', { cookie: 'chidu_csrf=tok123' });
    const seen = stubFetch(200, { id: '1' });
    await i18next.init({ lng: 'en', resources: {}, showSupportNotice: false });
    await http.post('/tickets/{id}/take', { path: { id: '1' } });
    expect(header(seen[0]!, 'Accept-Language')).toBe('en');
    expect(header(seen[0]!, 'X-CSRF-Token')).toBe('tok123');
    await i18next.changeLanguage('zh-CN');
    await http.get('/me');
    expect(header(seen[1]!, 'Accept-Language')).toBe('zh-CN');
    expect(header(seen[1]!, 'X-CSRF-Token')).toBeUndefined();
  });

  it('turns problem+json into ApiError with code, reason and params; 401 signals the login', async () => {
    vi.stubGlobal('document', { cookie: '' });
    stubFetch(
      409,
      { type: 'x', title: 'Conflict', status: 409, detail: 'Ticket is closed', code: 'conflict', reason: 'ticket_closed', params: { number: 'T-1' } },
      'application/problem+json',
    );
    const err = await http.post('/tickets/{id}/take', { path: { id: '1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', reason: 'ticket_closed', params: { number: 'T-1' }, detail: 'Ticket is closed' });

    const events: string[] = [];
    const off = onAuthEvent((e) => events.push(e));
    stubFetch(401, { code: 'unauthenticated', status: 401 }, 'application/problem+json');
    await http.get('/me').catch(() => undefined);
    off();
    expect(events).toEqual(['unauthorized']);
  });
});
