import type { ReactNode } from 'react';
import {
  ApartmentOutlined,
  BellOutlined,
  CalendarOutlined,
  DashboardOutlined,
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
  HeartOutlined,
  MessageOutlined,
  ScheduleOutlined,
  StarOutlined,
  BookOutlined,
} from '@ant-design/icons';
import { PERM } from '../api/types';
import { CloudOutlined, QrcodeOutlined, ToolOutlined } from '@ant-design/icons';
import { MailOutlined } from '@ant-design/icons';
import { AreaChartOutlined, FileSearchOutlined, FlagOutlined, OrderedListOutlined, SolutionOutlined, TrophyOutlined } from '@ant-design/icons';
import { ApiOutlined, BarChartOutlined, CommentOutlined, FundOutlined, LineChartOutlined, PieChartOutlined, SlidersOutlined } from '@ant-design/icons';

export type NavGroup = 'work' | 'loops' | 'quality' | 'admin' | 'personal';

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
  {
    key: 'standards',
    path: '/standards',
    labelKey: 'nav.standards',
    descriptionKey: 'home.links.standards',
    icon: <DashboardOutlined />,
    group: 'quality',
    permission: ['standards.compliance', 'standards.manage'],
  },
  {
    key: 'qaRules',
    path: '/qa/rules',
    labelKey: 'inspection.nav',
    descriptionKey: 'inspection.navDescription',
    icon: <AuditOutlined />,
    group: 'quality',
    permission: ['qa.manage', 'qa.view'],
  },
  {
    key: 'qaWorkbench',
    path: '/qa/workbench',
    labelKey: 'quality.nav.workbench',
    descriptionKey: 'quality.nav.workbenchDesc',
    icon: <FileSearchOutlined />,
    group: 'quality',
    permission: 'qa.inspect',
  },
  {
    key: 'qaMine',
    path: '/qa/mine',
    labelKey: 'quality.nav.mine',
    descriptionKey: 'quality.nav.mineDesc',
    icon: <SolutionOutlined />,
    group: 'quality',
    permission: 'qa.own',
  },
  {
    key: 'qaAppeals',
    path: '/qa/appeals',
    labelKey: 'quality.nav.appeals',
    descriptionKey: 'quality.nav.appealsDesc',
    icon: <FlagOutlined />,
    group: 'quality',
    permission: 'qa.rule_appeals',
  },
  {
    key: 'performance',
    path: '/performance',
    labelKey: 'quality.nav.performance',
    descriptionKey: 'quality.nav.performanceDesc',
    icon: <TrophyOutlined />,
    group: 'quality',
    permission: 'qa.own',
  },
  {
    key: 'qaScorecards',
    path: '/qa/scorecards',
    labelKey: 'quality.nav.scorecards',
    descriptionKey: 'quality.nav.scorecardsDesc',
    icon: <OrderedListOutlined />,
    group: 'quality',
    permission: 'qa.manage',
  },
  {
    key: 'qaDashboard',
    path: '/qa/dashboard',
    labelKey: 'quality.nav.dashboard',
    descriptionKey: 'quality.nav.dashboardDesc',
    icon: <AreaChartOutlined />,
    group: 'quality',
    permission: 'qa.view',
  },
  {
    key: 'dashboards',
    path: '/dashboards',
    labelKey: 'nav.dashboards',
    descriptionKey: 'home.links.dashboards',
    icon: <FundOutlined />,
    group: 'quality',
    permission: 'measures.view',
  },
  {
    key: 'teamBoard',
    path: '/dashboards/team',
    labelKey: 'nav.teamBoard',
    descriptionKey: 'home.links.teamBoard',
    icon: <BarChartOutlined />,
    group: 'quality',
    permission: 'measures.view',
  },
  {
    key: 'myMeasures',
    path: '/dashboards/me',
    labelKey: 'nav.myMeasures',
    descriptionKey: 'home.links.myMeasures',
    icon: <LineChartOutlined />,
    group: 'quality',
    permission: 'measures.own',
  },
  {
    key: 'complaintAnalysis',
    path: '/dashboards/complaints',
    labelKey: 'nav.complaintAnalysis',
    descriptionKey: 'home.links.complaintAnalysis',
    icon: <PieChartOutlined />,
    group: 'quality',
    permission: 'measures.view',
  },
  {
    key: 'recovery',
    path: '/recovery',
    labelKey: 'nav.recovery',
    descriptionKey: 'home.links.recovery',
    icon: <HeartOutlined />,
    group: 'loops',
    permission: 'loops.recover',
  },
  {
    key: 'complaints',
    path: '/complaints',
    labelKey: 'nav.complaints',
    descriptionKey: 'home.links.complaints',
    icon: <MessageOutlined />,
    group: 'loops',
    permission: 'loops.work',
  },
  { key: 'care', path: '/care', labelKey: 'nav.care', descriptionKey: 'home.links.care', icon: <ScheduleOutlined />, group: 'loops', permission: 'loops.work' },
  { key: 'kb', path: '/kb', labelKey: 'nav.kb', descriptionKey: 'home.links.kb', icon: <BookOutlined />, group: 'work', permission: 'kb.view' },
  {
    key: 'surveys',
    path: '/surveys',
    labelKey: 'nav.surveys',
    descriptionKey: 'home.links.surveys',
    icon: <StarOutlined />,
    group: 'loops',
    permission: ['surveys.view', 'surveys.manage'],
  },
  {
    key: 'surveyResponses',
    path: '/surveys/responses',
    labelKey: 'nav.surveyResponses',
    descriptionKey: 'home.links.surveyResponses',
    icon: <CommentOutlined />,
    group: 'loops',
    permission: 'surveys.view',
  },
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
    key: 'calendars',
    path: '/calendars',
    labelKey: 'nav.calendars',
    descriptionKey: 'home.links.calendars',
    icon: <CalendarOutlined />,
    group: 'admin',
    permission: ['calendars.view', 'calendars.manage'],
  },
  {
    key: 'mailReview',
    path: '/channels/review',
    labelKey: 'nav.mailReview',
    descriptionKey: 'home.links.mailReview',
    icon: <MailOutlined />,
    group: 'work',
    permission: 'channels.work',
  },
  {
    key: 'channels',
    path: '/channels',
    labelKey: 'nav.channels',
    descriptionKey: 'home.links.channels',
    icon: <ApiOutlined />,
    group: 'admin',
    permission: 'channels.manage',
  },
  {
    key: 'notificationSettings',
    path: '/notifications/settings',
    labelKey: 'nav.notificationSettings',
    descriptionKey: 'home.links.notificationSettings',
    icon: <BellOutlined />,
    group: 'personal',
  },
  {
    key: 'profile',
    path: '/profile',
    labelKey: 'nav.profile',
    descriptionKey: 'home.links.profile',
    icon: <UserOutlined />,
    group: 'personal',
  },
  {
    key: 'measureSettings',
    path: '/dashboards/settings',
    labelKey: 'nav.measureSettings',
    descriptionKey: 'home.links.measureSettings',
    icon: <SlidersOutlined />,
    group: 'admin',
    permission: 'measures.manage',
  },
  {
    key: 'fieldToday',
    path: '/field/today',
    labelKey: 'nav.fieldToday',
    descriptionKey: 'home.links.fieldToday',
    icon: <ToolOutlined />,
    group: 'work',
    permission: 'field.work',
  },
  {
    key: 'fieldSites',
    path: '/field/sites',
    labelKey: 'nav.fieldSites',
    descriptionKey: 'home.links.fieldSites',
    icon: <QrcodeOutlined />,
    group: 'admin',
    permission: 'field.view',
  },
  {
    key: 'envCheck',
    path: '/env/check',
    labelKey: 'nav.envCheck',
    descriptionKey: 'home.links.envCheck',
    icon: <CloudOutlined />,
    group: 'quality',
    permission: 'qa.inspect',
  },
  {
    key: 'envTasks',
    path: '/env',
    labelKey: 'nav.envTasks',
    descriptionKey: 'home.links.envTasks',
    icon: <CloudOutlined />,
    group: 'quality',
    permission: 'qa.view',
  },
  {
    key: 'fieldBoard',
    path: '/field/board',
    labelKey: 'nav.fieldBoard',
    descriptionKey: 'home.links.fieldBoard',
    icon: <ScheduleOutlined />,
    group: 'work',
    permission: 'field.dispatch',
  },
];

export const NAV_GROUPS: readonly { group: NavGroup; labelKey: string }[] = [
  { group: 'work', labelKey: 'nav.groups.work' },
  { group: 'loops', labelKey: 'nav.groups.loops' },
  { group: 'quality', labelKey: 'nav.groups.quality' },
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
