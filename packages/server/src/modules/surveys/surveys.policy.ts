/** Per-record rules of surveys: whether an invitation can still be answered through its link. */
import { AppError } from '../../lib/errors';
import type { InvitationRow } from './surveys.repo';

type LinkProblem = { code: 'not_found' | 'gone' | 'already_answered'; reason: 'invalid_token' | 'unknown_survey' | 'already_answered' | 'expired' };

/** The problem a survey link answers with (the detail is bilingual: the public page may show it as is). */
export function linkProblem(p: LinkProblem): AppError {
  const detail =
    p.code === 'gone'
      ? '此调查链接已过期 / This survey link has expired'
      : p.code === 'already_answered'
        ? '此调查已经提交过了，感谢您的反馈 / This survey was already answered'
        : '调查链接无效 / This survey link is not valid';
  return new AppError(p.code, detail, { reason: p.reason });
}

/** Whether the customer may open / answer this invitation now; throws the link's problem otherwise. */
export function assertAnswerable(inv: InvitationRow | undefined, now: number): asserts inv is InvitationRow {
  if (!inv || inv.state === 'scheduled' || inv.state === 'cancelled') throw linkProblem({ code: 'not_found', reason: 'unknown_survey' });
  if (inv.state === 'answered') throw linkProblem({ code: 'already_answered', reason: 'already_answered' });
  if (inv.state === 'expired' || inv.expiresAt.getTime() <= now) throw linkProblem({ code: 'gone', reason: 'expired' });
}
