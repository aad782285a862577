/** Loop rows → API shapes (recovery cases, care / reactivation tasks, complaint cases). */
import type { z } from 'zod';
import type { TicketStandard } from '../standards/standards.repo';
import type { RecoveryStepEntry } from './loops.schema';
import { COMPLAINT_STEPS, missingSteps } from './loops.policy';
import type { CareTaskRow, ComplaintCaseRow, RecoveryRow, TicketRow } from './loops.repo';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentRecovery(
  c: RecoveryRow,
  stds: TicketStandard[],
  t?: TicketRow,
  extra: { customerName?: string | null; supervisorName?: string | null } = {},
) {
  return {
    id: c.id,
    ticketId: c.ticketId,
    ticketNumber: t?.number ?? null,
    ticketSubject: t?.subject ?? null,
    customerId: c.customerId,
    customerName: extra.customerName ?? null,
    state: c.state,
    outcome: c.outcome,
    supervisorId: c.supervisorId,
    supervisorName: extra.supervisorName ?? null,
    score: c.score as Record<string, number>,
    reasons: c.reasons,
    steps: c.steps as z.infer<typeof RecoveryStepEntry>[],
    followUpSurveyId: c.followUpInvitationId,
    openedAt: c.openedAt.toISOString(),
    contactedAt: iso(c.contactedAt),
    solutionAt: iso(c.solutionAt),
    revisitedAt: iso(c.revisitedAt),
    closedAt: iso(c.closedAt),
    standards: stds,
    overdue: stds.some((s) => s.state === 'breached' && !s.endedAt) || stds.some((s) => s.state === 'breached' && c.closedAt === null),
  };
}

/** An outbox row's state as the customer would see it: a receipt (SMS) wins over the send status. */
const deliveryOf = (d: { status: string; receipt: string | null } | undefined) =>
  !d ? 'queued' : d.receipt === 'delivered' ? 'delivered' : d.receipt === 'failed' ? 'failed' : d.status === 'dead' ? 'failed' : d.status;

export function presentTask(
  r: CareTaskRow,
  x: {
    ticketNumber?: string | null;
    ticketSubject?: string | null;
    customerName?: string | null;
    ownerName?: string | null;
    /** The outbox row of an automatic touch (its delivery status). */
    delivery?: { status: string; receipt: string | null } | undefined;
  } = {},
) {
  return {
    id: r.id,
    kind: r.kind,
    ticketId: r.ticketId,
    ticketNumber: x.ticketNumber ?? null,
    ticketSubject: x.ticketSubject ?? null,
    customerId: r.customerId,
    customerName: x.customerName ?? null,
    runId: r.runId,
    ownerId: r.ownerId,
    ownerName: x.ownerName ?? null,
    seq: r.seq,
    dueAt: r.dueAt.toISOString(),
    state: r.state,
    result: r.result,
    outcome: r.outcome,
    doneAt: iso(r.doneAt),
    overdue: r.state === 'pending' && r.dueAt.getTime() < Date.now(),
    mode: r.mode === 'message' ? ('message' as const) : ('task' as const),
    auto: r.autoState
      ? {
          state: r.autoState,
          channel: r.autoChannel,
          sentAt: iso(r.autoSentAt),
          reason: r.autoReason,
          delivery: r.autoOutboxId ? deliveryOf(x.delivery) : null,
        }
      : null,
  };
}

type StepRow = { s: { step: string; evidence: string; data: unknown; recordedAt: Date; recordedBy: string | null }; byName: string | null };

export function presentComplaint(t: TicketRow, c: ComplaintCaseRow | undefined, rows: StepRow[], clocks: TicketStandard[]) {
  const by = new Map(rows.map((r) => [r.s.step, r]));
  const done = new Set(by.keys());
  return {
    id: c?.id ?? null,
    ticketId: t.id,
    ticketNumber: t.number,
    ticketSubject: t.subject,
    ticketStatus: t.status,
    category: c?.category ?? null,
    responsibility: c?.responsibility ?? null,
    severity: c?.severity ?? 'normal',
    rootCause: c?.rootCause ?? null,
    escalatedAt: iso(c?.escalatedAt ?? null),
    improvementActionId: c?.improvementActionId ?? null,
    steps: COMPLAINT_STEPS.map((step) => {
      const r = by.get(step);
      return {
        step,
        done: !!r,
        evidence: r?.s.evidence ?? null,
        data: (r?.s.data as Record<string, unknown>) ?? null,
        recordedAt: iso(r?.s.recordedAt ?? null),
        recordedBy: r?.s.recordedBy ?? null,
        recordedByName: r?.byName ?? null,
      };
    }),
    nextStep: COMPLAINT_STEPS.find((s) => !done.has(s)) ?? null,
    missingForResolve: missingSteps(done, 'resolved'),
    missingForClose: missingSteps(done, 'closed'),
    standards: clocks.filter((s) => !s.endedAt || s.state === 'breached'),
    createdAt: iso(c?.createdAt ?? t.createdAt),
  };
}
