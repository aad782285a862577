/** Per-record abilities of the quality module, decided once: used by the presented `allowed` flags and the commands. */
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';
import type { AppealRow, InspectionRow } from './quality.repo';

const staffId = (a: Actor) => (a.kind === 'staff' ? a.id : null);

/** Who sees an inspection: holders of qa.view (qa, supervisors, directors, admins), its inspector, and the inspected agent. */
export function canReadInspection(actor: Actor, row: Pick<InspectionRow, 'agentId' | 'inspectorId'>): boolean {
  if (actor.kind === 'system') return true;
  const me = staffId(actor);
  if (!me) return false;
  if (can(actor, 'qa.view')) return true;
  return row.agentId === me || row.inspectorId === me;
}

export function inspectionAbilities(actor: Actor, row: InspectionRow, appeal: AppealRow | null, appealDeadline: Date | null, now = new Date()) {
  const me = staffId(actor);
  return {
    submit: me !== null && row.inspectorId === me && row.state === 'draft' && can(actor, 'qa.inspect'),
    acknowledge: me !== null && row.agentId === me && row.state === 'submitted',
    appeal:
      me !== null &&
      row.agentId === me &&
      (row.state === 'submitted' || row.state === 'acknowledged') &&
      appeal === null &&
      appealDeadline !== null &&
      now.getTime() <= appealDeadline.getTime(),
  };
}

/** An appeal is ruled by a second inspector or a supervisor: never the original inspector, never the agent. */
export function canRuleAppeal(actor: Actor, inspection: Pick<InspectionRow, 'inspectorId' | 'agentId'>): 'ok' | 'own_inspection' | 'own_work' | 'forbidden' {
  const me = staffId(actor);
  if (!me || !can(actor, 'qa.rule_appeals')) return 'forbidden';
  if (inspection.inspectorId === me) return 'own_inspection';
  if (inspection.agentId === me) return 'own_work';
  return 'ok';
}

/**
 * Whose quality figures and lists an actor sees (issue #15 Permissions), decided once: holders of qa.view_all (qa,
 * directors, admins) every agent's; other holders of qa.view (supervisors) the agents of the teams they supervise
 * and of their own team; everyone else only their own.
 */
export type QaScope = { kind: 'all' } | { kind: 'teams'; supervisorId: string; teamId: string | null } | { kind: 'self'; id: string };
export function qaScope(actor: Actor): QaScope {
  if (actor.kind === 'system' || can(actor, 'qa.view_all')) return { kind: 'all' };
  if (actor.kind !== 'staff') return { kind: 'self', id: '00000000-0000-0000-0000-000000000000' };
  if (can(actor, 'qa.view')) return { kind: 'teams', supervisorId: actor.id, teamId: actor.teamId };
  return { kind: 'self', id: actor.id };
}
