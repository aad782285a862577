import { http, type RequestBodyOf, type ResponseOf } from '../../api/client';

/** Transfer and handover reasons (server: modules/process/process.reasons.ts). */
export const TRANSFER_REASONS = ['specialist', 'beyond_authority', 'customer_request', 'shift_handover', 'other'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

export type SolutionOfferState = ResponseOf<'get', '/tickets/{id}/solution-options'>;
export type SolutionOffersPut = RequestBodyOf<'post', '/tickets/{id}/solution-options'>;

export const processApi = {
  solutionOptions: (id: string) => http.get('/tickets/{id}/solution-options', { path: { id } }),
  offerSolutions: (id: string, body: SolutionOffersPut) => http.post('/tickets/{id}/solution-options', { path: { id }, body }),
  chooseSolution: (id: string, chosen: number) => http.post('/tickets/{id}/solution-options/choice', { path: { id }, body: { chosen } }),
};

export const processKeys = { solution: (id: string) => ['tickets', 'detail', id, 'solution-options'] as const };
