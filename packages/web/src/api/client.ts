/**
 * Typed fetch client for the Chidu API.
 *
 * - {@link http}: calls typed by the generated OpenAPI types (`schema.gen.ts`, `npm run openapi`): the path, its
 *   path parameters, query keys, body and response all come from the server's schemas.
 * - Cookie session (HttpOnly `chidu_session`), `credentials: 'same-origin'`.
 * - Every request carries `Accept-Language` = the app's language, so server-generated texts come back in it.
 * - Every non-GET request carries `X-CSRF-Token` = readable cookie `chidu_csrf`.
 * - Errors are RFC 9457 problem+json and surface as {@link ApiError}.
 * - 401 (except on login) and 403 `totp_enrolment_required` are broadcast as
 *   auth events so the router can redirect (see `src/features/auth/AuthEvents.tsx`).
 */

import i18next from 'i18next';
import { DEFAULT_APP_LOCALE, isAppLocale } from '../lib/i18nSetup';
import type { paths } from './schema.gen';

export interface ProblemFieldError {
  path: string | (string | number)[];
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  /** Stable snake_case reason within the code (e.g. code `conflict`, reason `ticket_closed`); web: `errors.reason.<reason>`. */
  reason?: string;
  /** Values for the reason's message. */
  params?: Record<string, string | number>;
  errors?: ProblemFieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly reason: string | undefined;
  readonly params: Record<string, string | number>;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly errors: ProblemFieldError[];
  /** Seconds from the `Retry-After` header (429), if any. */
  readonly retryAfter: number | undefined;
  /** The whole problem document, including extension members (e.g. `approvalId` of 403 `approval_required`). */
  readonly problem: Problem & Record<string, unknown>;

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code;
    this.reason = typeof problem.reason === 'string' ? problem.reason : undefined;
    this.params = problem.params && typeof problem.params === 'object' ? problem.params : {};
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
    this.problem = problem as Problem & Record<string, unknown>;
  }
}

/** Raised when the request never got an HTTP answer (offline, server down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

export type AuthEvent = 'unauthorized' | 'totp-enrolment-required';
type AuthListener = (event: AuthEvent) => void;
const authListeners = new Set<AuthListener>();

export function onAuthEvent(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function emitAuthEvent(event: AuthEvent): void {
  for (const listener of authListeners) listener(event);
}

export function readCookie(name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) return decodeURIComponent(trimmed.slice(prefix.length));
  }
  return undefined;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not broadcast 401 as "go to login" (used by the login call itself). */
  skipAuthRedirect?: boolean;
}

export const API_BASE = '/api/v1';

/**
 * The app's current language (what `currentLocale()` of src/i18n returns), read from the one i18next instance so
 * this client also serves the customer portal without loading the staff app's dictionaries.
 */
