import { api } from './client';
import type {
  AppNotification,
  Approval,
  AttachmentMeta,
  AuditEntry,
  BulkBody,
  BulkResult,
  Category,
  Compensation,
  Customer360,
  CustomerPatch,
  CustomerProfile,
  DispatchDecision,
  DispatchRule,
  DispatchRuleInput,
  DryRunBody,
  Handover,
  HandoverCreate,
  HandoverState,
  NotificationPage,
  OrderLine,
  SavedFilter,
  TeamLoadMember,
  TicketCreate,
  TicketCreated,
  TicketDetail,
  TicketQuery,
  TicketSummary,
  WorkStatus,
  AuditQuery,
  Customer,
  CustomerCreate,
  LoginRequest,
  LoginResponse,
  Me,
  MePatch,
  Page,
  RoleRow,
  RolesResponse,
  Staff,
  StaffCreate,
  StaffPatch,
  Team,
  TeamCreate,
  TotpConfirmResponse,
  TotpSetup,
} from './types';

const enc = encodeURIComponent;

export const authApi = {
  login: (body: LoginRequest) => api.post<LoginResponse>('/auth/login', body, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { skipAuthRedirect: true }),
  logoutAll: () => api.post<void>('/auth/logout-all'),
};

export const meApi = {
  get: () => api.get<Me>('/me'),
  patch: (body: MePatch) => api.patch<Me>('/me', body),
  changePassword: (body: { currentPassword: string; newPassword: string }) => api.post<void>('/me/password', body),
  totpSetup: () => api.post<TotpSetup>('/me/totp/setup'),
  totpConfirm: (code: string) => api.post<TotpConfirmResponse>('/me/totp/confirm', { code }),
};

export interface StaffQuery {
  q?: string;
  role?: string;
  teamId?: string;
  limit?: number;
  cursor?: string;
}

export const staffApi = {
  list: (query: StaffQuery) => api.get<Page<Staff>>('/staff', { ...query }),
  get: (id: string) => api.get<Staff>(`/staff/${enc(id)}`),
  create: (body: StaffCreate) => api.post<Staff>('/staff', body),
  update: (id: string, body: StaffPatch) => api.patch<Staff>(`/staff/${enc(id)}`, body),
  resetPassword: (id: string, password: string) => api.post<void>(`/staff/${enc(id)}/reset-password`, { password }),
  resetTotp: (id: string) => api.post<void>(`/staff/${enc(id)}/reset-totp`),
};

export const teamsApi = {
  list: () => api.get<{ items: Team[] }>('/teams'),
  create: (body: TeamCreate) => api.post<Pick<Team, 'id' | 'name' | 'supervisorId'>>('/teams', body),
};

export const rolesApi = {
  list: () => api.get<RolesResponse>('/roles'),
  update: (role: string, body: { requireTotp: boolean }) => api.patch<RoleRow>(`/roles/${enc(role)}`, body),
};

export const auditApi = {
  list: (query: AuditQuery & { limit?: number; cursor?: string }) => api.get<Page<AuditEntry>>('/audit', { ...query }),
};

