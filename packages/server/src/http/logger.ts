import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { scrubText } from '../lib/mask';

/** pino options: secrets redacted, phone and id numbers scrubbed from URLs and messages. */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]', '*.password', '*.otp', '*.token'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; id?: string }) => ({ method: req.method, url: scrubText(req.url), ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
}

/**
 * Fastify's per-request lines at levels that keep the default (`info`) log quiet, so the start banner with the demo
 * logins stays on screen: "incoming request" at `debug`; "request failed" at `error` for server errors (≥ 500; 503 and 507 — refusals the server chose — at `warn`),
 * `warn` when slower than `slowMs` (CHIDU_SLOW_REQUEST_MS; 0 = never), else `debug` (4xx included — refusals the
 * error handler already reports at `info`). URLs go through the scrubbing `req` serializer; no bodies.
 */
export class QuietLogController extends LogController {
  constructor(private readonly slowMs: number) {
    super();
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const ms = Math.round(reply.elapsedTime);
    const line = { req: request, res: reply, responseTime: ms, ...(error ? { err: error } : {}) };
    // 503 and 507 are refusals the server chose (overload, database unavailable, disk full), each reported once by
    // its own warning: `warn`, not the `error` of a request that failed.
    if (!error && (reply.statusCode === 503 || reply.statusCode === 507)) reply.log.warn(line, 'request refused');
    else if (error || reply.statusCode >= 500) reply.log.error(line, 'request failed');
    else if (this.slowMs > 0 && ms >= this.slowMs) reply.log.warn(line, 'slow request');
    else reply.log.debug(line, 'request completed');
  }
}
