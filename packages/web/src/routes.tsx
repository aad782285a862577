import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router-dom';
import { AuthEvents } from './features/auth/AuthEvents';
import { RequirePermission } from './features/auth/RequirePermission';
import { AppLayout, PageSpinner } from './layout/AppLayout';
import { NotFoundPage } from './layout/NotFoundPage';
import { NAV_ITEMS } from './layout/nav';

const LoginPage = lazy(() => import('./features/auth/LoginPage'));
const OverviewPage = lazy(() => import('./features/dashboards/OverviewPage'));
const TeamBoardPage = lazy(() => import('./features/dashboards/TeamBoardPage'));
const AgentMeasuresPage = lazy(() => import('./features/dashboards/AgentPage'));
const ComplaintsAnalysisPage = lazy(() => import('./features/dashboards/ComplaintsPage'));
const MeasureSettingsPage = lazy(() => import('./features/dashboards/SettingsPage'));
const WallPage = lazy(() => import('./features/dashboards/WallPage'));
const HomePage = lazy(() => import('./features/home/HomePage'));
const CustomersPage = lazy(() => import('./features/customers/CustomersPage'));
const Customer360Page = lazy(() => import('./features/customers/Customer360Page'));
const TicketsPage = lazy(() => import('./features/tickets/TicketsPage'));
const TicketPage = lazy(() => import('./features/tickets/TicketPage'));
const HandoversPage = lazy(() => import('./features/handovers/HandoversPage'));
const ApprovalsPage = lazy(() => import('./features/approvals/ApprovalsPage'));
const TeamLoadPage = lazy(() => import('./features/team/TeamLoadPage'));
const DispatchRulesPage = lazy(() => import('./features/dispatch/DispatchRulesPage'));
const CategoriesPage = lazy(() => import('./features/categories/CategoriesPage'));
const StaffPage = lazy(() => import('./features/staff/StaffPage'));
const RolesPage = lazy(() => import('./features/roles/RolesPage'));
const AuditPage = lazy(() => import('./features/audit/AuditPage'));
const StandardsPage = lazy(() => import('./features/standards/StandardsPage'));
const StandardDetailPage = lazy(() => import('./features/standards/StandardDetailPage'));
const DefineStandardPage = lazy(() => import('./features/std-define/DefineStandardPage'));
const CalendarsPage = lazy(() => import('./features/calendars/CalendarsPage'));
const ChannelsPage = lazy(() => import('./features/channels/ChannelsPage'));
const MailReviewPage = lazy(() => import('./features/channels/MailReviewPage'));
const LiveChatPage = lazy(() => import('./features/channels/LiveChatPage'));
const SurveysPage = lazy(() => import('./features/surveys/SurveysPage'));
const QaRulesPage = lazy(() => import('./features/inspection/RulesPage'));
const QaWorkbenchPage = lazy(() => import('./features/quality/WorkbenchPage'));
const QaInspectionPage = lazy(() => import('./features/quality/InspectionPage'));
const MyQaPage = lazy(() => import('./features/quality/MyQaPage'));
const QaAppealsPage = lazy(() => import('./features/quality/AppealsPage'));
const QaCoachingPage = lazy(() => import('./features/quality/Coaching'));
const QaCalibrationPage = lazy(() => import('./features/quality/CalibrationPage'));
const QaPeerPage = lazy(() => import('./features/quality/PeerReview'));
const PerformancePage = lazy(() => import('./features/quality/PerformancePage'));
const QaScorecardsPage = lazy(() => import('./features/quality/ScorecardsPage'));
const QaDashboardPage = lazy(() => import('./features/quality/DashboardPage'));
const SurveyResponsesPage = lazy(() => import('./features/surveys/ResponsesPage'));
const RecoveryBoard = lazy(() => import('./features/loops/RecoveryBoard'));
const ComplaintBoard = lazy(() => import('./features/loops/ComplaintBoard'));
const CareCalendar = lazy(() => import('./features/loops/CareCalendar'));
const NotificationSettingsPage = lazy(() => import('./features/notifications/NotificationSettingsPage'));
const ProfilePage = lazy(() => import('./features/profile/ProfilePage'));
const KbPage = lazy(() => import('./features/kb/KbPage'));
const KbItemPage = lazy(() => import('./features/kb/KbItemPage'));
const TotpEnrolPage = lazy(() => import('./features/profile/TotpEnrolPage'));
const FieldSitesPage = lazy(() => import('./features/field/SitesPage'));
const FieldTodayPage = lazy(() => import('./features/field/TodayPage'));
const EnvCheckPage = lazy(() => import('./features/environment/CheckPage'));
const MysteryPage = lazy(() => import('./features/mystery/MysteryPage'));
const MysteryVisitPage = lazy(() => import('./features/mystery/VisitPage'));
const EnvironmentPage = lazy(() => import('./features/environment/EnvironmentPage'));
const FieldBoardPage = lazy(() => import('./features/field/BoardPage'));
const FieldPartsPage = lazy(() => import('./features/field/PartsPage'));
const FieldMaintenancePage = lazy(() => import('./features/field/MaintenancePage'));

/** Wrap a page in the permission guard declared for its menu entry in `layout/nav.tsx`. */
function guarded(navKey: string, page: ReactNode) {
  const item = NAV_ITEMS.find((i) => i.key === navKey);
  return <RequirePermission permission={item?.permission}>{page}</RequirePermission>;
}

