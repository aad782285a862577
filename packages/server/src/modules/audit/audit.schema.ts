import { z } from 'zod';

export const AuditQuery = z.object({
  actorId: z.uuid().optional(),
  action: z.string().max(64).optional(),
  targetType: z.string().max(32).optional(),
  targetId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d+$/).optional(),
});
export type AuditQueryInput = z.infer<typeof AuditQuery>;

/** One entry of the audit trail. `targetLabel`: a readable name of the target (staff name + 工号, customer, ticket number, team). */
export const AuditEntry = z
  .object({
    id: z.string(),
    at: z.string(),
    actorKind: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    actorEmployeeNo: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    targetLabel: z.string().nullable().describe("readable name of the target, in the reader's language; null when unknown"),
    changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })).nullable(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditFacets = z.object({ actions: z.array(z.string()), targetTypes: z.array(z.string()) }).meta({ id: 'AuditFacets' });