export function requestLanguage(): string {
  return isAppLocale(i18next.language) ? i18next.language : DEFAULT_APP_LOCALE;
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = path.startsWith('/api/') ? path : `${API_BASE}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

const SESSION_LOSS_CODES = new Set(['unauthenticated', 'token_expired']);
function isSessionLoss(code: string | undefined): boolean {
  return code === undefined || SESSION_LOSS_CODES.has(code);
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': requestLanguage(),
    ...options.headers,
  };
  let body: string | FormData | undefined;
  if (options.body instanceof FormData) {
    body = options.body; // the browser sets the multipart boundary
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie('chidu_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err);
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let problem: Problem = {};
  try {
    const text = await response.text();
    if (text) problem = JSON.parse(text) as Problem;
  } catch {
    problem = {};
  }
  const error = new ApiError(response.status, problem, parseRetryAfter(response.headers.get('Retry-After')));
  // 401 also carries wrong-OTP answers (otp_invalid) that must not end the page; only session loss redirects.
  if (response.status === 401 && !options.skipAuthRedirect && isSessionLoss(error.code)) emitAuthEvent('unauthorized');
  // an account disabled while signed in ends the session too
  if (response.status === 403 && error.code === 'account_disabled' && !options.skipAuthRedirect) emitAuthEvent('unauthorized');
  if (response.status === 403 && error.code === 'totp_enrolment_required') emitAuthEvent('totp-enrolment-required');
  throw error;
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, options?: Omit<RequestOptions, 'query'>) => request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) => request<T>('PUT', path, { ...options, body }),
  /** multipart/form-data upload (CSRF header included like every other write). */
  upload: <T>(path: string, form: FormData, options?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...options, body: form }),
};

// ---- Typed calls from the generated OpenAPI types -------------------------------------------------------------

/** The generated paths without the `/api/v1` prefix (`'/tickets/{id}'`). */
export type ApiPaths = { [P in keyof paths as P extends `${typeof API_BASE}${infer R}` ? R : never]: paths[P] };
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** The paths that have an operation for `M`. */
export type PathOf<M extends Method> = {
  [P in keyof ApiPaths]: ApiPaths[P][M] extends { responses: unknown } ? P : never;
}[keyof ApiPaths];
/** The operation object (generated `operations[...]`) of `M P`. */
export type Operation<M extends Method, P extends PathOf<M>> = Extract<ApiPaths[P][M], { responses: unknown }>;

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : unknown;
/** The success body of an operation (200, 201 or 202; `void` for 204; `unknown` while the route has no response schema). */
export type SuccessOf<O> = O extends { responses: infer R }
  ? R extends { 200: infer X }
    ? JsonOf<X>
    : R extends { 201: infer X }
      ? JsonOf<X>
      : R extends { 202: infer X }
        ? JsonOf<X>
        : R extends { 204: unknown }
          ? void
          : unknown
  : never;
/** The JSON request body of an operation. */
export type BodyOf<O> = O extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
type ParamsOf<O, K extends 'path' | 'query'> = O extends { parameters: { [P in K]?: infer X } } ? NonNullable<X> : never;
/** Query keys are exactly the declared ones (the server answers 400 to any other); values are sent as strings. */
export type QueryOf<O> = [ParamsOf<O, 'query'>] extends [never] ? never : { [K in keyof ParamsOf<O, 'query'>]?: QueryValue };

export type ResponseOf<M extends Method, P extends PathOf<M>> = SuccessOf<Operation<M, P>>;
/** The element type of a list (`ItemOf<ResponseOf<'get', '/teams'>['items']>`). */
export type ItemOf<L> = L extends readonly (infer T)[] ? T : never;
export type RequestBodyOf<M extends Method, P extends PathOf<M>> = BodyOf<Operation<M, P>>;
export type QueryParamsOf<M extends Method, P extends PathOf<M>> = QueryOf<Operation<M, P>>;

type PathPart<O> = [ParamsOf<O, 'path'>] extends [never] ? { path?: never } : { path: { [K in keyof ParamsOf<O, 'path'>]: string | number } };
type QueryPart<O> = [QueryOf<O>] extends [never] ? { query?: never } : { query?: QueryOf<O> };
/** A JSON body as declared; multipart uploads (no JSON body in the schema) send FormData. */
type BodyPart<O> = [BodyOf<O>] extends [never] ? { body?: FormData } : { body: BodyOf<O> | FormData };
export type CallOptions<O> = PathPart<O> & QueryPart<O> & BodyPart<O> & Omit<RequestOptions, 'query' | 'body'>;

/** `'/tickets/{id}'` + `{ id }` → `'/tickets/0190…'` (each value URI-encoded). */
export function fillPath(template: string, params: Record<string, string | number> | undefined): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(String(v));
  });
}

function call<M extends Method>(method: M) {
  return <P extends PathOf<M>>(
    path: P,
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends T`: every option is optional, so options may be left out
    ...[options]: {} extends CallOptions<Operation<M, P>> ? [CallOptions<Operation<M, P>>?] : [CallOptions<Operation<M, P>>]
  ) => {
    const o = (options ?? {}) as RequestOptions & { path?: Record<string, string | number> };
    const { path: params, ...rest } = o;
    return request<ResponseOf<M, P>>(method.toUpperCase(), fillPath(path, params), rest);
  };
}

/**
 * Calls typed by the server's OpenAPI document: `http.get('/tickets/{id}', { path: { id } })` returns the
 * generated response type; a path, parameter or body field the server does not declare does not compile.
 */
export const http = {
  get: call('get'),
  post: call('post'),
  put: call('put'),
  patch: call('patch'),
  delete: call('delete'),
};

/** RFC 4122 v4 id; falls back to getRandomValues where randomUUID is unavailable (plain-HTTP intranet hosts). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
