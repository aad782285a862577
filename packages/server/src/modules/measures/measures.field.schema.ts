import { z } from 'zod';
import { Period } from './measures.schema';

const Rate = z.object({ value: z.number().nullable(), numerator: z.number(), denominator: z.number() }).meta({ id: 'FieldMeasureRate' });
const Totals = {
  /** Arrivals before the window's end / arrivals, by arrival time. */
  onTimeArrivalRate: Rate,
  /** Completed visits without a repeat visit within 7 days / completed visits, by completion. */
  firstTimeFixRate: Rate,
  /** Completed visits / technician-days with a completion. */
  visitsPerTechnicianDay: Rate,
  /** Σ qty × unit cost (fen) of the parts used on the completed visits / completed visits. */
  partsCost: Rate,
};
export const FieldMeasures = z
  .object({
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    technicianId: z.uuid().nullable(),
    ...Totals,
    repeatRepairByAssetType: z.array(z.object({ assetType: z.string(), value: z.number().nullable(), numerator: z.number(), denominator: z.number() })),
    byTechnician: z.array(z.object({ technicianId: z.uuid().nullable(), name: z.string().nullable(), ...Totals })),
  })
  .meta({ id: 'FieldMeasures' });
export const FieldMeasuresQ = z.object({ ...Period, technicianId: z.uuid().optional() });
