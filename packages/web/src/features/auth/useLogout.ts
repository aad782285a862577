import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { authApi } from '../../api/endpoints';

/** Ends this session (or all sessions) and returns to the login page. */
export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(
    async (everywhere = false) => {
      try {
        await (everywhere ? authApi.logoutAll() : authApi.logout());
      } finally {
        void navigate('/login', { replace: true });
        queryClient.clear();
        // The field app's service worker keeps the signed-in technician and their day (customers' numbers) for use
        // offline: dropped when they sign out (packages/web/pwa.ts).
        if (typeof caches !== 'undefined') void caches.delete('chidu-field-data').catch(() => undefined);
      }
    },
    [navigate, queryClient],
  );
}
