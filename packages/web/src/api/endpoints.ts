import { http, type RequestBodyOf } from './client';
import type {
  AppNotification,
  BulkBody,
  Customer360,
  CustomerPatch,
  CustomerProfile,
  OrderLine,
  TeamLoadMember,
  TicketCreate,
  TicketQuery,
  WorkStatus,
  AuditQuery,
  CustomerCreate,
  DispatchRuleInput,
  DryRunBody,
  HandoverCreate,
  HandoverState,
  Approval,
  BulkResult,
  LoginRequest,
  LoginResponse,
  Me,
  Page,
  TicketSummary,
  MePatch,
  StaffCreate,
  StaffPatch,
  TeamCreate,
  TicketDetail,
} from './types';

/**
 * The staff app's API calls, typed by the server's OpenAPI document (client.ts `http`): paths, query keys and
 * bodies are checked against it at compile time, and responses are the generated types.
 */
const enc = encodeURIComponent;

export const authApi = {
  login: (body: LoginRequest) => http.post('/auth/login', { body, skipAuthRedirect: true }) as Promise<LoginResponse>,
  logout: () => http.post('/auth/logout', { skipAuthRedirect: true }),
  logoutAll: () => http.post('/auth/logout-all'),
};

export const meApi = {
  get: () => http.get('/me') as Promise<Me>,
  patch: (body: MePatch) => http.patch('/me', { body }) as Promise<Me>,
  changePassword: (body: { currentPassword: string; newPassword: string }) => http.post('/me/password', { body }),
  totpSetup: () => http.post('/me/totp/setup'),
  totpConfirm: (code: string) => http.post('/me/totp/confirm', { body: { code } }),
};

export interface StaffQuery {
  q?: string;
  role?: string;
  teamId?: string;
  limit?: number;
  cursor?: string;
}

export const staffApi = {
  list: (query: StaffQuery) => http.get('/staff', { query }),
  get: (id: string) => http.get('/staff/{id}', { path: { id } }),
  create: (body: StaffCreate) => http.post('/staff', { body: body as RequestBodyOf<'post', '/staff'> }),
  update: (id: string, body: StaffPatch) => http.patch('/staff/{id}', { path: { id }, body: body as RequestBodyOf<'patch', '/staff/{id}'> }),
  resetPassword: (id: string, password: string) => http.post('/staff/{id}/reset-password', { path: { id }, body: { password } }),
  resetTotp: (id: string) => http.post('/staff/{id}/reset-totp', { path: { id } }),
};

export const teamsApi = {
  list: () => http.get('/teams'),
  create: (body: TeamCreate) => http.post('/teams', { body }),
};

export const rolesApi = {
  list: () => http.get('/roles'),
  update: (role: string, body: { requireTotp: boolean }) => http.patch('/roles/{role}', { path: { role }, body }),
};

export const auditApi = {
  list: (query: AuditQuery & { limit?: number; cursor?: string }) => http.get('/audit', { query }),
};

export const customersApi = {
  list: (query: { q?: string; tier?: string; limit?: number; cursor?: string }) => http.get('/customers', { query }),
  get: (id: string, reveal = false) => http.get('/customers/{id}', { path: { id }, query: reveal ? { reveal: 'contact' } : {} }),
  create: (body: CustomerCreate, idempotencyKey: string) =>
    http.post('/customers', { body: body as RequestBodyOf<'post', '/customers'>, headers: { 'Idempotency-Key': idempotencyKey } }),
  // TODO(#17): generated once PATCH /customers/{id} has a response schema
  patch: (id: string, body: CustomerPatch) =>
    http.patch('/customers/{id}', { path: { id }, body: body as RequestBodyOf<'patch', '/customers/{id}'> }) as Promise<CustomerProfile>,
  /** Profile, tickets, compensation, timeline, duplicates. `reveal` unmasks contacts (customers.unmask, audited). */
  // TODO(#17): generated once GET /customers/{id}/360 has a response schema
  get360: (id: string, reveal = false) => http.get('/customers/{id}/360', { path: { id }, query: reveal ? { reveal: 'contact' } : {} }) as Promise<Customer360>,
  /** Merge customer `id` into `intoId` (the survivor). */
  // TODO(#17): generated once POST /customers/{id}/merge has a response schema
  merge: (id: string, intoId: string) =>
    http.post('/customers/{id}/merge', { path: { id }, body: { intoId } }) as Promise<{ id: string; mergedIntoId: string; ticketsMoved: number }>,
};

