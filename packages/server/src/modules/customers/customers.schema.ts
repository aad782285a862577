import { z } from 'zod';

export const TIERS = ['diamond', 'gold', 'silver', 'regular'] as const;

export const CustomerCreate = z.object({
  name: z.string().trim().min(1).max(100),
  phone: z.string().trim().regex(/^\+?[0-9][0-9 -]{5,19}$/, 'must be a phone number (digits, optional +, spaces or -)').optional(),
  email: z.email('must be an email address').max(200).optional(),
  tier: z.enum(TIERS).default('regular'),
  vip: z.boolean().default(false),
  tags: z.array(z.string().trim().min(1).max(32)).max(50).default([]),
});

export const Customer = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  tier: z.enum(TIERS),
  vip: z.boolean(),
  tags: z.array(z.string()),
  masked: z.boolean().describe('true when phone/email are masked; reveal with ?reveal=contact (logged)'),
  createdAt: z.string(),
  updatedAt: z.string(),
  duplicates: z.array(z.object({ id: z.string(), name: z.string(), phone: z.string().nullable(), email: z.string().nullable(), tier: z.string(), matchedOn: z.array(z.string()) })).optional()
    .describe('on create: existing customers with the same phone or e-mail (offer to merge)'),
});

export const CustomerQuery = z.object({
  q: z.string().trim().max(100).optional(),
  tier: z.enum(TIERS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

export const CustomerGetQuery = z.object({ reveal: z.enum(['contact']).optional() });
