import { useEffect } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { i18n as I18n } from 'i18next';

/**
 * Texts the server writes (timeline titles, dispatch reasons, notification titles, export headings) come in the
 * request's language (Accept-Language): when the reader switches language, refetch what is on screen.
 */
export function useRefetchOnLanguageChange(i18n: I18n, queryClient: QueryClient): void {
  useEffect(() => {
    const refetch = () => {
      void queryClient.invalidateQueries();
    };
    i18n.on('languageChanged', refetch);
    return () => {
      i18n.off('languageChanged', refetch);
    };
  }, [i18n, queryClient]);
}
