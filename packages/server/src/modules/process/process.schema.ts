import { z } from 'zod';

const option = z.string().trim().min(1).max(200);

/** The 2–3 solutions offered to a complaining customer (seed 001), and the choice when already known. */
export const SolutionOffersPut = z
  .object({
    options: z.array(option).min(2).max(3).describe('the 2–3 solutions offered to the customer'),
    chosen: z.number().int().min(0).max(2).optional().describe("index into options of the customer's choice, when already known"),
  })
  .refine((v) => v.chosen === undefined || v.chosen < v.options.length, { message: 'must point at one of the options', path: ['chosen'] });
export const SolutionChoice = z.object({ chosen: z.number().int().min(0).max(2).describe("index into options of the customer's choice") });

export const SolutionOffer = z
  .object({
    options: z.array(z.string()),
    chosen: z.number().int().nullable(),
    offeredAt: z.string(),
    offeredByName: z.string().nullable(),
    chosenAt: z.string().nullable(),
    chosenByName: z.string().nullable(),
  })
  .meta({ id: 'SolutionOffer' });
export const SolutionOfferState = z.object({
  required: z.boolean().describe('true on a complaint: it is not resolved before options are offered and one chosen'),
  complete: z.boolean().describe('options offered and one chosen'),
  offer: SolutionOffer.nullable(),
});
export const IdParam = z.object({ id: z.uuid() });
