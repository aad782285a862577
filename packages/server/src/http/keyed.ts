/** The HTTP side of `Idempotency-Key` writes (src/lib/idempotency.ts): read the header, send the answer marking a replay. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The request's `Idempotency-Key`, when it sent one. */
export const idempotencyKey = (req: FastifyRequest): string | undefined => {
  const h = req.headers['idempotency-key'];
  return typeof h === 'string' ? h : undefined;
};

/** Send a keyed command's answer with its status; a replayed one carries `idempotent-replayed: true`. */
export function sendKeyed<T>(reply: FastifyReply, status: number, out: { body: T; replayed: boolean }) {
  if (out.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.status(status).send(out.body);
}
