/**
 * API client of the customer portal (客户服务门户).
 *
 * Reuses the staff app's fetch wrapper (`src/api/client.ts`: cookie session, `X-CSRF-Token` on every write,
 * problem+json → ApiError). Photo uploads go through XMLHttpRequest instead, because fetch cannot report
 * upload progress.
 */
import { ApiError, NetworkError, api, buildUrl, readCookie, type Problem } from '../api/client';
import type { AnswerBody, LowScore, PublicQuestion } from '../features/surveys/public/SurveyForm';

export const TICKET_TYPES = ['repair', 'inquiry', 'complaint', 'suggestion', 'after_sales', 'order', 'emergency'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** Types a customer can pick on the submit form (the rest are logged by staff). */
export const PORTAL_TYPES = ['repair', 'inquiry', 'complaint', 'suggestion'] as const satisfies readonly TicketType[];
export type PortalType = (typeof PORTAL_TYPES)[number];

export const TICKET_STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface PortalMe {
  id: string;
  name: string;
  /** masked, e.g. 139****0001 */
  phone: string;
  tier: string;
}

export interface CodeSent {
  sent: boolean;
  expiresInSeconds: number;
  /** Only in demo mode (no SMS gateway): the code itself. */
  demoCode?: string;
}

export interface VerifyResult {
  /** Only for API clients (transport "bearer"); a browser session lives in the HttpOnly cookie alone. */
  token?: string;
  csrfToken: string;
  transport: 'cookie' | 'bearer';
  /** Absolute end of the session. */
  expiresAt: string;
  /** The session ends after this long without a request. */
  idleTimeoutSeconds: number;
  customer: { id: string; name: string };
}

export interface PortalTicket {
  id: string;
  number: string;
  type: TicketType;
  status: TicketStatus;
  subject: string;
  ownerName: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface Attachment {
  id: string;
  filename: string;
  mime: string;
  size: number;
  hasThumbnail: boolean;
  replyId?: string | null;
}

export interface Reply {
  id: string;
  authorKind: 'staff' | 'customer' | 'system' | (string & {});
  authorName: string | null;
  visibility: 'public' | 'internal';
  body: string;
  createdAt: string;
  attachments: Attachment[];
}

export interface TimelineItem {
  id: string;
  at: string;
  kind: string;
  actorKind: string;
  actorName: string | null;
  data: Record<string, unknown>;
}

export interface PortalTicketDetail extends PortalTicket {
  description: string;
  site: string | null;
  resolution: string | null;
  closedAt: string | null;
  customerConfirmedAt: string | null;
  reopenCount: number;
  timeline: TimelineItem[];
  replies: Reply[];
  attachments: Attachment[];
  allowed: { reply: boolean; reopen: boolean };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TicketSubmit {
  type: TicketType;
  subject: string;
  description: string;
  site?: string;
  attachmentIds?: string[];
}

/** The rating card on a request (GET /portal/tickets/{id}/survey). */
export type RatingCardState =
  | { state: 'none' }
  | { state: 'answered'; answeredAt: string | null; score: { csat: number | null; nps: number | null; ces: number | null } | null; lowScore: boolean }
  | { state: 'expired'; expiresAt: string }
  | {
      state: 'open';
      expiresAt: string;
      title: string;
      description: string | null;
      questions: PublicQuestion[];
      lowScore: LowScore;
      url: string | null;
    };

const enc = encodeURIComponent;

export const portalApi = {
  sendCode: (phone: string) => api.post<CodeSent>('/portal/auth/code', { phone }, { skipAuthRedirect: true }),
  /** A browser session: the token stays in the HttpOnly cookie and cannot be replayed as a Bearer token. */
  verify: (phone: string, code: string) => api.post<VerifyResult>('/portal/auth/verify', { phone, code, transport: 'cookie' }, { skipAuthRedirect: true }),
  /** Not signed in answers 401 (or 403 for a staff session); the caller shows the sign-in page. */
  me: () => api.get<PortalMe>('/portal/me', undefined, { skipAuthRedirect: true }),
  logout: () => api.post<void>('/portal/auth/logout', undefined, { skipAuthRedirect: true }),
  /** Ends the customer's sessions on every device. */
  logoutAll: () => api.post<void>('/portal/auth/logout-all', undefined, { skipAuthRedirect: true }),
  tickets: (cursor?: string) => api.get<Page<PortalTicket>>('/portal/tickets', { limit: 20, cursor }),
  submit: (body: TicketSubmit, idempotencyKey: string) =>
    api.post<{ id: string; number: string; status: TicketStatus }>('/portal/tickets', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  ticket: (id: string) => api.get<PortalTicketDetail>(`/tickets/${enc(id)}`),
  reply: (id: string, body: string, attachmentIds: string[]) =>
    api.post<{ id: string; status: TicketStatus }>(`/tickets/${enc(id)}/replies`, {
      body,
      visibility: 'public',
      ...(attachmentIds.length ? { attachmentIds } : {}),
    }),
  confirm: (id: string) => api.post<{ id: string; status: TicketStatus }>(`/portal/tickets/${enc(id)}/confirm`),
  askProgress: (id: string) => api.post<{ at: string }>(`/portal/tickets/${enc(id)}/status-requests`),
  reopen: (id: string, reason?: string) => api.post<{ id: string; status: TicketStatus }>(`/tickets/${enc(id)}/reopen`, reason ? { reason } : {}),
  survey: (id: string) => api.get<RatingCardState>(`/portal/tickets/${enc(id)}/survey`),
  answerSurvey: (id: string, body: AnswerBody) =>
    api.post<{ id: string; lowScore: boolean; recoveryOpened: boolean }>(`/portal/tickets/${enc(id)}/survey`, body),
  fileUrl: (id: string) => `/api/v1/attachments/${enc(id)}`,
  thumbnailUrl: (id: string) => `/api/v1/attachments/${enc(id)}/thumbnail`,
};

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface UploadHandle {
  promise: Promise<Attachment>;
  abort: () => void;
}

function retryAfterOf(xhr: XMLHttpRequest): number | undefined {
  const v = xhr.getResponseHeader('Retry-After');
  const n = v ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.max(0, Math.ceil(n)) : undefined;
}

/** POST /attachments (multipart field `file`) with upload progress (0–100). */
export function uploadAttachment(file: File, onProgress: (percent: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', buildUrl('/attachments'));
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    const csrf = readCookie('chidu_csrf');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(100, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300 && parsed && typeof parsed === 'object') {
        onProgress(100);
        resolve(parsed as Attachment);
      } else {
        reject(new ApiError(xhr.status || 0, (parsed as Problem | undefined) ?? {}, retryAfterOf(xhr)));
      }
    };
    xhr.onerror = () => reject(new NetworkError(new Error('upload failed')));
    xhr.ontimeout = () => reject(new NetworkError(new Error('upload timed out')));
    xhr.onabort = () => reject(new DOMException('upload aborted', 'AbortError'));
    const form = new FormData();
    form.append('file', file, file.name || 'photo.jpg');
    xhr.send(form);
  });
  // an aborted upload is expected (the photo was removed): do not report it as unhandled
  promise.catch(() => undefined);
  return { promise, abort: () => xhr.abort() };
}
