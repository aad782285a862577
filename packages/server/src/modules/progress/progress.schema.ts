import { z } from 'zod';

/** Where the customer asked (staff record it: the phone, the counter, a chat…); the portal records `portal`. */
export const STAFF_CHANNELS = ['phone', 'walk_in', 'chat', 'wechat', 'email', 'other'] as const;

export const IdParam = z.object({ id: z.uuid() });

export const StatusRequestBody = z
  .object({ channel: z.enum(STAFF_CHANNELS).default('phone').describe('how the customer asked (default phone)') })
  .strict()
  .nullish();

export const SolutionConfirmationBody = z
  .object({
    channel: z.enum(STAFF_CHANNELS).default('phone').describe('how the customer accepted (default phone)'),
    note: z.string().trim().max(500).nullish().describe('what the customer accepted, in a few words'),
  })
  .strict()
  .nullish();

export const ProgressEvent = z
  .object({
    ticketId: z.string(),
    kind: z.enum(['ticket.status_requested', 'ticket.solution_confirmed']),
    eventId: z.number().int(),
    at: z.string().describe('when it was recorded (ISO 8601)'),
    by: z.enum(['staff', 'customer']),
    channel: z.string(),
  })
  .meta({ id: 'ProgressEvent' });

/** The checklist of repair and order tickets (issue #13 item 7). */
export const ChecklistBody = z
  .object({
    step: z
      .enum(['cost_quoted', 'work_explained'])
      .describe('cost_quoted = 报价已告知客户 (before work starts); work_explained = 已说明作业、保修范围和收费 (before resolve)'),
  })
  .strict();
export const ChecklistItem = z
  .object({
    step: z.enum(['cost_quoted', 'work_explained']),
    done: z.boolean(),
    recordedAt: z.string().nullable(),
    recordedBy: z.string().nullable(),
    recordedByName: z.string().nullable(),
    inTime: z.boolean().nullable().describe('false = recorded late (cost_quoted after work started, work_explained after resolve)'),
  })
  .meta({ id: 'TicketChecklistItem' });
export const Checklist = z
  .object({
    ticketId: z.string(),
    applicable: z.boolean().describe('repair and order tickets carry the checklist'),
    items: z.array(ChecklistItem),
  })
  .meta({ id: 'TicketChecklist' });
