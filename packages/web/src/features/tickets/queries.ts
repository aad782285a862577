import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { categoriesApi, ticketsApi, workApi } from '../../api/endpoints';
import type { Category } from '../../api/types';

export const ticketKeys = {
  all: ['tickets'] as const,
  lists: ['tickets', 'list'] as const,
  detail: (id: string) => ['tickets', 'detail', id] as const,
};

export function useTicket(id: string | undefined) {
  return useQuery({
    queryKey: ticketKeys.detail(id ?? ''),
    queryFn: () => ticketsApi.get(id!),
    enabled: Boolean(id),
    staleTime: 5_000,
  });
}

export function useCategories(enabled = true) {
  return useQuery({ queryKey: ['categories'], queryFn: categoriesApi.list, staleTime: 5 * 60_000, enabled });
}

export interface CategoryNode {
  value: string;
  title: string;
  key: string;
  /** "投诉 / 服务态度" */
  path: string;
  children?: CategoryNode[];
  raw: Category;
}

/** Flat categories → tree (sorted by position, then name), with the full path of each node. */
export function buildCategoryTree(items: Category[]): CategoryNode[] {
  const byParent = new Map<string | null, Category[]>();
  const ids = new Set(items.map((c) => c.id));
  for (const c of items) {
    const parent = c.parentId && ids.has(c.parentId) ? c.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), c]);
  }
  const build = (parent: string | null, prefix: string, depth: number): CategoryNode[] =>
    (byParent.get(parent) ?? [])
      .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name, 'zh-CN'))
      .map((c) => {
        const path = prefix ? `${prefix} / ${c.name}` : c.name;
        const children = depth < 10 ? build(c.id, path, depth + 1) : [];
        return { value: c.id, key: c.id, title: c.name, path, raw: c, ...(children.length ? { children } : {}) };
      });
  return build(null, '', 0);
}

export function useCategoryTree(enabled = true) {
  const query = useCategories(enabled);
  const tree = useMemo(() => buildCategoryTree(query.data?.items ?? []), [query.data]);
  const paths = useMemo(() => {
    const map = new Map<string, string>();
    const walk = (nodes: CategoryNode[]) => {
      for (const n of nodes) {
        map.set(n.value, n.path);
        if (n.children) walk(n.children);
      }
    };
    walk(tree);
    return map;
  }, [tree]);
  return { ...query, tree, paths };
}

/** On-duty state of the signed-in user, read from the team load (GET /me does not carry it). */
export function useTeamLoad(enabled = true, teamId?: string) {
  return useQuery({ queryKey: ['teamLoad', teamId ?? ''], queryFn: () => workApi.teamLoad(teamId), enabled, staleTime: 15_000 });
}
