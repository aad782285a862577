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
