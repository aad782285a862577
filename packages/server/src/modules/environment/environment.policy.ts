/** Per-record abilities of environment checks, decided once: used by the presented `allowed` flags and the commands. */
import type { Actor } from '../../lib/context';
import { can } from '../identity/policy';
import type { TaskRow } from './environment.repo';

/** Supervisors, directors and admins (field.manage: they run the sites) close an open corrective task. */
export function taskAbilities(actor: Actor, row: Pick<TaskRow, 'state'>) {
  return { close: actor.kind === 'staff' && row.state === 'open' && can(actor, 'field.manage') };
}
