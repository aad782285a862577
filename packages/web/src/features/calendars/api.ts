/** Business calendars (工作日历) API. */
import { useQuery } from '@tanstack/react-query';
import { http, type ItemOf, type RequestBodyOf, type ResponseOf } from '../../api/client';

export const CAL_PERM = { view: 'calendars.view', manage: 'calendars.manage' } as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type Period = [string, string];
export type Weekly = Partial<Record<Weekday, Period[]>>;

export interface CalendarOverride {
  date: string;
  kind: 'holiday' | 'workday';
  hours?: Period[];
  name?: string;
}
export type BusinessCalendar = ResponseOf<'get', '/calendars/{id}'>;
export interface CalendarInput {
  name?: string;
  description?: string | null;
  timeZone?: string;
  weekly?: Weekly;
  holidays?: 'cn-mainland' | null;
  overrides?: CalendarOverride[];
}
export type DayInfo = ItemOf<ResponseOf<'get', '/calendars/{id}/days'>['items']>;
export const ASSIGNMENT_SCOPES = ['default', 'team', 'site', 'tier', 'customer'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_SCOPES)[number];
export type Assignment = ItemOf<ResponseOf<'get', '/calendars/assignments'>['items']>;
export type IcsResult = ResponseOf<'post', '/calendars/{id}/import-ics'>;

export const calendarsApi = {
  list: () => http.get('/calendars', { query: { limit: 200 } }),
  get: (id: string) => http.get('/calendars/{id}', { path: { id } }),
  create: (body: CalendarInput) => http.post('/calendars', { body: body as RequestBodyOf<'post', '/calendars'> }),
  update: (id: string, body: CalendarInput) => http.patch('/calendars/{id}', { path: { id }, body }),
  days: (id: string, from: string, to: string) => http.get('/calendars/{id}/days', { path: { id }, query: { from, to } }),
  add: (id: string, from: string, seconds: number) => http.get('/calendars/{id}/add', { path: { id }, query: { from, seconds } }),
  elapsed: (id: string, from: string, to: string) => http.get('/calendars/{id}/elapsed', { path: { id }, query: { from, to } }),
  importIcs: (id: string, ics: string, replace: boolean) => http.post('/calendars/{id}/import-ics', { path: { id }, body: { ics, replace } }),
  assignments: () => http.get('/calendars/assignments'),
  putAssignment: (body: { scope: AssignmentScope; key?: string; calendarId: string | null }) => http.put('/calendars/assignments', { body }),
};

export const CAL_KEYS = {
  all: ['calendars'] as const,
  list: ['calendars', 'list'] as const,
  one: (id: string) => ['calendars', 'one', id] as const,
  assignments: ['calendars', 'assignments'] as const,
};

export function useCalendars(enabled = true) {
  return useQuery({ queryKey: CAL_KEYS.list, queryFn: calendarsApi.list, enabled, staleTime: 30_000 });
}

/** "09:00-12:00, 13:30-18:00" ⇄ periods */
export function parseHours(text: string): Period[] {
  return text
    .split(/[,，;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [a = '', b = ''] = s.split(/[-–~～]/);
      return [a.trim(), b.trim()] as Period;
    });
}
export const hoursText = (h: Period[] | undefined) => (h ?? []).map((p) => `${p[0]}-${p[1]}`).join(', ');
