import type { TFunction } from 'i18next';
import { ApiError, NetworkError } from '../api/client';

/** Error codes with a sentence of their own in the portal dictionaries (`errors.<code>`). */
export const KNOWN_ERROR_CODES = [
  'otp_invalid',
  'rate_limited',
  'unauthenticated',
  'token_expired',
  'forbidden',
  'not_found',
  'conflict',
  'csrf_failed',
  'unsupported_media_type',
  'payload_too_large',
  'idempotency_key_reused',
  'storage_full',
  'overloaded',
] as const;

const ERROR_KEYS: Record<(typeof KNOWN_ERROR_CODES)[number], string> = {
  otp_invalid: 'errors.otp_invalid',
  rate_limited: 'errors.rate_limited',
  unauthenticated: 'errors.unauthenticated',
  token_expired: 'errors.token_expired',
  forbidden: 'errors.forbidden',
  not_found: 'errors.not_found',
  conflict: 'errors.conflict',
  csrf_failed: 'errors.csrf_failed',
  unsupported_media_type: 'errors.unsupported_media_type',
  payload_too_large: 'errors.payload_too_large',
  idempotency_key_reused: 'errors.idempotency_key_reused',
  storage_full: 'errors.storage_full',
  overloaded: 'errors.overloaded',
};

/** Field-level validation messages from the server, by field path. */
const FIELD_KEYS: Record<string, string> = {
  phone: 'errors.field.phone',
  code: 'errors.field.code',
  subject: 'errors.field.subject',
  description: 'errors.field.description',
  body: 'errors.field.body',
  file: 'errors.field.file',
  attachmentIds: 'errors.field.attachmentIds',
};

function fieldOf(path: string | (string | number)[]): string {
  const parts = Array.isArray(path)
    ? path.map(String)
    : String(path)
        .split(/[/.[\]]+/)
        .filter(Boolean);
  if (parts[0] === 'body' && parts.length > 1) parts.shift();
  return parts[0] ?? '';
}

function isKnown(code: string | undefined): code is (typeof KNOWN_ERROR_CODES)[number] {
  return code !== undefined && (KNOWN_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * A sentence a customer can act on, in the UI language. The server's `detail` is English and technical,
 * so it is never shown as such.
 */
export function portalErrorMessage(err: unknown, t: TFunction): string {
  if (err instanceof NetworkError) return t('errors.network');
  if (err instanceof ApiError) {
    if (err.code === 'otp_invalid' && err.errors.some((e) => e.message === 'expired')) return t('errors.otp_expired');
    if (err.code === 'rate_limited') {
      const seconds = err.retryAfter ?? (typeof err.problem.retryAfterSeconds === 'number' ? err.problem.retryAfterSeconds : undefined);
      if (seconds !== undefined && seconds >= 120) return t('errors.rate_limited_minutes', { minutes: String(Math.ceil(seconds / 60)) });
      if (seconds !== undefined) return t('errors.rate_limited', { seconds: String(seconds) });
      return t('errors.too_many_tries');
    }
    if (err.code === 'validation_failed') {
      const field = err.errors.map((e) => FIELD_KEYS[fieldOf(e.path)]).find(Boolean);
      return field ? t(field) : t('errors.validation_failed');
    }
    if (isKnown(err.code)) return t(ERROR_KEYS[err.code]);
    if (err.status === 413) return t('errors.payload_too_large');
    if (err.status === 415) return t('errors.unsupported_media_type');
    if (err.status >= 500) return t('errors.server');
    return t('errors.http', { status: String(err.status) });
  }
  return t('errors.unknown');
}

/** Signed out (or a staff session on the portal): show the sign-in page. */
export function isSignedOut(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 401 || (err.status === 403 && err.code === 'forbidden'));
}
