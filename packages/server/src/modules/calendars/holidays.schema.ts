import { z } from 'zod';
import { Calendar } from './calendars.schema';

export const HolidayImportInput = z
  .object({
    text: z.string().min(1).max(2_000_000).optional().describe('the file: holiday-cn JSON or iCalendar (.ics)'),
    url: z.string().min(1).max(2000).optional().describe('or a feed URL (.ics or holiday-cn JSON; {year} = this year and next)'),
    fileName: z.string().max(300).optional(),
    replace: z.boolean().optional().describe("also remove the calendar's special dates in the imported years that the feed does not list"),
  })
  .strict();

const DayKind = z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']);
const Change = z.object({
  date: z.string(),
  action: z.enum(['add', 'change', 'remove']),
  kind: z.enum(['holiday', 'workday']),
  name: z.string().nullable(),
  before: z.object({ kind: DayKind, name: z.string().nullable(), source: z.enum(['weekly', 'builtin', 'override']) }),
});
const Year = z.object({
  year: z.number().int(),
  add: z.number().int(),
  change: z.number().int(),
  remove: z.number().int(),
  unchanged: z.number().int(),
  changes: z.array(Change),
});

export const HolidayImport = z
  .object({
    id: z.string(),
    calendarId: z.string(),
    calendarName: z.string().nullable(),
    calendarVersion: z.number().int(),
    source: z.enum(['file', 'url', 'feed']),
    sourceLabel: z.string().nullable(),
    format: z.enum(['holiday-cn', 'ics']),
    replace: z.boolean(),
    years: z.array(Year),
    problems: z.array(z.object({ path: z.string(), line: z.number().int().optional(), column: z.number().int().optional(), message: z.string() })),
    status: z.enum(['pending', 'applied', 'discarded']),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'HolidayImport' });

export const HolidayImportConfirmed = z.object({ import: HolidayImport, calendar: Calendar }).meta({ id: 'HolidayImportConfirmed' });

export const HolidayFeed = z
  .object({
    id: z.string(),
    calendarId: z.string().nullable(),
    calendarName: z.string().nullable(),
    url: z.string(),
    lastCheckedAt: z.string().nullable(),
    lastStatus: z.enum(['ok', 'update_available', 'error', 'checking']).nullable(),
    lastMessage: z.string().nullable(),
    lastYears: z.array(z.number().int()),
  })
  .meta({ id: 'HolidayFeed' });

export const HolidayFeedPut = z
  .object({
    calendarId: z.uuid().nullable().describe('null = the organisation-wide feed (every cn-mainland calendar without its own)'),
    url: z.string().trim().min(1).max(2000).nullable().describe('null removes the feed; {year} is replaced by the year'),
  })
  .strict();

export const HolidayStatusQuery = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .optional()
    .describe('the day to judge (default: today in the organisation zone)'),
});

export const HolidayStatus = z
  .object({
    date: z.string(),
    checkedYears: z.array(z.number().int()),
    banner: z.object({ year: z.number().int(), calendars: z.array(z.object({ id: z.string(), name: z.string() })) }).nullable(),
    calendars: z.array(z.object({ id: z.string(), name: z.string(), inUse: z.boolean(), missingYears: z.array(z.number().int()) })),
    pendingImports: z.array(HolidayImport),
  })
  .meta({ id: 'HolidayStatus' });
