/**
 * Per-record rules of the closed loops, decided once: whether a recovery case still takes steps, who may complete a
 * care / reactivation task, whether a complaint takes a step and which steps a transition still needs.
 */
import type { Actor } from '../../lib/context';
import { AppError, conflict } from '../../lib/errors';
import { can } from '../identity/policy';
import type { CareTaskRow, RecoveryRow } from './loops.repo';

export const COMPLAINT_STEPS = ['listen', 'empathise', 'confirm', 'resolve', 'revisit', 'feedback'] as const;
export type ComplaintStep = (typeof COMPLAINT_STEPS)[number];
/** Steps needed before the ticket may be resolved (the rest follow the resolution, before closing). */
export const STEPS_BEFORE_RESOLVE: ComplaintStep[] = ['listen', 'empathise', 'confirm', 'resolve'];

/** A closed recovery case takes no more steps and is not closed twice. */
export function assertRecoveryOpen(c: RecoveryRow): void {
  if (c.closedAt) throw conflict('recovery_case_closed', 'This recovery case is closed');
}

export interface TaskAbilities {
  complete: boolean;
}

/** The owner completes a task; an unowned task belongs to its team (as the care calendar lists it); supervisors any. */
export function taskAbilities(actor: Actor, r: CareTaskRow): TaskAbilities {
  const supervisor = can(actor, 'tickets.assign_any');
  const mine = r.ownerId ? r.ownerId === actor.id : !r.teamId || (actor.kind === 'staff' && actor.teamId === r.teamId);
  return { complete: r.state === 'pending' && (supervisor || mine) };
}

export function assertCanCompleteTask(actor: Actor, r: CareTaskRow): void {
  const supervisor = can(actor, 'tickets.assign_any');
  if (r.ownerId && r.ownerId !== actor.id && !supervisor)
    throw new AppError('forbidden', 'Only the task owner or a supervisor completes it', { reason: 'care_task_not_owner' });
  if (!r.ownerId && r.teamId && !supervisor && (actor.kind !== 'staff' || actor.teamId !== r.teamId)) {
    throw new AppError('forbidden', "Only a member of the task's team or a supervisor completes it", { reason: 'care_task_other_team' });
  }
  if (r.state !== 'pending') throw conflict('care_task_not_pending', `This task is already ${r.state}`, { state: r.state });
}

export function missingSteps(done: Set<string>, to: 'resolved' | 'closed'): ComplaintStep[] {
  const need = to === 'resolved' ? STEPS_BEFORE_RESOLVE : COMPLAINT_STEPS;
  return need.filter((s) => !done.has(s));
}

/** A closed complaint takes no more steps. */
export function assertComplaintOpen(ticketStatus: string): void {
  if (ticketStatus === 'closed') throw conflict('complaint_closed', 'The complaint is closed');
}

/** A step is recorded (or corrected) after every step before it. */
export function assertStepInOrder(done: Set<string>, step: ComplaintStep): void {
  const before = COMPLAINT_STEPS.slice(0, COMPLAINT_STEPS.indexOf(step)).filter((s) => !done.has(s));
  if (before.length) {
    throw new AppError('complaint_steps_missing', `请先完成前面的步骤：${before.join(', ')} / earlier steps missing`, {
      reason: 'complaint_steps_missing',
      params: { steps: before.join(', ') },
      extra: { missingSteps: before },
    });
  }
}

/** The resolve/close guard's rule: a complaint is resolved after the first four steps and closed after all six. */
export function assertTransitionAllowed(done: Set<string>, to: 'resolved' | 'closed'): void {
  const missing = missingSteps(done, to);
  if (missing.length) {
    throw new AppError('complaint_steps_missing', `投诉闭环未完成，缺少步骤：${missing.join(', ')} / complaint loop incomplete`, {
      reason: 'complaint_steps_missing',
      params: { steps: missing.join(', ') },
      extra: { missingSteps: missing },
      errors: missing.map((m) => ({ path: `complaint.steps.${m}`, message: 'step missing' })),
    });
  }
}
