import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { TFunction } from 'i18next';

// The app's i18n set-up touches the document (lang, title); a stand-in is enough in plain Node.
vi.stubGlobal('document', { documentElement: { lang: '' }, title: '', cookie: '' });
vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });

const { default: i18n, applyLocale } = await import('../i18n');
const { errorMessage } = await import('./apiErrors');
const { ApiError } = await import('../api/client');

const t = ((key: string, opts?: Record<string, unknown>) => i18n.t(key, opts)) as TFunction;
const problem = (p: Record<string, unknown>) => new ApiError(Number(p.status ?? 409), p);

beforeAll(() => {
  // A reason as a module would ship it in i18n/extra/errors-<module>.<lng>.json.
  i18n.addResourceBundle('zh-CN', 'translation', { errors: { reason: { test_ticket_closed: '工单 {{number}} 已关闭，不能再操作' } } }, true, true);
  i18n.addResourceBundle('en', 'translation', { errors: { reason: { test_ticket_closed: 'Ticket {{number}} is closed' } } }, true, true);
});

describe('errorMessage: reasons first', () => {
  it('shows errors.reason.<reason> with the problem params, in the current language', async () => {
    const err = problem({ status: 409, code: 'conflict', reason: 'test_ticket_closed', params: { number: 'T-7' }, detail: 'Ticket is closed' });
    await applyLocale('zh-CN');
    expect(errorMessage(err, t)).toBe('工单 T-7 已关闭，不能再操作');
    await applyLocale('en');
    expect(errorMessage(err, t)).toBe('Ticket T-7 is closed');
  });

  it('falls back to the code message for an unknown reason, and without a reason', async () => {
    await applyLocale('en');
    const unknown = problem({ status: 409, code: 'conflict', reason: 'no_such_reason_here', detail: 'x' });
    expect(errorMessage(unknown, t)).toBe(i18n.t('errors.conflict'));
    expect(errorMessage(problem({ status: 409, code: 'conflict', detail: 'x' }), t)).toBe(i18n.t('errors.conflict'));
    // no code message either: the server's detail
    expect(errorMessage(problem({ status: 409, code: 'weird_code', detail: 'Server detail' }), t)).toBe('Server detail');
  });
});
