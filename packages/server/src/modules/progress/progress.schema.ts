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
