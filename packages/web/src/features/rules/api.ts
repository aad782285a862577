import { http, type RequestBodyOf } from '../../api/client';

/** How the customer answered a compensation offered, when staff record it (server: process.rules.schema.ts). */
export const ACCEPTANCE_CHANNELS = ['phone', 'walk_in', 'wechat', 'email', 'sms', 'other'] as const;
export type AcceptanceBody = RequestBodyOf<'post', '/tickets/{id}/compensation-acceptances'>;

export const rulesApi = {
  answer: (id: string, body: AcceptanceBody) => http.post('/tickets/{id}/compensation-acceptances', { path: { id }, body }),
  giftLimit: () => http.get('/settings/front-desk-gifts'),
  putGiftLimit: (limitFen: number) => http.put('/settings/front-desk-gifts', { body: { limitFen } }),
};

export const rulesKeys = { giftLimit: ['settings', 'front-desk-gifts'] as const };
