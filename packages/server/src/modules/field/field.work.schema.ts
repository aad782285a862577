import { z } from 'zod';

export const PHOTO_PHASES = ['before', 'after'] as const;
export const QUOTE_STATES = ['pending', 'accepted'] as const;
export const SIGNOFF_METHODS = ['on_device', 'link'] as const;
/** A signature PNG at most 300 KB (its base64 data URL is about 4/3 of that). */
export const MAX_SIGNATURE_BYTES = 300 * 1024;
/** A photo upload at most 10 MB (like every attachment). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

const signature = z
  .string()
  .max(Math.ceil((MAX_SIGNATURE_BYTES * 4) / 3) + 64, 'at most 300 KB')
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/, 'must be a data:image/png;base64 URL');
const rating = z.number().int().min(1).max(5);
const comment = z.string().trim().max(500).optional();

export const QuoteCreate = z.object({
  items: z
    .array(
      z.object({
        description: z.string().trim().min(1).max(200),
        amountFen: z.number().int().min(0).max(100_000_000),
      }),
    )
    .min(1)
    .max(50),
});
export type QuoteCreateInput = z.infer<typeof QuoteCreate>;
export const Empty = z.object({}).strict();

export const SignoffCreate = z.object({ signature, rating, comment });
export type SignoffInput = z.infer<typeof SignoffCreate>;
export const PublicSignoffCreate = z.object({ signature: signature.optional(), rating, comment });
export type PublicSignoffInput = z.infer<typeof PublicSignoffCreate>;
export const TokenParam = z.object({ token: z.string().min(20).max(100) });

export const PhotoCreated = z
  .object({ id: z.uuid(), phase: z.enum(PHOTO_PHASES), attachmentId: z.uuid(), width: z.number().int(), height: z.number().int(), hasLocation: z.boolean() })
  .meta({ id: 'FieldPhotoCreated' });
export const QuoteCreated = z.object({ id: z.uuid(), totalFen: z.number().int(), state: z.literal('pending') }).meta({ id: 'FieldQuoteCreated' });
export const QuoteAccepted = z.object({ state: z.literal('accepted') });
export const SignedOff = z.object({ reportAttachmentId: z.uuid() }).meta({ id: 'FieldSignedOff' });
export const SignoffLink = z.object({ url: z.string(), token: z.string(), expiresAt: z.string() }).meta({ id: 'FieldSignoffLink' });

export const Quote = z
  .object({
    id: z.uuid(),
    items: z.array(z.object({ description: z.string(), amountFen: z.number().int() })),
    totalFen: z.number().int(),
    state: z.enum(QUOTE_STATES),
    createdAt: z.string(),
    acceptedAt: z.string().nullable(),
  })
  .meta({ id: 'FieldQuote' });

export const VisitWork = z
  .object({
    photos: z.array(z.object({ id: z.uuid(), phase: z.enum(PHOTO_PHASES), attachmentId: z.uuid(), createdAt: z.string() })),
    quote: Quote.nullable(),
    signoff: z.object({ rating: z.number().int(), comment: z.string().nullable(), signedAt: z.string(), method: z.enum(SIGNOFF_METHODS) }).nullable(),
    reportAttachmentId: z.uuid().nullable(),
  })
  .meta({ id: 'FieldVisitWork' });

/** What the customer sees behind a sign-off link: no phone numbers, no customer details beyond the name. */
export const PublicVisitSummary = z
  .object({
    visitId: z.uuid(),
    /** The customer's request on the portal (the report is downloaded there after signing in). */
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    subject: z.string(),
    sitePath: z.array(z.string()),
    technicianName: z.string().nullable(),
    start: z.string(),
    end: z.string(),
    arrivedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    notes: z.string().nullable(),
    labourMinutes: z.number().int().nullable(),
    parts: z.array(z.object({ code: z.string(), name: z.string(), qty: z.number(), unitCostFen: z.number().int() })),
    quote: Quote.nullable(),
    photos: z.number().int(),
    expiresAt: z.string(),
  })
  .meta({ id: 'FieldPublicVisitSummary' });

export const VisitReports = z
  .object({ items: z.array(z.object({ visitId: z.uuid(), reportAttachmentId: z.uuid(), signedAt: z.string() })) })
  .meta({ id: 'FieldVisitReports' });
