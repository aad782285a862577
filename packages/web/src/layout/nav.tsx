import type { ReactNode } from 'react';
import {
  ApartmentOutlined,
  AuditOutlined,
  ClusterOutlined,
  ContactsOutlined,
  FileDoneOutlined,
  HomeOutlined,
  ProfileOutlined,
  SafetyCertificateOutlined,
  SwapOutlined,
  TagsOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { PERM } from '../api/types';

export type NavGroup = 'work' | 'admin' | 'personal';

export interface NavItem {
  key: string;
  path: string;
  /** i18n key of the menu label */
  labelKey: string;
  /** i18n key of the one-line description used on the 工作台 (home) page */
  descriptionKey: string;
  icon: ReactNode;
  group: NavGroup;
  /** Any of these permissions shows the item (and its route). */
  permission?: string | readonly string[];
}

/**
 * The side menu. One entry per page that exists — no placeholders.
 *
 * Adding a domain (tickets, standards, surveys, knowledge, dashboards …):
 *   1. create `src/features/<domain>/<Domain>Page.tsx`,
 *   2. add an entry here (group `work` for operational pages, `admin` for configuration),
 *   3. add the route in `src/routes.tsx`,
 *   4. add `nav.<domain>` and `home.links.<domain>` to both `src/i18n/*.json`.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { key: 'home', path: '/', labelKey: 'nav.home', descriptionKey: 'home.links.home', icon: <HomeOutlined />, group: 'work' },
  {
    key: 'tickets',
    path: '/tickets',
    labelKey: 'nav.tickets',
    descriptionKey: 'home.links.tickets',
    icon: <ProfileOutlined />,
    group: 'work',
    permission: [PERM.ticketsWork, PERM.ticketsCreate, PERM.ticketsReadAll],
  },
  {
    key: 'handovers',
    path: '/handovers',
    labelKey: 'nav.handovers',
    descriptionKey: 'home.links.handovers',
    icon: <SwapOutlined />,
    group: 'work',
    permission: PERM.ticketsWork,
  },
  {
    key: 'approvals',
    path: '/approvals',
    labelKey: 'nav.approvals',
    descriptionKey: 'home.links.approvals',
    icon: <FileDoneOutlined />,
    group: 'work',
    permission: PERM.ticketsWork,
  },
  {
    key: 'team',
    path: '/team',
    labelKey: 'nav.team',
    descriptionKey: 'home.links.team',
    icon: <ClusterOutlined />,
    group: 'work',
    permission: PERM.ticketsAssignAny,
  },
  {
    key: 'customers',
    path: '/customers',
    labelKey: 'nav.customers',
    descriptionKey: 'home.links.customers',
    icon: <ContactsOutlined />,
    group: 'work',
    permission: [PERM.customersRead, PERM.customersWrite],
  },
  // ↑ later operational domains (standards, surveys, knowledge, dashboards) go here.
  {
    key: 'dispatch',
    path: '/dispatch',
    labelKey: 'nav.dispatch',
    descriptionKey: 'home.links.dispatch',
    icon: <ApartmentOutlined />,
    group: 'admin',
    permission: PERM.dispatchManage,
  },
  {
    key: 'categories',
    path: '/categories',
    labelKey: 'nav.categories',
    descriptionKey: 'home.links.categories',
    icon: <TagsOutlined />,
    group: 'admin',
    permission: PERM.categoriesManage,
  },
  {
    key: 'staff',
    path: '/staff',
    labelKey: 'nav.staff',
    descriptionKey: 'home.links.staff',
    icon: <TeamOutlined />,
    group: 'admin',
    permission: [PERM.staffView, PERM.staffManage],
  },
  {
    key: 'roles',
    path: '/roles',
    labelKey: 'nav.roles',
    descriptionKey: 'home.links.roles',
    icon: <SafetyCertificateOutlined />,
    group: 'admin',
    permission: PERM.rolesView,
  },
  {
    key: 'audit',
    path: '/audit',
    labelKey: 'nav.audit',
    descriptionKey: 'home.links.audit',
    icon: <AuditOutlined />,
    group: 'admin',
    permission: PERM.auditView,
  },
  {
    key: 'profile',
    path: '/profile',
    labelKey: 'nav.profile',
    descriptionKey: 'home.links.profile',
    icon: <UserOutlined />,
    group: 'personal',
  },
];

export const NAV_GROUPS: readonly { group: NavGroup; labelKey: string }[] = [
  { group: 'work', labelKey: 'nav.groups.work' },
  { group: 'admin', labelKey: 'nav.groups.admin' },
  { group: 'personal', labelKey: 'nav.groups.personal' },
];

/** The nav item whose path is the longest prefix of `pathname`. */
export function activeNavKey(pathname: string): string | undefined {
  let best: NavItem | undefined;
  for (const item of NAV_ITEMS) {
    const matches = item.path === '/' ? pathname === '/' : pathname === item.path || pathname.startsWith(`${item.path}/`);
    if (matches && (!best || item.path.length > best.path.length)) best = item;
  }
  return best?.key;
}
