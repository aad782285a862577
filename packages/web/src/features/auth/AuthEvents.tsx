import { useEffect } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { onAuthEvent } from '../../api/client';

/**
 * Root route element: turns API auth events into navigation.
 * 401 anywhere (except the login call) → /login; 403 totp_enrolment_required → enrolment page.
 */
export function AuthEvents() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onAuthEvent((event) => {
        const here = window.location.pathname;
        if (event === 'unauthorized') {
          if (here === '/login') return;
          void navigate('/login', { replace: true, state: { from: here + window.location.search } });
          // after the guarded pages unmount, drop everything cached for the old session
          setTimeout(() => queryClient.clear(), 0);
        } else if (event === 'totp-enrolment-required' && here !== '/profile/totp') {
          void navigate('/profile/totp', { replace: true });
        }
      }),
    [navigate, queryClient],
  );

  useEffect(() => {
    window.scrollTo(0, 0);
  }, [location.pathname]);

  return <Outlet />;
}
