import { z } from 'zod';

const Hm = z.string().max(5).describe('HH:MM; an end may be 24:00');
export const Period = z.tuple([Hm, Hm]);
const Periods = z.array(Period).max(48);
export const Weekly = z
  .object({
    mon: Periods.optional(),
    tue: Periods.optional(),
    wed: Periods.optional(),
    thu: Periods.optional(),
    fri: Periods.optional(),
    sat: Periods.optional(),
    sun: Periods.optional(),
  })
  .strict()
  .describe('Local opening periods per weekday; an overnight shift is two periods on two days');
export const Override = z
  .object({
    date: z.string().max(10).describe('YYYY-MM-DD (local)'),
    kind: z.enum(['holiday', 'workday']),
    hours: z.array(Period).max(48).optional().describe('workday only; omitted = the Monday hours'),
    name: z.string().max(200).optional(),
  })
  .strict();
export const Holidays = z.enum(['cn-mainland']).nullable().describe('built-in public holidays and 调休 make-up workdays');

export const CalendarCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000).nullable().optional(),
    timeZone: z.string().min(1).max(64),
    weekly: Weekly,
    holidays: Holidays.optional(),
    overrides: z.array(Override).max(10_000).optional(),
  })
  .strict();
export type CalendarCreateInput = z.infer<typeof CalendarCreate>;

export const CalendarPatch = CalendarCreate.partial().strict();
export type CalendarPatchInput = z.infer<typeof CalendarPatch>;

export const Calendar = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    timeZone: z.string(),
    weekly: Weekly,
    holidays: Holidays,
    overrides: z.array(Override),
    version: z.number().int(),
    coverage: z
      .object({ set: z.string(), fromYear: z.number().int(), toYear: z.number().int() })
      .nullable()
      .describe('years covered by the built-in holiday set (null when the calendar uses none)'),
    uncoveredYears: z
      .array(z.number().int())
      .describe('this year and next that the built-in set does not cover: add their holidays as overrides or import an .ics'),
    warnings: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Calendar' });

export const CalendarListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

const Instant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant with offset, e.g. 2025-09-30T17:00:00+08:00');
export const AddQuery = z.object({
  from: Instant,
  seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(100 * 365 * 86400),
});
export const ElapsedQuery = z.object({ from: Instant, to: Instant });
const DateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
export const DaysQuery = z.object({ from: DateStr, to: DateStr });

export const DayInfo = z
  .object({
    date: z.string(),
    weekday: z.string(),
    kind: z.enum(['workday', 'weekend', 'holiday', 'makeup_workday']),
    name: z.string().nullable(),
    nameEn: z.string().nullable(),
    source: z.enum(['weekly', 'builtin', 'override']),
    periods: z.array(Period),
    openSeconds: z.number(),
    intervals: z.array(z.object({ from: z.string(), to: z.string() })),
  })
  .meta({ id: 'CalendarDay' });

export const IcsJson = z
  .object({
    ics: z.string().min(1).max(2_000_000),
    replace: z.boolean().optional().describe('drop existing overrides first (default false: merge, imported dates win)'),
  })
  .strict();

export const IcsResult = z
  .object({
    imported: z.number().int(),
    added: z.number().int(),
    replaced: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
    calendar: Calendar,
  })
  .meta({ id: 'CalendarIcsImport' });

export const ASSIGNMENT_SCOPES = ['default', 'team', 'site', 'tier', 'customer'] as const;
export const AssignmentPut = z
  .object({
    scope: z.enum(ASSIGNMENT_SCOPES),
    key: z.string().trim().max(200).optional().describe('team id, site name, tier, or customer id (omit for default)'),
    calendarId: z.uuid().nullable().describe('null removes the assignment'),
  })
  .strict();
export const Assignment = z
  .object({ scope: z.enum(ASSIGNMENT_SCOPES), key: z.string(), calendarId: z.string(), calendarName: z.string().nullable() })
  .meta({ id: 'CalendarAssignment' });
export const ResolveQuery = z.object({
  customerId: z.uuid().optional(),
  tier: z.string().max(20).optional(),
  site: z.string().max(200).optional(),
  teamId: z.uuid().optional(),
});
export const Resolved = z
  .object({ calendarId: z.string().nullable(), source: z.enum(ASSIGNMENT_SCOPES).nullable(), calendarName: z.string().nullable() })
  .meta({ id: 'CalendarResolved' });
