/**
 * Per-record rules of the knowledge base, decided once and used by both the presented `allowed` flags and the
 * commands: who sees an item, who edits, submits, reviews, flags and retires it, in which status.
 */
import type { Actor } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { can } from '../identity/policy';
import type { KbStatus } from './kb.schema';
import type { ItemRow } from './kb.repo';
import { SEARCHABLE } from './search-service';

/** The actor's relation to an item (`expert`: an expert of its category or an ancestor; the command looks it up). */
export interface KbAccess {
  author: boolean;
  owner: boolean;
  expert: boolean;
  manage: boolean;
  admin: boolean;
}

export const isKbAdmin = (a: Actor) => a.kind === 'system' || (a.kind === 'staff' && a.roles.includes('admin'));

export function kbAccessOf(actor: Actor, item: ItemRow, expert: boolean): KbAccess {
  const sid = actor.kind === 'staff' ? actor.id : null;
  return {
    author: sid !== null && item.authorId === sid,
    owner: sid !== null && item.ownerId === sid,
    expert,
    manage: can(actor, 'kb.manage'),
    admin: isKbAdmin(actor),
  };
}

export const isEditor = (a: KbAccess) => a.author || a.owner || a.expert || a.manage;
const mayRetire = (a: KbAccess) => a.owner || a.expert || a.manage;
const mayReview = (actor: Actor, a: KbAccess) => a.admin || (a.expert && can(actor, 'kb.review'));

export interface ItemAbilities {
  edit: boolean;
  submit: boolean;
  review: boolean;
  retire: boolean;
  flag: boolean;
}

export function itemAbilities(actor: Actor, item: ItemRow, a: KbAccess): ItemAbilities {
  const write = can(actor, 'kb.write');
  const status = item.status as KbStatus;
  return {
    edit: write && isEditor(a) && status !== 'in_review' && status !== 'retired',
    submit: write && isEditor(a) && status === 'draft',
    review: status === 'in_review' && mayReview(actor, a),
    retire: mayRetire(a) && status !== 'retired',
    flag: can(actor, 'kb.view') && status === 'published',
  };
}

/** Whether a staff member may see an item in the back office (drafts only their editors; retired only managers). */
export function itemVisible(a: KbAccess, item: ItemRow): boolean {
  if (SEARCHABLE.includes(item.status as KbStatus)) return true;
  if (item.status === 'retired') return a.manage || a.expert || a.owner;
  return isEditor(a);
}

const statusConflict = (reason: string, detail: string, status: string) =>
  new AppError('conflict', detail, { reason, params: { status }, errors: [{ path: 'status', message: status }] });

export function assertCanEdit(a: KbAccess, item: ItemRow): void {
  if (!isEditor(a))
    throw new AppError('forbidden', 'Only the author, the owner, an expert of the category or a KB manager edits this item', { reason: 'kb_not_editor' });
  if (item.status === 'in_review')
    throw statusConflict('kb_item_in_review', 'The item is in review; the reviewer returns it before it can change', 'in_review');
  if (item.status === 'retired') throw statusConflict('kb_item_retired', 'The item is retired', 'retired');
}

export function assertCanSubmit(a: KbAccess, item: ItemRow): void {
  if (!isEditor(a)) throw new AppError('forbidden', 'Only the author, the owner, an expert or a KB manager submits this item', { reason: 'kb_not_editor' });
  if (item.status !== 'draft') throw statusConflict('kb_item_not_draft', `Only a draft can be submitted (the item is ${item.status})`, item.status);
}

export function assertCanReview(actor: Actor, a: KbAccess, item: ItemRow): void {
  if (!mayReview(actor, a)) throw new AppError('forbidden', 'Only an expert of this category (or an admin) reviews it', { reason: 'kb_not_expert' });
  if (item.status !== 'in_review') throw statusConflict('kb_item_not_in_review', `The item is not in review (it is ${item.status})`, item.status);
}

export function assertCanFlag(item: ItemRow): void {
  if (item.status !== 'published') throw statusConflict('kb_item_not_published', `Only a published item is flagged (it is ${item.status})`, item.status);
}

export function assertCanRetire(a: KbAccess, item: ItemRow): void {
  if (!mayRetire(a)) throw new AppError('forbidden', 'Only the owner, an expert of the category or a KB manager retires an item', { reason: 'kb_not_owner' });
  if (item.status === 'retired') throw new AppError('conflict', 'Already retired', { reason: 'kb_item_retired', params: { status: 'retired' } });
}
