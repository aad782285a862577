import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { classifyDbFault, dbFaultError } from '../lib/db-faults';
import { AppError, toProblem, type FieldError } from '../lib/errors';
import { recordDbFault } from '../lib/health';

function zodPath(instancePath: string | undefined, ctxName: string | undefined): string {
  const p = (instancePath ?? '')
    .replace(/^\//, '')
    .split('/')
    .filter(Boolean)
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
  if (ctxName && ctxName !== 'body') return p ? `${ctxName}.${p}` : ctxName;
  return p || 'body';
}

/** The one place where any thrown error becomes an RFC 9457 problem response. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const errors: FieldError[] = fe.validation.flatMap((v): FieldError[] => {
      // A strict object (every query string, src/http/openapi.ts) names each unknown key as its own field error.
      const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: unknown }).keys : undefined;
      if (Array.isArray(keys) && keys.length) {
        const what = fe.validationContext === 'querystring' ? 'parameter' : 'field';
        return keys.map((k) => ({ path: zodPath(`${v.instancePath ?? ''}/${String(k)}`, fe.validationContext), message: `is not a known ${what}` }));
      }
      return [{ path: zodPath(v.instancePath, fe.validationContext), message: v.message ?? 'is invalid' }];
    });
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return new AppError('validation_failed', detail, { errors });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send JSON with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation_failed', 'body: must not be empty', { errors: [{ path: 'body', message: 'must not be empty' }] });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', 'Content-Length does not match the body');
    default:
      break;
  }
  if (fe instanceof SyntaxError || fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe?.statusCode === 400 && /JSON/i.test(fe.message ?? ''))) {
    return new AppError('validation_failed', 'body: is not valid JSON', { errors: [{ path: 'body', message: 'is not valid JSON' }] });
  }
  if (fe?.statusCode === 429) return new AppError('rate_limited');
  if (fe?.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(
      fe.statusCode === 404
        ? 'not_found'
        : fe.statusCode === 413
          ? 'payload_too_large'
          : fe.statusCode === 415
            ? 'unsupported_media_type'
            : 'validation_failed',
      fe.message,
    );
  }
  // The database's environment failed (connection, timeout, disk): retryable 503 / 507, never a 500.
  const fault = classifyDbFault(err);
  if (fault) return dbFaultError(fault);
  // Database constraint errors that escaped a command: report without internals.
  const pgCode = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if (pgCode === '23505') return new AppError('conflict', 'A record with these values already exists');
  if (pgCode === '23503') return new AppError('validation_failed', 'A referenced record does not exist');
  if (pgCode === '40001' || pgCode === '40P01') return new AppError('conflict', 'Concurrent update; retry the request');
  return new AppError('internal', 'Something went wrong on our side; the request id identifies it in the logs');
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const app = toAppError(err);
  const fault =
    app.code === 'database_unavailable' ? 'unavailable' : app.code === 'database_busy' ? 'busy' : app.code === 'storage_full' ? 'storage_full' : null;
  if (fault) {
    recordDbFault(fault);
    const cause =
      err instanceof AppError
        ? undefined
        : { message: (err as Error)?.message, code: (err as { code?: string })?.code ?? (err as { cause?: { code?: string } })?.cause?.code };
    req.log.warn({ code: app.code, status: app.status, ...(cause ? { cause } : {}) }, 'request failed: database fault');
  } else if (app.code === 'overloaded') req.log.debug({ code: app.code }, 'request shed');
  else if (app.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: app.code, status: app.status }, 'request refused');
  if (app.headers) for (const [k, v] of Object.entries(app.headers)) reply.header(k, v);
  return reply.status(app.status).type('application/problem+json; charset=utf-8').serializer(JSON.stringify).send(toProblem(app, req.id));
}
