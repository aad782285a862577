import { z } from 'zod';

const Text = (max: number) => z.string().trim().min(1).max(max);

export const EnvItem = z
  .object({
    key: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, _ and -'),
    label: Text(100),
    kind: z.enum(['measure', 'yesno']).describe('measure: a number checked against [min, max]; yesno: passes on yes'),
    unit: z.string().trim().max(20).nullable().optional(),
    min: z.number().finite().nullable().optional(),
    max: z.number().finite().nullable().optional(),
    minExclusive: z.boolean().optional().describe('true: the value must be strictly above min'),
    maxExclusive: z.boolean().optional().describe('true: the value must be strictly below max (PM2.5 < 35)'),
    source: z.string().trim().max(300).nullable().optional().describe('where the range comes from'),
  })
  .strict()
  .refine((i) => typeof i.min !== 'number' || typeof i.max !== 'number' || i.min <= i.max, { message: 'min must not exceed max', path: ['max'] })
  .meta({ id: 'EnvItem' });

const itemsField = z
  .array(EnvItem)
  .min(1)
  .max(100)
  .refine((xs) => new Set(xs.map((x) => x.key)).size === xs.length, 'item keys must be unique');

export const EnvTemplate = z
  .object({
    id: z.uuid(),
    key: z.string().nullable(),
    name: z.string(),
    version: z.number().int(),
    items: z.array(EnvItem),
    updatedAt: z.string(),
  })
  .meta({ id: 'EnvTemplate' });

export const EnvTemplatePut = z.object({ name: Text(100).optional(), items: itemsField.optional() }).strict();
export type EnvTemplatePutInput = z.infer<typeof EnvTemplatePut>;

export const EnvCheckCreate = z
  .object({
    siteId: z.uuid(),
    templateId: z.uuid(),
    values: z
      .array(z.object({ key: z.string().trim().min(1).max(60), value: z.union([z.number().finite(), z.boolean()]) }).strict())
      .min(1)
      .max(100),
    note: z.string().trim().max(2000).nullable().optional(),
  })
  .strict();
export type EnvCheckCreateInput = z.infer<typeof EnvCheckCreate>;

export const EnvResult = z
  .object({
    key: z.string(),
    label: z.string(),
    kind: z.enum(['measure', 'yesno']),
    unit: z.string().nullable(),
    expected: z.string().describe('the range as text, e.g. "22–26 ℃"'),
    value: z.union([z.number(), z.boolean()]),
    ok: z.boolean(),
  })
  .meta({ id: 'EnvResult' });

export const EnvTask = z
  .object({
    id: z.uuid(),
    checkId: z.uuid(),
    site: z.object({ id: z.uuid(), name: z.string() }),
    item: z.string(),
    label: z.string(),
    value: z.string(),
    expected: z.string(),
    state: z.enum(['open', 'closed']),
    ticket: z.object({ id: z.uuid(), number: z.string() }).nullable(),
    standard: z
      .object({ state: z.string(), dueAt: z.string().nullable(), breached: z.boolean() })
      .nullable()
      .describe('the clock of the corrective standard (ENV-CORRECTIVE), when one is active'),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
    allowed: z.object({ close: z.boolean() }),
  })
  .meta({ id: 'EnvTask' });

export const EnvCheck = z
  .object({
    id: z.uuid(),
    site: z.object({ id: z.uuid(), name: z.string() }),
    templateId: z.uuid(),
    templateVersion: z.number().int(),
    inspector: z.object({ id: z.uuid(), name: z.string() }),
    results: z.array(EnvResult),
    outOfRange: z.number().int().describe('failed items (a measured value out of range, or a "no")'),
    note: z.string().nullable(),
    tasks: z.array(EnvTask),
    createdAt: z.string(),
  })
  .meta({ id: 'EnvCheck' });

export const EnvCheckList = z.object({
  siteId: z.uuid().optional(),
  failed: z.enum(['true', 'false']).optional().describe('true: only checks with an out-of-range item'),
  from: z.iso.date().optional().describe('YYYY-MM-DD (local day, inclusive): with to, the period of GET /env/out-of-range (drill-down)'),
  to: z.iso.date().optional().describe('YYYY-MM-DD (local day, inclusive)'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.uuid().optional(),
});
export const EnvTaskList = z.object({
  state: z.enum(['open', 'closed']).optional(),
  siteId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const EnvTaskClose = z.object({ note: Text(2000).describe('what was done (整改说明)') }).strict();

export const EnvSite = z
  .object({ id: z.uuid(), name: z.string(), kind: z.string(), parentId: z.uuid().nullable(), address: z.string().nullable() })
  .meta({ id: 'EnvSite' });

export const EnvSiteHistory = z.object({
  site: EnvSite,
  checks: z.array(EnvCheck),
  checkCount: z.number().int(),
  outOfRange: z.number().int().describe('failed items over the period'),
  openTasks: z.array(EnvTask),
});

export const EnvPeriod = z.object({
  from: z.iso.date().optional().describe('YYYY-MM-DD (local day, inclusive); default 30 days ago'),
  to: z.iso.date().optional().describe('YYYY-MM-DD (local day, inclusive); default today'),
  siteId: z.uuid().optional(),
});
export const EnvOutOfRange = z.object({
  from: z.string(),
  to: z.string(),
  total: z.object({ checks: z.number().int(), failedChecks: z.number().int(), outOfRange: z.number().int(), openTasks: z.number().int() }),
  sites: z.array(
    z.object({
      site: z.object({ id: z.uuid(), name: z.string() }),
      checks: z.number().int(),
      failedChecks: z.number().int(),
      outOfRange: z.number().int(),
      openTasks: z.number().int(),
    }),
  ),
});
