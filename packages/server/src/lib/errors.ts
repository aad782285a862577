/** Stable machine-readable error codes. The one place they map to HTTP status is `statusOf`. */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthenticated'
  | 'invalid_credentials'
  | 'otp_required'
  | 'otp_invalid'
  | 'token_expired'
  | 'forbidden'
  | 'csrf_failed'
  | 'totp_enrolment_required'
  | 'account_disabled'
  | 'approval_required'
  | 'not_found'
  | 'conflict'
  | 'already_answered'
  | 'complaint_steps_missing'
  | 'slot_taken'
  | 'wrong_site'
  | 'gone'
  | 'idempotency_key_reused'
  | 'outbound_refused'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'unprocessable'
  | 'database_unavailable'
  | 'database_busy'
  | 'overloaded'
  | 'storage_full'
  | 'internal';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
      return 400;
    case 'unauthenticated':
    case 'invalid_credentials':
    case 'otp_required':
    case 'otp_invalid':
    case 'token_expired':
      return 401;
    case 'forbidden':
    case 'csrf_failed':
    case 'totp_enrolment_required':
    case 'account_disabled':
    case 'approval_required':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'already_answered':
    case 'complaint_steps_missing':
    case 'slot_taken':
      return 409;
    case 'gone':
      return 410;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'idempotency_key_reused':
    case 'outbound_refused':
    case 'unprocessable':
    case 'wrong_site':
      return 422;
    case 'rate_limited':
      return 429;
    case 'unavailable':
    case 'database_unavailable':
    case 'database_busy':
    case 'overloaded':
      return 503;
    case 'storage_full':
      return 507;
    case 'internal':
      return 500;
    default: {
      const never: never = code;
      return never;
    }
  }
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Request validation failed',
  unauthenticated: 'Authentication required',
  invalid_credentials: 'Employee number or password is incorrect',
  otp_required: 'Dynamic password (TOTP) required',
  otp_invalid: 'Dynamic password (TOTP) is incorrect or already used',
  token_expired: 'Session expired',
  forbidden: 'Not allowed',
  csrf_failed: 'CSRF check failed',
  totp_enrolment_required: 'TOTP enrolment required before using the system',
  account_disabled: 'Account disabled',
  approval_required: 'Approval required',
  not_found: 'Not found',
  conflict: 'Conflict',
  already_answered: 'Already answered',
  complaint_steps_missing: 'Complaint loop steps missing',
  slot_taken: 'The technician already has a visit in this time slot',
  wrong_site: "This code does not belong to the visit's site",
  gone: 'Expired',
  idempotency_key_reused: 'Idempotency key reused with a different request',
  outbound_refused: 'Outbound address refused',
  unprocessable: 'Request cannot be processed',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  rate_limited: 'Too many attempts',
  unavailable: 'Service unavailable',
  database_unavailable: 'Database unavailable',
  database_busy: 'Database busy',
  overloaded: 'Server overloaded',
  storage_full: 'Storage full',
  internal: 'Internal error',
};

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  /**
   * Why, more precisely than the code (e.g. code `conflict`, reason `ticket_closed`): stable, snake_case, one per
   * situation; the web app maps it to a translated message (`errors.reason.<reason>`), with `params`.
   */
  readonly reason: string | undefined;
  readonly params: Record<string, string | number> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    opts: {
      errors?: FieldError[];
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
      reason?: string;
      params?: Record<string, string | number>;
    } = {},
  ) {
    super(detail ?? TITLES[code]);
    this.name = 'AppError';
    this.code = code;
    this.status = statusOf(code);
    this.errors = opts.errors;
    this.extra = opts.extra;
    this.headers = opts.headers;
    this.reason = opts.reason;
    this.params = opts.params;
  }

  get title(): string {
    return TITLES[this.code];
  }
}

/** A refusal because of the record's state (409), with a stable reason the web app translates. */
export const conflict = (reason: string, detail: string, params?: Record<string, string | number>) =>
  new AppError('conflict', detail, params ? { reason, params } : { reason });
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (detail = 'You are not allowed to do this') => new AppError('forbidden', detail);
export const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
/** A URL the outbound policy refuses (private / local address, bad scheme…), naming the field that holds it. */
export const outboundRefused = (path: string, refusal: { message: string; kind: 'invalid' | 'address' }) =>
  refusal.kind === 'invalid'
    ? invalid(path, refusal.message)
    : new AppError('outbound_refused', `${path}: ${refusal.message}`, { errors: [{ path, message: refusal.message }] });

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  reason?: string;
  params?: Record<string, string | number>;
  errors?: FieldError[];
  requestId?: string;
  [k: string]: unknown;
}

export function toProblem(err: AppError, requestId?: string): Problem {
  return {
    type: `https://chidu.dev/problems/${err.code}`,
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(err.reason ? { reason: err.reason } : {}),
    ...(err.params ? { params: err.params } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
    ...(err.extra ?? {}),
    ...(requestId ? { requestId } : {}),
  };
}
