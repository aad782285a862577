/** Request and response of the replay preview (POST /standards/preview). */
import { z } from 'zod';
import { StandardCreate } from './definition';

export const PreviewBody = z
  .object({
    definition: StandardCreate.describe('the standard to preview, exactly as POST /standards takes it'),
    days: z.number().int().min(1).max(90).optional().describe('how many past days to replay (default 30)'),
  })
  .strict();

const Counts = z.object({
  met: z.number().int(),
  breached: z.number().int(),
  running: z.number().int(),
  cancelled: z.number().int(),
  rate: z.number().nullable().describe('met ÷ (met + breached); null without any'),
});

export const PreviewInstance = z.object({
  cycle: z.number().int(),
  state: z.enum(['running', 'paused', 'met', 'breached', 'cancelled']),
  startedAt: z.string(),
  pausedAt: z.string().nullable().describe('set while the clock is paused'),
  dueAt: z.string().nullable(),
  metAt: z.string().nullable(),
  breachedAt: z.string().nullable().describe('the breach instant (the deadline)'),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
  observed: z.number().nullable(),
  countLimit: z.number().nullable(),
});

export const Preview = z
  .object({
    days: z.number().int(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    ticketsReplayed: z.number().int(),
    eventsReplayed: z.number().int(),
    totals: Counts,
    byDay: z.array(Counts.extend({ date: z.string() })),
    tickets: z.array(z.object({ ticketId: z.string(), number: z.string(), subject: z.string(), instances: z.array(PreviewInstance) })),
    elapsedMs: z.number().int(),
  })
  .meta({ id: 'StandardPreview' });
