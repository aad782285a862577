import { z } from 'zod';

/** How the customer gave their answer to a compensation when staff record it. */
export const ACCEPTANCE_CHANNELS = ['phone', 'walk_in', 'wechat', 'email', 'sms', 'other'] as const;

export const StaffAcceptanceBody = z.object({
  compensationId: z.uuid().describe('the compensation offered on this ticket'),
  decision: z.enum(['accepted', 'refused']),
  channel: z.enum(ACCEPTANCE_CHANNELS).describe('how the customer answered'),
  note: z.string().trim().max(500).optional(),
});
export const PortalAcceptanceBody = z.object({
  compensationId: z.uuid().describe('the compensation offered on my request'),
  decision: z.enum(['accepted', 'refused']),
});

export const PortalCompensation = z
  .object({
    id: z.string(),
    kind: z.enum(['coupon', 'discount', 'refund', 'free_service', 'gift']),
    amountFen: z.number().int(),
    acceptance: z.enum(['offered', 'accepted', 'refused']),
    answeredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'PortalCompensation' });
export const PortalCompensations = z.object({ items: z.array(PortalCompensation) });

export const GiftLimit = z.object({
  limitFen: z.number().int().describe('the per-item limit (fen) of a routine gift the front desk grants without approval'),
  defaultFen: z.number().int(),
});
export const GiftLimitPut = z.object({ limitFen: z.number().int().min(0).max(1_000_000).describe('fen; 0 turns the gift rule off') });
