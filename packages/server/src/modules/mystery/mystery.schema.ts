import { z } from 'zod';

const Text = (max: number) => z.string().trim().min(1).max(max);
export const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
export const CHANNELS = ['phone', 'walk_in', 'chat', 'field'] as const;
export const KINDS = ['mystery', 'open', 'remote'] as const;
export const EVIDENCE = ['photo', 'audio', 'screenshot'] as const;
export const Channel = z.enum(CHANNELS).describe('phone 电话, walk_in 柜台/前台, chat 在线客服, field 上门服务');
export const Kind = z
  .enum(KINDS)
  .describe('mystery 暗访 (unannounced: hidden from the site until submitted), open 明查 (announced), remote 远程 (phone/video)');

export const ScriptCreate = z
  .object({
    title: Text(100),
    siteId: z.uuid().nullable().optional().describe('null: every site'),
    channel: Channel,
    story: Text(4000).describe("the customer's story the shopper plays"),
    steps: z.array(Text(300)).min(1).max(30).describe('the steps to play, in order'),
    scorecardId: z.uuid(),
    evidence: z.array(z.enum(EVIDENCE)).max(3).default([]).describe('what evidence to bring: at least one file of each kind on submission'),
    active: z.boolean().optional(),
  })
  .strict();
export type ScriptCreateInput = z.infer<typeof ScriptCreate>;
export const ScriptPatch = ScriptCreate.partial().strict();
export type ScriptPatchInput = z.infer<typeof ScriptPatch>;

export const Script = z
  .object({
    id: z.uuid(),
    title: z.string(),
    siteId: z.uuid().nullable(),
    siteName: z.string().nullable(),
    channel: Channel,
    story: z.string(),
    steps: z.array(z.string()),
    scorecardId: z.uuid(),
    scorecardName: z.string().nullable(),
    evidence: z.array(z.enum(EVIDENCE)),
    version: z.number().int(),
    active: z.boolean(),
    updatedAt: z.string(),
  })
  .meta({ id: 'MysteryScript' });

export const PlanCreate = z
  .object({
    month: Month,
    sites: z
      .array(
        z
          .object({
            siteId: z.uuid(),
            visits: z.number().int().min(1).max(31).describe('visits this month'),
            channels: z.array(Channel).min(1).max(4).describe('the channel mix, taken in turn'),
            kinds: z.array(Kind).min(1).max(3).default(['mystery']).describe('the kinds, taken in turn'),
          })
          .strict(),
      )
      .min(1)
      .max(200),
    shopperIds: z.array(z.uuid()).min(1).max(50).describe('holders of qa.inspect; visits go to the least loaded in turn'),
  })
  .strict();
export type PlanCreateInput = z.infer<typeof PlanCreate>;

export const VisitCreate = z
  .object({
    scriptId: z.uuid(),
    siteId: z.uuid(),
    kind: Kind,
    shopperId: z.uuid(),
    plannedOn: z.iso.date().describe('YYYY-MM-DD'),
  })
  .strict();
export type VisitCreateInput = z.infer<typeof VisitCreate>;

export const VisitSubmit = z
  .object({
    visitedAt: z.iso.datetime({ offset: true }),
    steps: z.array(z.boolean()).max(30).describe('one per script step, in order: played or not'),
    scores: z
      .array(z.object({ item: z.string().min(1).max(60), score: z.number().finite().nullable(), note: z.string().trim().max(1000).optional() }).strict())
      .min(1)
      .max(100),
    evidence: z.array(z.uuid()).max(20).describe('attachment ids uploaded by the shopper (POST /attachments)'),
    servedIds: z.array(z.uuid()).max(10).default([]).describe('the staff who served the shopper, if known'),
    note: z.string().trim().max(4000).nullable().optional(),
  })
  .strict();
export type VisitSubmitInput = z.infer<typeof VisitSubmit>;

const Named = z.object({ id: z.uuid(), name: z.string(), employeeNo: z.string() });
export const Visit = z
  .object({
    id: z.uuid(),
    kind: Kind,
    state: z.enum(['planned', 'submitted']),
    month: z.string(),
    plannedOn: z.string(),
    overdue: z.boolean(),
    site: z.object({ id: z.uuid(), name: z.string() }),
    channel: Channel,
    shopper: Named.nullable().describe('hidden (null) from the staff served'),
    script: z.object({
      id: z.uuid(),
      version: z.number().int(),
      title: z.string(),
      story: z.string(),
      steps: z.array(z.string()),
      evidence: z.array(z.enum(EVIDENCE)),
    }),
    scorecard: z.object({
      id: z.uuid(),
      version: z.number().int(),
      name: z.string(),
      passMark: z.number(),
      items: z.array(z.record(z.string(), z.unknown())),
    }),
    visitedAt: z.string().nullable(),
    submittedAt: z.string().nullable(),
    steps: z.array(z.object({ step: z.string(), done: z.boolean() })),
    scores: z.array(z.object({ item: z.string(), score: z.number().nullable(), note: z.string().optional() })),
    evidence: z.array(z.object({ attachmentId: z.uuid(), filename: z.string(), mime: z.string(), size: z.number() })),
    served: z.array(Named),
    note: z.string().nullable(),
    score: z.number().nullable(),
    passed: z.boolean().nullable(),
    allowed: z.object({ submit: z.boolean() }),
  })
  .meta({ id: 'MysteryVisit' });

export const VisitList = z
  .object({
    month: Month.optional(),
    siteId: z.uuid().optional(),
    state: z.enum(['planned', 'submitted']).optional(),
    mine: z.enum(['true', 'false']).optional().describe('true: visits assigned to me as shopper'),
  })
  .strict();
export type VisitListInput = z.infer<typeof VisitList>;

export const MonthQuery = z.object({ month: Month }).strict();
const Avg = z.number().nullable();
export const MonthView = z
  .object({
    month: z.string(),
    totals: z.object({ planned: z.number(), done: z.number(), overdue: z.number(), average: Avg }),
    sites: z.array(
      z.object({ siteId: z.uuid(), siteName: z.string(), planned: z.number(), done: z.number(), overdue: z.number(), average: Avg, passRate: Avg }),
    ),
    channels: z.array(z.object({ channel: Channel, done: z.number(), average: Avg })),
    plans: z.array(z.object({ siteId: z.uuid(), visits: z.number(), channels: z.array(Channel), kinds: z.array(Kind) })),
  })
  .meta({ id: 'MysteryMonth' });

export const EvidenceParam = z.object({ id: z.uuid(), attachmentId: z.uuid() }).strict();
