import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppDeps } from '../http/app';
import type { AccessTable } from '../http/access';
import type { MessageBundle } from '../i18n/index';
import type { BackgroundWorker } from '../lib/worker';
import type { TicketEventBatchHandler, TicketEventHandler, TicketEventKind, TicketTransitionGuard } from './tickets/ticket-events';

/**
 * A consumer of ticket events: runs inside the transaction of every event whose kind it declares
 * (`'*'`: every kind). `batch` takes a whole command's (or create batch's) events at once and must behave exactly
 * like calling `handle` for each in turn.
 */
export interface TicketConsumer {
  name: string;
  kinds: '*' | readonly TicketEventKind[];
  handle: TicketEventHandler;
  batch?: TicketEventBatchHandler;
}

/** A guard on a ticket's resolve / close: throws an AppError to refuse (runs after the ticket row is locked). */
export interface TicketGuard {
  name: string;
  fn: TicketTransitionGuard;
}

/**
 * Creates one background worker for a running app, or null when the environment disables it
 * (e.g. CHIDU_LOOPS_WORKER=0). Started on the app's `onReady`, stopped (gracefully) on `onClose`.
 */
export type WorkerFactory = (deps: AppDeps, log: FastifyBaseLogger) => BackgroundWorker | null;

/**
 * The one shape of a domain module. Each domain exports exactly one `<domain>.module.ts` with a `ChiduModule`,
 * listed once in `modules/index.ts` (MODULES). Everything a module adds to the running system is declared here:
 * who may call each route (access), the routes, ticket-event consumers, resolve/close guards, background workers
 * and the server-generated texts it renders (messages, zh-CN and en).
 */
export interface ChiduModule {
  /** Short, stable name ('tickets', 'kb'): logs, metrics, the architecture map. */
  name: string;
  /** Who may call each route (src/http/access.ts); a route without a declaration fails the access matrix. */
  access?: AccessTable;
  /** Registers the module's routes on the /api/v1 scope (and public routes it owns). */
  routes?(api: FastifyInstance, deps: AppDeps): void;
  /** Ticket-event consumers, run in module order inside each event's transaction. */
  consumers?: readonly TicketConsumer[];
  /** Resolve/close guards. */
  guards?: readonly TicketGuard[];
  /** Background workers (one worker base: src/lib/worker.ts). */
  workers?: readonly WorkerFactory[];
  /** Server-generated texts as message keys, rendered in the reader's language (src/i18n). */
  messages?: MessageBundle;
}

export const defineModule = (m: ChiduModule): ChiduModule => m;
