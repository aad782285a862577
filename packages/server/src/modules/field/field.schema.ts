import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);
const day = z.iso.date();

export const SITE_KINDS = ['community', 'building', 'unit', 'room', 'store', 'outlet', 'site'] as const;
export const VISIT_STATES = ['scheduled', 'accepted', 'declined', 'en_route', 'arrived', 'started', 'completed', 'cancelled'] as const;
/** The seeds' visit checklist (上门服务规范): every step is required before a visit is completed. */
export const CHECKLIST_STEPS = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'] as const;

export const SiteCreate = z.object({
  name: text(100),
  parentId: z.uuid().nullable().optional(),
  address: z.string().trim().max(300).nullable().optional(),
  kind: z.enum(SITE_KINDS).optional(),
});
export type SiteCreateInput = z.infer<typeof SiteCreate>;

export const Created = z.object({ id: z.uuid() }).meta({ id: 'FieldCreated' });

export const Site = z
  .object({
    id: z.uuid(),
    parentId: z.uuid().nullable(),
    kind: z.enum(SITE_KINDS),
    name: z.string(),
    address: z.string().nullable(),
    /** Names from the root down to this site, e.g. ["幸福里小区", "3栋", "2单元", "1201"]. */
    path: z.array(z.string()),
    createdAt: z.string(),
  })
  .meta({ id: 'FieldSite' });

export const Asset = z
  .object({
    id: z.uuid(),
    siteId: z.uuid(),
    name: z.string(),
    model: z.string().nullable(),
    serial: z.string().nullable(),
    installDate: z.string().nullable(),
    warrantyEnd: z.string().nullable(),
    inWarranty: z.boolean().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'FieldAsset' });

export const SiteDetail = Site.extend({
  assets: z.array(Asset),
  children: z.array(Site),
  /** Customers linked to this unit / room by their 楼栋 / 单元 / 房号 (phones masked). */
  customers: z.array(z.object({ id: z.uuid(), name: z.string(), phone: z.string().nullable(), room: z.string().nullable() })),
}).meta({ id: 'FieldSiteDetail' });

export const AssetCreate = z.object({
  siteId: z.uuid(),
  name: text(100),
  model: z.string().trim().max(100).nullable().optional(),
  serial: z.string().trim().max(100).nullable().optional(),
  installDate: day.nullable().optional(),
  warrantyEnd: day.nullable().optional(),
});
export type AssetCreateInput = z.infer<typeof AssetCreate>;

export const Qr = z.object({ code: z.string(), svg: z.string() }).meta({ id: 'FieldQr' });

export const ImportBody = z.object({
  /** CSV text: header `path,kind,address` — path is the names from the root joined by " / " (e.g. "幸福里小区 / 3栋 / 2单元"). */
  csv: z.string().min(1).max(2_000_000).optional(),
  /** Or an .xlsx workbook, base64 (its first sheet, same columns; exactly one of csv and xlsx). */
  xlsx: z.string().min(1).max(11_000_000).optional(),
  dryRun: z.boolean().default(true),
});
export const ImportResult = z
  .object({
    dryRun: z.boolean(),
    rows: z.number().int(),
    created: z.number().int(),
    existing: z.number().int(),
    errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
  })
  .meta({ id: 'FieldImportResult' });

export const VisitCreate = z
  .object({
    siteId: z.uuid().nullable().optional(),
    technicianId: z.uuid().nullable().optional(),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .refine((v) => Date.parse(v.end) > Date.parse(v.start), { message: 'end must be after start', path: ['end'] });
export type VisitCreateInput = z.infer<typeof VisitCreate>;

export const Visit = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    siteId: z.uuid().nullable(),
    technicianId: z.uuid().nullable(),
    technicianName: z.string().nullable().optional(),
    start: z.string(),
    end: z.string(),
    state: z.enum(VISIT_STATES),
    declineReason: z.string().nullable(),
    departedAt: z.string().nullable(),
    arrivedAt: z.string().nullable(),
    arrivalMethod: z.enum(['scan', 'manual']).nullable(),
    /** Arrival relative to the window: early / on_time / late (null before arrival). */
    arrivalTiming: z.enum(['early', 'on_time', 'late']).nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    checklist: z.array(z.enum(CHECKLIST_STEPS)),
    notes: z.string().nullable(),
    labourMinutes: z.number().int().nullable(),
    repeatOfId: z.uuid().nullable(),
  })
  .meta({ id: 'FieldVisit' });

export const DayVisit = Visit.extend({
  ticketNumber: z.string(),
  ticketSubject: z.string(),
  priority: z.string(),
  siteName: z.string().nullable(),
  address: z.string().nullable(),
  customerName: z.string().nullable(),
  /** Masked for display (138****1234). */
  customerPhoneMasked: z.string().nullable(),
  /** The number to dial (tel: link); only on the technician's own visits. */
  customerPhone: z.string().nullable(),
  /** SHA-256 (hex) of every code that checks in at this visit's site (site and assets): the phone checks a scan offline. */
  codeHashes: z.array(z.string()),
}).meta({ id: 'FieldDayVisit' });

export const DayQuery = z.object({ date: day.optional() });
export const Arrive = z.object({ code: z.string().trim().min(1).max(200), manual: z.boolean().optional() });
export const Decline = z.object({ reason: text(500) });
export const ChecklistPut = z.object({ steps: z.array(z.enum(CHECKLIST_STEPS)).max(CHECKLIST_STEPS.length) });
export const Complete = z.object({
  notes: z.string().trim().max(5000).optional(),
  labourMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .optional(),
});
