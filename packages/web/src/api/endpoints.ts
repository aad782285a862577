import { api } from './client';
import type {
  AuditEntry,
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
};
