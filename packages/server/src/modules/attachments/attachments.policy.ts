import type { Actor } from '../../lib/context';

/** The facts about one attachment that decide who may read it. */
export interface AttachmentAccessFacts {
  uploadedById: string | null;
  ticketId: string | null;
  /** The ticket is visible to the actor (tickets/visibility.ts); null when the attachment is on no ticket. */
  ticketVisible: boolean | null;
  /** Visibility of the reply it is attached to ('public' | 'internal'), or null when not on a reply. */
  replyVisibility: string | null;
  onReply: boolean;
}

/**
 * Who may read an attachment: its uploader; otherwise whoever may see its ticket — customers only files on
 * their ticket or on public replies, staff only with a ticket permission. Anyone else gets "not found".
 */
export function canReadAttachment(actor: Actor, a: AttachmentAccessFacts): boolean {
  if (a.uploadedById && a.uploadedById === actor.id) return true;
  if (!a.ticketId || !a.ticketVisible) return false;
  if (actor.kind === 'customer' && a.onReply && a.replyVisibility !== 'public') return false;
  if (
    actor.kind === 'staff' &&
    !actor.permissions.has('tickets.work') &&
    !actor.permissions.has('tickets.read_all') &&
    !actor.permissions.has('tickets.create')
  )
    return false;
  return true;
}
