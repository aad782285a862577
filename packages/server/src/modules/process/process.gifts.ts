/**
 * Front-desk gift limit (seed 000: 前台可发放常规礼品): the front desk (role `frontdesk`) grants a routine small gift
 * (compensation kind `gift`) up to a small per-item limit without approval; any other kind, or a gift above the limit,
 * takes the normal approval path. The limit is an instance setting an admin edits (default ¥50).
 * A leaf file: the tickets compensation command reads it.
 */
import type { Executor } from '../../db/client';
import { rulesRepo } from './process.rules.repo';

export const FRONT_DESK_GIFT_KEY = 'process.front_desk_gift_limit_fen';
export const DEFAULT_FRONT_DESK_GIFT_LIMIT_FEN = 5_000;

export async function frontDeskGiftLimitFen(ex: Executor): Promise<number> {
  const v = await rulesRepo.setting(ex, FRONT_DESK_GIFT_KEY);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : DEFAULT_FRONT_DESK_GIFT_LIMIT_FEN;
}

/** The limit that applies to this compensation: the staff member's own, or the front-desk gift limit when higher. */
export async function compensationLimitFor(ex: Executor, me: { roles: string[] }, ownLimitFen: number, kind: string): Promise<number> {
  if (kind !== 'gift' || !me.roles.includes('frontdesk')) return ownLimitFen;
  return Math.max(ownLimitFen, await frontDeskGiftLimitFen(ex));
}
