import { z } from 'zod';
import { CUSTOMER_TICKET_TYPES } from '../tickets/tickets.schema';

export const Phone = z
  .string()
  .trim()
  .regex(/^1[3-9]\d{9}$/, 'must be an 11-digit mainland mobile number');

export const CodeBody = z.object({ phone: Phone });
export const CodeResponse = z.object({ sent: z.boolean(), expiresInSeconds: z.number(), demoCode: z.string().optional() }).meta({ id: 'PortalCodeSent' });

export const VerifyBody = z.object({
  phone: Phone,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code'),
  transport: z
    .enum(['cookie', 'bearer'])
    .optional()
    .describe(
      'cookie: a browser session, only in the HttpOnly cookie, refused as a Bearer token and bound to this User-Agent (default when an Origin header is sent); bearer: the token in the body for API clients (default otherwise)',
    ),
});
export const VerifyResponse = z
  .object({
    token: z.string().optional().describe('Only for transport = bearer'),
    csrfToken: z.string(),
    transport: z.enum(['cookie', 'bearer']),
    expiresAt: z.string().describe('Absolute end of the session (CUSTOMER_SESSION_MAX_DAYS)'),
    idleTimeoutSeconds: z.number().int().describe('The session ends after this long without a request (CUSTOMER_SESSION_IDLE_MINUTES)'),
    customer: z.object({ id: z.string(), name: z.string() }),
  })
  .meta({ id: 'PortalSession' });

export const PortalMe = z.object({ id: z.string(), name: z.string(), phone: z.string().nullable(), tier: z.string() }).meta({ id: 'PortalMe' });

export const PortalTicketQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.uuid().optional() });
export const PortalTicketCreate = z.object({
  type: z.enum(CUSTOMER_TICKET_TYPES).default('repair'),
  subject: z.string().trim().min(1).max(200),
  description: z.string().trim().max(20_000).default(''),
  site: z.string().trim().max(64).optional(),
  attachmentIds: z.array(z.uuid()).max(10).optional(),
});
export const PortalTicketCreated = z.object({ id: z.string(), number: z.string(), status: z.string() }).meta({ id: 'PortalTicketCreated' });
export const PortalTicketConfirmed = z.object({ id: z.string(), status: z.string() });
export const TicketIdParam = z.object({ id: z.uuid() });