export const router = createBrowserRouter([
  {
    element: <AuthEvents />,
    children: [
      {
        path: '/login',
        element: (
          <Suspense fallback={<PageSpinner />}>
            <LoginPage />
          </Suspense>
        ),
      },
      {
        path: '/wall',
        element: (
          <Suspense fallback={<PageSpinner />}>
            <WallPage />
          </Suspense>
        ),
      },
      {
        path: '/',
        element: <AppLayout />,
        children: [
          { index: true, element: <HomePage /> },
          { path: 'customers', element: guarded('customers', <CustomersPage />) },
          { path: 'customers/:id', element: guarded('customers', <Customer360Page />) },
          { path: 'tickets', element: guarded('tickets', <TicketsPage />) },
          { path: 'tickets/:id', element: guarded('tickets', <TicketPage />) },
          { path: 'live-chat', element: guarded('liveChat', <LiveChatPage />) },
          { path: 'handovers', element: guarded('handovers', <HandoversPage />) },
          { path: 'approvals', element: guarded('approvals', <ApprovalsPage />) },
          { path: 'team', element: guarded('team', <TeamLoadPage />) },
          { path: 'dispatch', element: guarded('dispatch', <DispatchRulesPage />) },
          { path: 'categories', element: guarded('categories', <CategoriesPage />) },
          { path: 'staff', element: guarded('staff', <StaffPage />) },
          { path: 'roles', element: guarded('roles', <RolesPage />) },
          { path: 'audit', element: guarded('audit', <AuditPage />) },
          { path: 'standards', element: guarded('standards', <StandardsPage />) },
          { path: 'standards/define', element: guarded('standards', <DefineStandardPage />) },
          { path: 'standards/:id', element: guarded('standards', <StandardDetailPage />) },
          { path: 'calendars', element: guarded('calendars', <CalendarsPage />) },
          { path: 'calendars/:id', element: guarded('calendars', <CalendarsPage />) },
          { path: 'channels', element: guarded('channels', <ChannelsPage />) },
          { path: 'channels/review', element: guarded('mailReview', <MailReviewPage />) },
          { path: 'surveys', element: guarded('surveys', <SurveysPage />) },
          { path: 'qa/rules', element: guarded('qaRules', <QaRulesPage />) },
          { path: 'qa/workbench', element: guarded('qaWorkbench', <QaWorkbenchPage />) },
          { path: 'qa/inspections/:id', element: guarded('qaMine', <QaInspectionPage />) },
          { path: 'qa/mine', element: guarded('qaMine', <MyQaPage />) },
          { path: 'qa/appeals', element: guarded('qaAppeals', <QaAppealsPage />) },
          { path: 'qa/coaching', element: guarded('qaCoaching', <QaCoachingPage />) },
          { path: 'qa/calibrations', element: guarded('qaCalibration', <QaCalibrationPage />) },
          { path: 'qa/calibrations/:id', element: guarded('qaCalibration', <QaCalibrationPage />) },
          { path: 'qa/peer', element: guarded('qaPeer', <QaPeerPage />) },
          { path: 'qa/scorecards', element: guarded('qaScorecards', <QaScorecardsPage />) },
          { path: 'qa/dashboard', element: guarded('qaDashboard', <QaDashboardPage />) },
          { path: 'qa/mystery', element: guarded('qaMystery', <MysteryPage />) },
          { path: 'qa/mystery/visits/:id', element: guarded('qaMine', <MysteryVisitPage />) },
          { path: 'performance', element: guarded('performance', <PerformancePage />) },
          { path: 'surveys/responses', element: guarded('surveyResponses', <SurveyResponsesPage />) },
          { path: 'recovery', element: guarded('recovery', <RecoveryBoard />) },
          { path: 'complaints', element: guarded('complaints', <ComplaintBoard />) },
          { path: 'care', element: guarded('care', <CareCalendar />) },
          { path: 'kb', element: guarded('kb', <KbPage />) },
          { path: 'kb/:id', element: guarded('kb', <KbItemPage />) },
          { path: 'notifications/settings', element: <NotificationSettingsPage /> },
          { path: 'profile', element: <ProfilePage /> },
          { path: 'profile/totp', element: <TotpEnrolPage /> },
          { path: 'dashboards', element: guarded('dashboards', <OverviewPage />) },
          { path: 'dashboards/team', element: guarded('teamBoard', <TeamBoardPage />) },
          { path: 'dashboards/me', element: guarded('myMeasures', <AgentMeasuresPage />) },
          { path: 'dashboards/complaints', element: guarded('complaintAnalysis', <ComplaintsAnalysisPage />) },
          { path: 'dashboards/settings', element: guarded('measureSettings', <MeasureSettingsPage />) },
          { path: 'field/sites', element: guarded('fieldSites', <FieldSitesPage />) },
          { path: 'field/today', element: guarded('fieldToday', <FieldTodayPage />) },
          { path: 'env/check', element: guarded('envCheck', <EnvCheckPage />) },
          { path: 'env', element: guarded('envTasks', <EnvironmentPage />) },
          { path: 'field/board', element: guarded('fieldBoard', <FieldBoardPage />) },
          { path: 'field/parts', element: guarded('fieldParts', <FieldPartsPage />) },
          { path: 'field/maintenance', element: guarded('fieldMaintenance', <FieldMaintenancePage />) },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
