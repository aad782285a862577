import { useEffect } from 'react';
import { App, Button, Dropdown, Result, Spin } from 'antd';
import { UserOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { onAuthEvent } from '../../api/client';
import { portalApi } from '../api';
import { isSignedOut, portalErrorMessage } from '../errors';
import { ME_KEY } from '../keys';
import { LanguageToggle } from './ui';

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: portalApi.me, staleTime: 5 * 60_000, retry: (n, err) => !isSignedOut(err) && n < 2 });
}

export function PageLoading() {
  const { t } = useTranslation();
  return (
    <div className="pt-loading" role="status">
      <Spin size="large" />
      <span>{t('common.loading')}</span>
    </div>
  );
}

export function Brand() {
  const { t } = useTranslation();
  return (
    <Link to="/" className="pt-brand" aria-label={t('nav.home')}>
      <span className="pt-logo" aria-hidden>
        {t('app.logoGlyph')}
      </span>
      <span className="pt-brand-name">{t('app.name')}</span>
    </Link>
  );
}

function AccountMenu({ phone }: { phone: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: (everywhere: boolean) => (everywhere ? portalApi.logoutAll() : portalApi.logout()),
    onSuccess: (_data, everywhere) => {
      queryClient.clear();
      void message.success(t(everywhere ? 'account.loggedOutEverywhere' : 'account.loggedOut'));
      void navigate('/login', { replace: true });
    },
    onError: (err) => {
      // The session already ended (expired, or ended on another device): nothing left to sign out of.
      if (isSignedOut(err)) {
        queryClient.clear();
        void navigate('/login', { replace: true });
        return;
      }
      void message.error(portalErrorMessage(err, t));
    },
  });
  return (
    <Dropdown
      trigger={['click']}
      placement="bottomRight"
      menu={{
        items: [
          { key: 'phone', label: t('account.signedInAs', { phone }), disabled: true },
          { type: 'divider' },
          { key: 'logout', label: t('account.logout'), danger: true, disabled: logout.isPending, onClick: () => logout.mutate(false) },
          { key: 'logoutAll', label: t('account.logoutAll'), danger: true, disabled: logout.isPending, onClick: () => logout.mutate(true) },
        ],
      }}
    >
      <Button type="text" className="pt-account" icon={<UserOutlined />} aria-label={t('account.menu')} data-testid="account-menu" />
    </Dropdown>
  );
}

export function Header({ phone }: { phone?: string }) {
  return (
    <header className="pt-header">
      <div className="pt-header-inner">
        <Brand />
        <div className="pt-header-actions">
          <LanguageToggle />
          {phone ? <AccountMenu phone={phone} /> : null}
        </div>
      </div>
    </header>
  );
}

/** Signed-in frame: header + page. Without a customer session it sends you to the sign-in page. */
export function Shell() {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onAuthEvent((event) => {
        if (event !== 'unauthorized') return;
        queryClient.clear();
        void navigate(`/login?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      }),
    [navigate, queryClient, location.pathname, location.search],
  );

  if (me.isPending) {
    return (
      <>
        <Header />
        <PageLoading />
      </>
    );
  }
  if (me.isError && isSignedOut(me.error)) {
    const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  if (me.isError) {
    return (
      <>
        <Header />
        <main className="pt-main">
          <Result
            status="warning"
            title={portalErrorMessage(me.error, t)}
            extra={
              <Button type="primary" size="large" onClick={() => void me.refetch()}>
                {t('common.retry')}
              </Button>
            }
          />
        </main>
      </>
    );
  }
  return (
    <>
      <Header phone={me.data.phone} />
      <main className="pt-main">
        <Outlet />
      </main>
    </>
  );
}
