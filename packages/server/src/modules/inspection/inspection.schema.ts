import { z } from 'zod';
import { AUDIENCES, POSITIONS, RULE_KINDS, SEVERITIES } from '@chidu/core/inspection/index';
import { TICKET_CHANNELS, TICKET_TYPES } from '../standards/definition';

const phrase = z.string().trim().min(1).max(100);

export const CheckBody = z
  .object({
    text: z.string().max(20_000),
    channel: z.enum(TICKET_CHANNELS).optional(),
    ticketType: z.enum(TICKET_TYPES).optional(),
    /** extension: `internal` checks a note or phone log (rules for customer-facing text are skipped); default customer */
    audience: z.enum(['customer', 'internal']).optional(),
    /** extension: treat the text as the first / last public reply of its conversation (opening, empathy / closing) */
    first: z.boolean().optional(),
    last: z.boolean().optional(),
  })
  .strict();

export const Hit = z
  .object({
    rule: z.string(),
    severity: z.enum(SEVERITIES),
    start: z.number().int(),
    end: z.number().int(),
    excerpt: z.string(),
    suggestion: z.string().optional(),
  })
  .meta({ id: 'QaHit' });
export const CheckResult = z.object({ hits: z.array(Hit) });

export const TicketHit = Hit.extend({ replyId: z.uuid() }).meta({ id: 'QaTicketHit' });
export const TicketHits = z.object({ items: z.array(TicketHit) });

const ruleFields = {
  name: z.string().trim().min(1).max(100),
  kind: z.enum(RULE_KINDS),
  severity: z.enum(SEVERITIES),
  enabled: z.boolean().default(true),
  audience: z.enum(AUDIENCES).default('any'),
  phrases: z.array(phrase).max(200).default([]),
  pattern: z.string().max(500).nullable().default(null),
  wholeWord: z.boolean().default(false),
  exceptions: z.array(phrase).max(200).default([]),
  suggestion: z.string().trim().max(500).nullable().default(null),
  channels: z.array(z.enum(TICKET_CHANNELS)).max(TICKET_CHANNELS.length).default([]),
  ticketTypes: z.array(z.enum(TICKET_TYPES)).max(TICKET_TYPES.length).default([]),
  position: z.enum(POSITIONS).default('any'),
  window: z.number().int().min(1).max(100).default(12),
};

export const RuleCreate = z
  .object({
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'lower-case words separated by dots, e.g. forbidden.dont_know')
      .max(60),
    ...ruleFields,
  })
  .strict();
export type RuleCreateIn = z.infer<typeof RuleCreate>;

export const RulePatch = z
  .object({
    name: ruleFields.name.optional(),
    kind: ruleFields.kind.optional(),
    severity: ruleFields.severity.optional(),
    enabled: z.boolean().optional(),
    audience: z.enum(AUDIENCES).optional(),
    phrases: z.array(phrase).max(200).optional(),
    pattern: z.string().max(500).nullable().optional(),
    wholeWord: z.boolean().optional(),
    exceptions: z.array(phrase).max(200).optional(),
    suggestion: z.string().trim().max(500).nullable().optional(),
    channels: z.array(z.enum(TICKET_CHANNELS)).max(TICKET_CHANNELS.length).optional(),
    ticketTypes: z.array(z.enum(TICKET_TYPES)).max(TICKET_TYPES.length).optional(),
    position: z.enum(POSITIONS).optional(),
    window: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type RulePatchIn = z.infer<typeof RulePatch>;

export const Rule = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(RULE_KINDS),
    severity: z.enum(SEVERITIES),
    enabled: z.boolean(),
    audience: z.enum(AUDIENCES),
    phrases: z.array(z.string()),
    pattern: z.string().nullable(),
    wholeWord: z.boolean(),
    exceptions: z.array(z.string()),
    suggestion: z.string().nullable(),
    channels: z.array(z.string()),
    ticketTypes: z.array(z.string()),
    position: z.enum(POSITIONS),
    window: z.number().int(),
    version: z.number().int(),
    builtin: z.boolean(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'QaRule' });
export const RuleList = z.object({ items: z.array(Rule) });

export const IdParam = z.object({ id: z.uuid() });

export const HitsQuery = z
  .object({
    rule: z.string().max(60).optional(),
    severity: z.enum(SEVERITIES).optional(),
    authorId: z.uuid().optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().regex(/^\d+$/).optional(),
  })
  .strict();

export const HitListItem = Hit.extend({
  id: z.string(),
  replyId: z.uuid(),
  ticketId: z.uuid(),
  ticketNumber: z.string(),
  authorName: z.string().nullable(),
  at: z.iso.datetime(),
}).meta({ id: 'QaHitListItem' });
export const HitsPage = z.object({ items: z.array(HitListItem), nextCursor: z.string().nullable() });

export const StatsQuery = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }).strict();
export const HitStats = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** staff messages (replies, notes, phone logs) written in the period on the caller's visible tickets */
  messages: z.number().int(),
  rules: z.array(
    z.object({
      rule: z.string(),
      name: z.string().nullable(),
      severity: z.enum(SEVERITIES).nullable(),
      hits: z.number().int(),
      replies: z.number().int(),
      /** replies with a hit / messages */
      rate: z.number(),
    }),
  ),
});
