/** Next year's holidays: feeds, previewed imports and the coverage status (the shell banner). */
import { useQuery } from '@tanstack/react-query';
import { http, type RequestBodyOf, type ResponseOf } from '../../api/client';

export type HolidayImport = ResponseOf<'get', '/calendars/holiday-imports/{id}'>;
export type HolidayStatus = ResponseOf<'get', '/calendars/holiday-status'>;
export type HolidayFeed = ResponseOf<'get', '/calendars/holiday-feeds'>['items'][number];

export const holidayApi = {
  status: () => http.get('/calendars/holiday-status'),
  preview: (id: string, body: RequestBodyOf<'post', '/calendars/{id}/holiday-imports'>) => http.post('/calendars/{id}/holiday-imports', { path: { id }, body }),
  get: (id: string) => http.get('/calendars/holiday-imports/{id}', { path: { id } }),
  confirm: (id: string) => http.post('/calendars/holiday-imports/{id}/confirm', { path: { id } }),
  discard: (id: string) => http.post('/calendars/holiday-imports/{id}/discard', { path: { id } }),
  feeds: () => http.get('/calendars/holiday-feeds'),
  putFeed: (body: RequestBodyOf<'put', '/calendars/holiday-feeds'>) => http.put('/calendars/holiday-feeds', { body }),
};

export const HOLIDAY_KEYS = {
  status: ['calendars', 'holiday-status'] as const,
  feeds: ['calendars', 'holiday-feeds'] as const,
  import: (id: string) => ['calendars', 'holiday-import', id] as const,
};

export function useHolidayStatus(enabled: boolean) {
  return useQuery({ queryKey: HOLIDAY_KEYS.status, queryFn: holidayApi.status, enabled, staleTime: 5 * 60_000 });
}
