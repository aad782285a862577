import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import { staffApi, teamsApi, type StaffQuery } from '../../api/endpoints';
import { ROLES } from '../../api/types';
import { roleLabel } from '../auth/labels';

export const STAFF_PAGE_SIZE = 20;

export function useStaffList(filters: Omit<StaffQuery, 'cursor' | 'limit'>, enabled = true) {
  return useInfiniteQuery({
    queryKey: ['staff', 'list', filters],
    queryFn: ({ pageParam }) => staffApi.list({ ...filters, limit: STAFF_PAGE_SIZE, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

export function useTeams(enabled = true) {
  return useQuery({ queryKey: ['teams'], queryFn: teamsApi.list, enabled, staleTime: 60_000 });
}

/** Role options with localised names (管理员 …). */
export function useRoleOptions() {
  const { t } = useTranslation();
  return useMemo(() => ROLES.map((role) => ({ value: role, label: roleLabel(t, role) })), [t]);
}
