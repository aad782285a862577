import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider, theme as antdTheme, type ThemeConfig } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useRefetchOnLanguageChange } from '../lib/refetchOnLanguage';
import { ApiError } from '../api/client';
import { Shell, PageLoading } from './components/Shell';
import { LoginPage } from './pages/LoginPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { HelpArticlePage, HelpHomePage, HelpShell } from './help/HelpPages';

const NewRequestPage = lazy(() => import('./pages/NewRequestPage'));
const SubmittedPage = lazy(() => import('./pages/SubmittedPage'));
const RequestPage = lazy(() => import('./pages/RequestPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failureCount, error) => !(error instanceof ApiError && error.status < 500) && failureCount < 2,
      // a customer switching back from WeChat or the camera app should see fresh news
      refetchOnWindowFocus: true,
      staleTime: 15_000,
    },
    mutations: { retry: false },
  },
});

export const FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif';

/** Phone-first: 16 px text (no zoom-on-focus on iOS), 44 px+ controls. */
const theme: ThemeConfig = {
  algorithm: antdTheme.defaultAlgorithm,
  token: {
    colorPrimary: '#2b6cc4',
    colorInfo: '#2b6cc4',
    colorSuccess: '#2f9e5b',
    colorWarning: '#e07a12',
    fontFamily: FONT_FAMILY,
    fontSize: 16,
    borderRadius: 10,
    controlHeight: 44,
    controlHeightLG: 52,
    controlHeightSM: 32,
  },
  components: {
    Button: { fontWeight: 500 },
    Input: { paddingBlock: 10 },
  },
};

const lazyPage = (node: ReactNode) => <Suspense fallback={<PageLoading />}>{node}</Suspense>;

const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/help',
      element: <HelpShell />,
      children: [
        { index: true, element: <HelpHomePage /> },
        { path: ':id', element: <HelpArticlePage /> },
      ],
    },
    {
      path: '/',
      element: <Shell />,
      children: [
        { index: true, element: <HomePage /> },
        { path: 'new', element: lazyPage(<NewRequestPage />) },
        { path: 'submitted/:id', element: lazyPage(<SubmittedPage />) },
        { path: 'requests/:id', element: lazyPage(<RequestPage />) },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/portal' },
);

export function PortalApp() {
  const { i18n } = useTranslation();
  useRefetchOnLanguageChange(i18n, queryClient);
  const locale = useMemo(() => (i18n.language === 'en' ? enUS : zhCN), [i18n.language]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={locale} theme={theme} button={{ autoInsertSpace: false }}>
        <AntApp>
          <RouterProvider router={router} />
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