export const ticketsApi = {
  list: (query: TicketQuery) => http.get('/tickets', { query }) as Promise<Page<TicketSummary>>,
  counts: () => http.get('/tickets/counts'),
  get: (id: string) => http.get('/tickets/{id}', { path: { id } }) as Promise<TicketDetail>,
  create: (body: TicketCreate, idempotencyKey: string) => http.post('/tickets', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  patch: (id: string, body: Partial<Pick<TicketDetail, 'priority' | 'categoryId' | 'tags' | 'subject' | 'type'>>) =>
    http.patch('/tickets/{id}', { path: { id }, body }),
  reply: (id: string, body: { body: string; visibility: 'public' | 'internal'; attachmentIds?: string[] }) =>
    http.post('/tickets/{id}/replies', { path: { id }, body }),
  status: (id: string, status: WorkStatus, note?: string) => http.post('/tickets/{id}/status', { path: { id }, body: { status, note } }),
  resolve: (id: string, resolution: string) => http.post('/tickets/{id}/resolve', { path: { id }, body: { resolution } }),
  reopen: (id: string, reason?: string) => http.post('/tickets/{id}/reopen', { path: { id }, body: reason ? { reason } : {} }),
  close: (id: string) => http.post('/tickets/{id}/close', { path: { id } }),
  assign: (id: string, body: RequestBodyOf<'post', '/tickets/{id}/assign'>) => http.post('/tickets/{id}/assign', { path: { id }, body }),
  take: (id: string) => http.post('/tickets/{id}/take', { path: { id } }),
  handover: (id: string, body: HandoverCreate) => http.post('/tickets/{id}/handovers', { path: { id }, body }),
  /** 201 granted within the caller's limit; above it the server answers 403 `approval_required` with `approvalId`. */
  compensate: (id: string, body: { kind: string; amountFen: number; reason: string }) =>
    http.post('/tickets/{id}/compensations', { path: { id }, body: body as never }),
  // TODO(#17): the response types below are hand-written until these routes have response schemas (tickets module)
  putOrderLines: (id: string, lines: Omit<OrderLine, 'id'>[]) =>
    http.put('/tickets/{id}/order-lines', { path: { id }, body: { lines } }) as Promise<{ id: string; lines: number }>,
  confirmOrder: (id: string) => http.post('/tickets/{id}/order/confirm', { path: { id } }) as Promise<{ id: string; confirmed: boolean }>,
  requestOrderChange: (id: string, body: { lines: Omit<OrderLine, 'id'>[]; reason: string }) =>
    http.post('/tickets/{id}/order/changes', { path: { id }, body }) as Promise<{ id: string; approvalId: string; state: string }>,
  link: (id: string, otherId: string, kind: string) =>
    http.post('/tickets/{id}/links', { path: { id }, body: { otherId, kind } as never }) as Promise<{ id: string }>,
  merge: (id: string, intoId: string) => http.post('/tickets/{id}/merge', { path: { id }, body: { intoId } }) as Promise<{ id: string }>,
  bulk: (body: BulkBody) => http.post('/tickets/bulk', { body }) as Promise<BulkResult>,
};

export const handoversApi = {
  list: (state?: HandoverState) => http.get('/handovers', { query: { state } }),
  confirm: (id: string, note?: string) => http.post('/handovers/{id}/confirm', { path: { id }, body: note ? { note } : {} }),
  decline: (id: string, note?: string) => http.post('/handovers/{id}/decline', { path: { id }, body: note ? { note } : {} }),
};

export const approvalsApi = {
  list: (state?: Approval['state']) => http.get('/approvals', { query: { state } }),
  approve: (id: string, comment?: string) => http.post('/approvals/{id}/approve', { path: { id }, body: { comment: comment ?? '' } }),
  reject: (id: string, comment?: string) => http.post('/approvals/{id}/reject', { path: { id }, body: { comment: comment ?? '' } }),
};

export const categoriesApi = {
  list: () => http.get('/categories'),
  create: (body: { name: string; parentId?: string | null; position?: number }) => http.post('/categories', { body }),
};

export const dispatchApi = {
  rules: () => http.get('/dispatch/rules'),
  create: (body: DispatchRuleInput) => http.post('/dispatch/rules', { body: body as RequestBodyOf<'post', '/dispatch/rules'> }),
  update: (id: string, body: DispatchRuleInput) =>
    http.put('/dispatch/rules/{id}', { path: { id }, body: body as RequestBodyOf<'put', '/dispatch/rules/{id}'> }),
  remove: (id: string) => http.delete('/dispatch/rules/{id}', { path: { id } }),
  dryRun: (body: DryRunBody) => http.post('/dispatch/dry-run', { body: body as RequestBodyOf<'post', '/dispatch/dry-run'> }),
};

export const workApi = {
  filters: () => http.get('/me/filters'),
  saveFilter: (name: string, query: Record<string, string>) => http.post('/me/filters', { body: { name, query } }),
  deleteFilter: (id: string) => http.delete('/me/filters/{id}', { path: { id } }),
  // TODO(#17): generated once POST /me/duty and GET /teams/load have response schemas
  setDuty: (onDuty: boolean) => http.post('/me/duty', { body: { onDuty } }) as Promise<{ onDuty: boolean }>,
  teamLoad: (teamId?: string) => http.get('/teams/load', { query: { teamId } }) as Promise<{ items: TeamLoadMember[] }>,
};

export const attachmentsApi = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return http.post('/attachments', { body: form });
  },
  url: (id: string) => `/api/v1/attachments/${enc(id)}`,
  thumbnailUrl: (id: string) => `/api/v1/attachments/${enc(id)}/thumbnail`,
};

export const notificationsApi = {
  list: (query: { unread?: boolean; limit?: number; cursor?: string } = {}) =>
    http.get('/notifications', { query: { unread: query.unread === undefined ? undefined : String(query.unread), limit: query.limit, cursor: query.cursor } }),
  // TODO(#17): generated once POST /notifications/{id}/read has a response schema
  read: (id: string) => http.post('/notifications/{id}/read', { path: { id } }) as Promise<AppNotification | void>,
  readAll: () => http.post('/notifications/read-all'),
};
