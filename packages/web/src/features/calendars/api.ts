/** Business calendars (工作日历) API. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

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
export interface BusinessCalendar {
  id: string;
  name: string;
  description: string | null;
  timeZone: string;
  weekly: Weekly;
  holidays: 'cn-mainland' | null;
  overrides: CalendarOverride[];
  version: number;
  coverage: { set: string; fromYear: number; toYear: number } | null;
  uncoveredYears: number[];
  warnings: string[];
  createdAt: string;
  updatedAt: string;
}
export interface CalendarInput {
  name?: string;
  description?: string | null;
  timeZone?: string;
  weekly?: Weekly;
  holidays?: 'cn-mainland' | null;
  overrides?: CalendarOverride[];
}
export interface DayInfo {
  date: string;
  weekday: string;
  kind: 'workday' | 'weekend' | 'holiday' | 'makeup_workday';
  name: string | null;
  nameEn: string | null;
  source: 'weekly' | 'builtin' | 'override';
  periods: Period[];
  openSeconds: number;
  intervals: { from: string; to: string }[];
}
export const ASSIGNMENT_SCOPES = ['default', 'team', 'site', 'tier', 'customer'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_SCOPES)[number];
export interface Assignment {
  scope: AssignmentScope;
  key: string;
  calendarId: string;
  calendarName: string | null;
}
export interface IcsResult {
  imported: number;
  added: number;
  replaced: number;
  errors: { line: number; message: string }[];
  calendar: BusinessCalendar;
}

const enc = encodeURIComponent;

export const calendarsApi = {
  list: () => api.get<{ items: BusinessCalendar[]; nextCursor: string | null }>('/calendars', { limit: 200 }),
  get: (id: string) => api.get<BusinessCalendar>(`/calendars/${enc(id)}`),
  create: (body: CalendarInput) => api.post<BusinessCalendar>('/calendars', body),
  update: (id: string, body: CalendarInput) => api.patch<BusinessCalendar>(`/calendars/${enc(id)}`, body),
  days: (id: string, from: string, to: string) => api.get<{ timeZone: string; items: DayInfo[] }>(`/calendars/${enc(id)}/days`, { from, to }),
  add: (id: string, from: string, seconds: number) => api.get<{ dueAt: string }>(`/calendars/${enc(id)}/add`, { from, seconds }),
  elapsed: (id: string, from: string, to: string) => api.get<{ seconds: number }>(`/calendars/${enc(id)}/elapsed`, { from, to }),
  importIcs: (id: string, ics: string, replace: boolean) => api.post<IcsResult>(`/calendars/${enc(id)}/import-ics`, { ics, replace }),
  assignments: () => api.get<{ items: Assignment[] }>('/calendars/assignments'),
  putAssignment: (body: { scope: AssignmentScope; key?: string; calendarId: string | null }) =>
    api.put<{ items: Assignment[] }>('/calendars/assignments', body),
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