export const customersApi = {
  list: (query: { q?: string; tier?: string; limit?: number; cursor?: string }) => api.get<Page<Customer>>('/customers', { ...query }),
  get: (id: string, reveal = false) => api.get<Customer>(`/customers/${enc(id)}`, reveal ? { reveal: 'contact' } : undefined),
  create: (body: CustomerCreate, idempotencyKey: string) =>
    api.post<Customer>('/customers', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  patch: (id: string, body: CustomerPatch) => api.patch<CustomerProfile>(`/customers/${enc(id)}`, body),
  /** Profile, tickets, compensation, timeline, duplicates. `reveal` unmasks contacts (customers.unmask, audited). */
  get360: (id: string, reveal = false) => api.get<Customer360>(`/customers/${enc(id)}/360`, reveal ? { reveal: 'contact' } : undefined),
  /** Merge customer `id` into `intoId` (the survivor). */
  merge: (id: string, intoId: string) => api.post<{ id: string; mergedIntoId: string; ticketsMoved: number }>(`/customers/${enc(id)}/merge`, { intoId }),
};

type Ok = { id: string; status?: string };

export const ticketsApi = {
  list: (query: TicketQuery) => api.get<Page<TicketSummary>>('/tickets', { ...query }),
  get: (id: string) => api.get<TicketDetail>(`/tickets/${enc(id)}`),
  create: (body: TicketCreate, idempotencyKey: string) =>
    api.post<TicketCreated>('/tickets', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  patch: (id: string, body: Partial<Pick<TicketDetail, 'priority' | 'categoryId' | 'tags' | 'subject' | 'type'>>) =>
    api.patch<Ok>(`/tickets/${enc(id)}`, body),
  reply: (id: string, body: { body: string; visibility: 'public' | 'internal'; attachmentIds?: string[] }) =>
    api.post<{ id: string; ticketId: string; status: string }>(`/tickets/${enc(id)}/replies`, body),
  status: (id: string, status: WorkStatus, note?: string) => api.post<Ok>(`/tickets/${enc(id)}/status`, { status, note }),
  resolve: (id: string, resolution: string) => api.post<Ok>(`/tickets/${enc(id)}/resolve`, { resolution }),
  reopen: (id: string, reason?: string) => api.post<Ok>(`/tickets/${enc(id)}/reopen`, reason ? { reason } : {}),
  close: (id: string) => api.post<Ok>(`/tickets/${enc(id)}/close`),
  assign: (id: string, body: { ownerId?: string | null; teamId?: string | null; reason?: string }) =>
    api.post<Ok>(`/tickets/${enc(id)}/assign`, body),
  take: (id: string) => api.post<Ok>(`/tickets/${enc(id)}/take`),
  handover: (id: string, body: HandoverCreate) => api.post<Handover>(`/tickets/${enc(id)}/handovers`, body),
  /** 201 granted within the caller's limit; above it the server answers 403 `approval_required` with `approvalId`. */
  compensate: (id: string, body: { kind: string; amountFen: number; reason: string }) =>
    api.post<Compensation>(`/tickets/${enc(id)}/compensations`, body),
  putOrderLines: (id: string, lines: Omit<OrderLine, 'id'>[]) => api.put<{ id: string; lines: number }>(`/tickets/${enc(id)}/order-lines`, { lines }),
  confirmOrder: (id: string) => api.post<{ id: string; confirmed: boolean }>(`/tickets/${enc(id)}/order/confirm`),
  requestOrderChange: (id: string, body: { lines: Omit<OrderLine, 'id'>[]; reason: string }) =>
    api.post<{ id: string; approvalId: string; state: string }>(`/tickets/${enc(id)}/order/changes`, body),
  link: (id: string, otherId: string, kind: string) => api.post<{ id: string }>(`/tickets/${enc(id)}/links`, { otherId, kind }),
  merge: (id: string, intoId: string) => api.post<{ id: string }>(`/tickets/${enc(id)}/merge`, { intoId }),
  bulk: (body: BulkBody) => api.post<BulkResult>('/tickets/bulk', body),
};

export const handoversApi = {
  list: (state?: HandoverState) => api.get<{ items: Handover[] }>('/handovers', { state }),
  confirm: (id: string, note?: string) => api.post<Handover>(`/handovers/${enc(id)}/confirm`, note ? { note } : {}),
  decline: (id: string, note?: string) => api.post<Handover>(`/handovers/${enc(id)}/decline`, note ? { note } : {}),
};

export const approvalsApi = {
  list: (state?: Approval['state']) => api.get<{ items: Approval[] }>('/approvals', { state }),
  approve: (id: string, comment?: string) => api.post<Approval>(`/approvals/${enc(id)}/approve`, { comment: comment ?? '' }),
  reject: (id: string, comment?: string) => api.post<Approval>(`/approvals/${enc(id)}/reject`, { comment: comment ?? '' }),
};

export const categoriesApi = {
  list: () => api.get<{ items: Category[] }>('/categories'),
  create: (body: { name: string; parentId?: string | null; position?: number }) => api.post<Category>('/categories', body),
};

export const dispatchApi = {
  rules: () => api.get<{ items: DispatchRule[] }>('/dispatch/rules'),
  create: (body: DispatchRuleInput) => api.post<DispatchRule>('/dispatch/rules', body),
  update: (id: string, body: DispatchRuleInput) => api.put<DispatchRule>(`/dispatch/rules/${enc(id)}`, body),
  remove: (id: string) => api.delete<void>(`/dispatch/rules/${enc(id)}`),
  dryRun: (body: DryRunBody) => api.post<DispatchDecision>('/dispatch/dry-run', body),
};

export const workApi = {
  filters: () => api.get<{ items: SavedFilter[] }>('/me/filters'),
  saveFilter: (name: string, query: Record<string, string>) => api.post<SavedFilter>('/me/filters', { name, query }),
  deleteFilter: (id: string) => api.delete<void>(`/me/filters/${enc(id)}`),
  setDuty: (onDuty: boolean) => api.post<{ onDuty: boolean }>('/me/duty', { onDuty }),
  teamLoad: (teamId?: string) => api.get<{ items: TeamLoadMember[] }>('/teams/load', { teamId }),
};

export const attachmentsApi = {
  upload: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<AttachmentMeta>('/attachments', form);
  },
  url: (id: string) => `/api/v1/attachments/${enc(id)}`,
  thumbnailUrl: (id: string) => `/api/v1/attachments/${enc(id)}/thumbnail`,
};

export const notificationsApi = {
  list: (query: { unread?: boolean; limit?: number; cursor?: string } = {}) =>
    api.get<NotificationPage>('/notifications', { unread: query.unread === undefined ? undefined : String(query.unread), limit: query.limit, cursor: query.cursor }),
  read: (id: string) => api.post<AppNotification | void>(`/notifications/${enc(id)}/read`),
  readAll: () => api.post<void>('/notifications/read-all'),
};
