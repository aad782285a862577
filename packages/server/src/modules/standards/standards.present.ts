import type { ImprovementRow } from './standards.compliance.repo';
import { presentDefinition, type StandardDefinition } from './definition';
import type { StandardRow, VersionRow } from './standards.repo';
import type { standardInstances } from '../../db/schema';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentStandard(s: StandardRow, v: VersionRow) {
  return {
    id: s.id,
    code: s.code,
    version: v.version,
    active: s.active,
    templateKey: s.templateKey,
    ...presentDefinition(v.definition as StandardDefinition),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function presentVersion(v: VersionRow) {
  return {
    version: v.version,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdBy,
    definition: presentDefinition(v.definition as StandardDefinition),
  };
}

export function presentImprovement(r: ImprovementRow, ownerName: string | null) {
  return {
    id: r.id,
    standardId: r.standardId,
    cause: r.cause,
    change: r.change,
    ownerId: r.ownerId,
    ownerName,
    dueDate: r.dueDate,
    state: r.state as 'open' | 'done',
    doneAt: r.doneAt ? r.doneAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** One clock behind a compliance number, with its ticket. */
export function presentInstance(r: {
  i: typeof standardInstances.$inferSelect;
  number: string;
  subject: string;
  ownerName: string | null;
  teamName: string | null;
  version: number | null;
}) {
  return {
    id: r.i.id,
    ticketId: r.i.ticketId,
    ticketNumber: r.number,
    ticketSubject: r.subject,
    state: r.i.state,
    paused: r.i.state === 'paused',
    cycle: r.i.cycle,
    version: r.version ?? 1,
    startedAt: r.i.startedAt.toISOString(),
    dueAt: iso(r.i.dueAt),
    metAt: iso(r.i.metAt),
    breachedAt: iso(r.i.breachedAt),
    endedAt: iso(r.i.endedAt),
    endReason: r.i.endReason,
    late: r.i.late,
    escalationsSent: r.i.escalationsSent,
    ownerId: r.i.ownerId,
    ownerName: r.ownerName,
    teamId: r.i.teamId,
    teamName: r.teamName,
    channel: r.i.channel,
    tier: r.i.tier,
  };
}
