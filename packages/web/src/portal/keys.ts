/** TanStack Query keys of the portal. */
export const ME_KEY = ['portal', 'me'] as const;
export const TICKETS_KEY = ['portal', 'tickets'] as const;
export const ticketKey = (id: string) => ['portal', 'ticket', id] as const;
export const ratingKey = (id: string) => ['portal', 'rating', id] as const;
