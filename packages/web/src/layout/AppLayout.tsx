import { Suspense, useEffect, useMemo, useState } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Button, Drawer, Flex, Grid, Layout, Menu, Result, Spin, Tooltip, Typography, type MenuProps } from 'antd';
import { LogoutOutlined, MenuFoldOutlined, MenuUnfoldOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { meApi } from '../api/endpoints';
import type { Locale, Me } from '../api/types';
import { applyLocale } from '../i18n';
import { ME_QUERY_KEY, MeProvider, hasPermission, useMeQuery } from '../features/auth/me';
import { useLogout } from '../features/auth/useLogout';
import { errorMessage } from '../lib/apiErrors';
import { roleLabel } from '../features/auth/labels';
import { NotificationBell } from '../features/notifications/NotificationBell';
import { RealtimeProvider } from '../features/notifications/realtime';
import { LanguageSwitch } from './LanguageSwitch';
import { Brand } from './Brand';
import { HolidayBanner } from './HolidayBanner';
import { NAV_GROUPS, NAV_ITEMS, activeNavKey } from './nav';

const { Header, Sider, Content } = Layout;

export function PageSpinner() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: 240 }}>
      <Spin size="large" />
    </Flex>
  );
}

/** Authenticated shell: loads `/me`, applies the user's language, renders menu + header + page. */
export function AppLayout() {
  const meQuery = useMeQuery();
  const location = useLocation();
  const { t } = useTranslation();

  if (meQuery.isPending) {
    return (
      <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
        <Spin size="large" />
      </Flex>
    );
  }
  if (meQuery.isError) {
    const err = meQuery.error;
    if (err instanceof ApiError && err.status === 401) {
      return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    }
    if (err instanceof ApiError && err.code === 'totp_enrolment_required') {
      return <EnrolmentShell me={null} />;
    }
    return (
      <Result
        status="error"
        title={t('app.loadFailed')}
        subTitle={errorMessage(err, t)}
        extra={
          <Button type="primary" onClick={() => void meQuery.refetch()}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }
  if (meQuery.data.mustEnrolTotp) return <EnrolmentShell me={meQuery.data} />;
  return <MainLayout me={meQuery.data} />;
}

function useSyncUserLocale(me: Me | null) {
  const locale = me?.locale;
  useEffect(() => {
    if (locale === 'zh-CN' || locale === 'en') void applyLocale(locale);
  }, [locale]);
}

function HeaderRight({ me, compact, persistLocale }: { me: Me | null; compact: boolean; persistLocale: boolean }) {
  const { t } = useTranslation();
  const logout = useLogout();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const persist = persistLocale
    ? async (locale: Locale) => {
        const updated = await meApi.patch({ locale });
        queryClient.setQueryData(ME_QUERY_KEY, updated);
      }
    : undefined;

  return (
    <Flex align="center" gap={compact ? 8 : 16} style={{ minWidth: 0 }}>
      {me && !me.mustEnrolTotp && persistLocale ? <NotificationBell compact={compact} /> : null}
      <LanguageSwitch persist={persist} size={compact ? 'small' : 'middle'} />
      {me && !compact ? (
        <Tooltip title={me.roles.map((r) => roleLabel(t, r)).join('、')}>
          <Button type="text" icon={<UserOutlined />} onClick={() => void navigate('/profile')} data-testid="header-user">
            <span className="chidu-user-name">{me.name}</span>
            <Typography.Text type="secondary">{me.employeeNo}</Typography.Text>
          </Button>
        </Tooltip>
      ) : null}
      <Tooltip title={compact ? t('header.logout') : undefined}>
        <Button icon={<LogoutOutlined />} onClick={() => void logout()} data-testid="logout">
          {compact ? null : t('header.logout')}
        </Button>
      </Tooltip>
    </Flex>
  );
}

function MainLayout({ me }: { me: Me }) {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isMobile = screens.lg === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  useSyncUserLocale(me);

  useEffect(() => setDrawerOpen(false), [location.pathname]);

  const menuItems = useMemo<MenuProps['items']>(() => {
    const visible = NAV_ITEMS.filter((item) => hasPermission(me, item.permission));
    return NAV_GROUPS.map(({ group, labelKey }) => {
      const children = visible
        .filter((item) => item.group === group)
        .map((item) => ({ key: item.key, icon: item.icon, label: t(item.labelKey), 'data-testid': `nav-${item.key}` }));
      return children.length ? { type: 'group' as const, key: group, label: t(labelKey), children } : null;
    }).filter((g) => g !== null);
  }, [me, t]);

  const selected = activeNavKey(location.pathname);
  const onMenuClick: MenuProps['onClick'] = ({ key }) => {
    const item = NAV_ITEMS.find((i) => i.key === key);
    if (item) void navigate(item.path);
  };
  const menu = (
    <Menu
      mode="inline"
      items={menuItems}
      selectedKeys={selected ? [selected] : []}
      onClick={onMenuClick}
      style={{ borderInlineEnd: 'none' }}
      inlineCollapsed={!isMobile && collapsed}
    />
  );

  return (
    <MeProvider value={me}>
      <RealtimeProvider>
        <Layout style={{ minHeight: '100vh' }}>
          {isMobile ? (
            <Drawer placement="left" open={drawerOpen} onClose={() => setDrawerOpen(false)} size={260} title={<Brand />} styles={{ body: { padding: 8 } }}>
              <Flex align="center" gap={8} style={{ padding: '4px 16px 12px' }}>
                <UserOutlined />
                <span>{me.name}</span>
                <Typography.Text type="secondary">{me.employeeNo}</Typography.Text>
              </Flex>
              {menu}
            </Drawer>
          ) : (
            <Sider theme="light" width={220} collapsedWidth={64} collapsed={collapsed} trigger={null} className="chidu-sider">
              <div className="chidu-sider-brand">
                <Brand compact={collapsed} />
              </div>
              {menu}
            </Sider>
          )}
          <Layout>
            <Header className="chidu-header">
              <Flex align="center" gap={8} style={{ minWidth: 0 }}>
                {isMobile ? (
                  <>
                    <Button type="text" icon={<MenuOutlined />} aria-label={t('header.menu')} onClick={() => setDrawerOpen(true)} />
                    <Brand />
                  </>
                ) : (
                  <Button
                    type="text"
                    aria-label={t(collapsed ? 'header.expandMenu' : 'header.collapseMenu')}
                    icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                    onClick={() => setCollapsed((c) => !c)}
                  />
                )}
              </Flex>
              <HeaderRight me={me} compact={isMobile} persistLocale />
            </Header>
            <Content className="chidu-content">
              <HolidayBanner />
              <Suspense fallback={<PageSpinner />}>
                <Outlet />
              </Suspense>
            </Content>
          </Layout>
        </Layout>
      </RealtimeProvider>
    </MeProvider>
  );
}

/**
 * Shown while the account must enrol TOTP (login said `mustEnrolTotp`, or the API answers
 * 403 `totp_enrolment_required`). Only the enrolment page is reachable.
 */
function EnrolmentShell({ me }: { me: Me | null }) {
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  useSyncUserLocale(me);
  if (location.pathname !== '/profile/totp') return <Navigate to="/profile/totp" replace />;
  return (
    <MeProvider value={me}>
      <Layout style={{ minHeight: '100vh' }}>
        <Header className="chidu-header">
          <Brand />
          <HeaderRight me={me} compact={screens.md === false} persistLocale={me !== null} />
        </Header>
        <Content className="chidu-content">
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </MeProvider>
  );
}
