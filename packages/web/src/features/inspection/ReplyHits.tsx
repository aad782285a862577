import type { QaTicketHit } from './api';
import { HitList } from './HitList';

/** Under a reply on the ticket page: the automatic inspection hits on it (agents see those on their own replies). */
export function ReplyHits({ body, replyId, hits }: { body: string; replyId: string; hits: QaTicketHit[] | undefined }) {
  const mine = (hits ?? []).filter((h) => h.replyId === replyId);
  return <HitList text={body} hits={mine} testId="reply-qa-hits" />;
}
