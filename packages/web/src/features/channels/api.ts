/** Channels (渠道接入) API. */
import { http, type ItemOf, type RequestBodyOf, type ResponseOf } from '../../api/client';

export type Channel = ItemOf<ResponseOf<'get', '/channels'>['items']>;
export type ChannelCreate = RequestBodyOf<'post', '/channels'>;
export type ChannelUpdate = RequestBodyOf<'patch', '/channels/{id}'>;
export type ReviewEntry = ItemOf<ResponseOf<'get', '/channels/review'>['items']>;
export type OutboxItem = ItemOf<ResponseOf<'get', '/channels/outbox'>['items']>;
export type InboundItem = ItemOf<ResponseOf<'get', '/channels/{id}/inbound'>['items']>;

export const channelsApi = {
  list: () => http.get('/channels', {}),
  create: (body: ChannelCreate) => http.post('/channels', { body }),
  update: (id: string, body: ChannelUpdate) => http.patch('/channels/{id}', { path: { id }, body }),
  test: (id: string) => http.post('/channels/{id}/test', { path: { id } }),
  log: (id: string) => http.get('/channels/{id}/log', { path: { id } }),
  outbox: (status?: OutboxItem['status']) => http.get('/channels/outbox', { query: status ? { status } : {} }),
  retry: (id: string) => http.post('/channels/outbox/{id}/retry', { path: { id } }),
  inbound: (id: string, status: 'dead' | 'discarded' = 'dead') => http.get('/channels/{id}/inbound', { path: { id }, query: { status } }),
  inboundRetry: (id: string, messageId: string) => http.post('/channels/{id}/inbound/{messageId}/retry', { path: { id, messageId } }),
  inboundDiscard: (id: string, messageId: string, reason?: string) =>
    http.post('/channels/{id}/inbound/{messageId}/discard', { path: { id, messageId }, body: reason ? { reason } : {} }),
  review: () => http.get('/channels/review', {}),
  reviewTicket: (id: string, customerId?: string) => http.post('/channels/review/{id}/ticket', { path: { id }, body: customerId ? { customerId } : {} }),
  reviewAttach: (id: string, ticketId: string) => http.post('/channels/review/{id}/attach', { path: { id }, body: { ticketId } }),
  reviewDiscard: (id: string, reason: string) => http.post('/channels/review/{id}/discard', { path: { id }, body: { reason } }),
  ticketDeliveries: (id: string) => http.get('/tickets/{id}/deliveries', { path: { id } }),
};
