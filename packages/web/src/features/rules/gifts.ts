import { useQuery } from '@tanstack/react-query';
import { useMe } from '../auth/me';
import { rulesApi, rulesKeys } from './api';

/** The front-desk gift limit (seed 000: 前台可发放常规礼品) when the signed-in user is on the front desk, else null. */
export function useGiftLimit(): number | null {
  const me = useMe();
  const frontDesk = me.roles.includes('frontdesk');
  const q = useQuery({ queryKey: rulesKeys.giftLimit, queryFn: rulesApi.giftLimit, enabled: frontDesk, staleTime: 60_000 });
  return frontDesk ? (q.data?.limitFen ?? null) : null;
}
