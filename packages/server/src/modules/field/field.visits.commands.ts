import { createHash } from 'node:crypto';
import type { Database, Tx } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { idempotent } from '../../lib/idempotency';
import { uuidv7 } from '../../lib/ids';
import { authorize, permissionsOf } from '../identity/policy';
import { recordTicketEvent } from '../tickets/ticket-events';
import { ticketsRepo } from '../tickets/tickets.repo';
import { fieldSecret, signCode, verifyCode } from './field.code';
import { arrivalTiming, canMove, isVisitTechnician, REPEAT_WINDOW_DAYS, type VisitMove } from './field.policy';
import { detectRecurring } from './field.maintenance.commands';
import { presentDayVisit, presentVisit } from './field.present';
import { fieldRepo, type VisitRow } from './field.repo';
import { CHECKLIST_STEPS, type VisitCreateInput } from './field.schema';
import { dayBounds, localDate } from './field.time';
import { refuseIfQuotePending } from './field.work.commands';

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

/**
 * Book a visit of a ticket. The technician's staff row is locked first, so two bookings of the same technician run one
 * after the other and the second sees the first: an overlap of [start, end) → 409 slot_taken (PGlite and PostgreSQL alike).
 */
export async function createVisit(database: Database, ctx: Ctx, ticketId: string, input: VisitCreateInput) {
  authorize(ctx.actor, 'field.dispatch');
  const start = new Date(input.start);
  const end = new Date(input.end);
  return database.transaction(async (tx) => {
    const ticket = await ticketsRepo.byId(tx, ticketId);
    if (!ticket) throw notFound('Ticket');
    const siteId = input.siteId ?? ticket.siteId ?? null;
    if (siteId && !(await fieldRepo.siteById(tx, siteId))) throw invalid('siteId', 'unknown site');
    const technicianId = input.technicianId ?? null;
    if (technicianId) {
      const tech = await fieldRepo.lockTechnician(tx, technicianId);
      if (!tech?.active || !permissionsOf(tech.roles).has('field.work')) throw invalid('technicianId', 'not an active technician');
      const clash = await fieldRepo.overlapping(tx, technicianId, start, end);
      if (clash)
        throw new AppError('slot_taken', 'The technician already has a visit overlapping this window', {
          reason: 'slot_taken',
          extra: { conflictStart: clash.startsAt.toISOString(), conflictEnd: clash.endsAt.toISOString() },
        });
    }
    // A visit inside the 7-day guarantee of a completed visit at the same site repeats it (counts against first-time fix).
    const since = new Date(Date.now() - REPEAT_WINDOW_DAYS * 86_400_000);
    const repeatOf = siteId ? await fieldRepo.lastCompletedAt(tx, siteId, since) : undefined;
    const row = await fieldRepo.insertVisit(tx, {
      id: uuidv7(),
      ticketId,
      siteId,
      technicianId,
      startsAt: start,
      endsAt: end,
      state: 'scheduled',
      repeatOfId: repeatOf?.id ?? null,
    });
    await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_scheduled', {
      visitId: row.id,
      technicianId,
      start: row.startsAt.toISOString(),
      end: row.endsAt.toISOString(),
      repeatOfId: row.repeatOfId,
    });
    await writeAudit(tx, ctx, { action: 'field.visit_scheduled', targetType: 'field_visit', targetId: row.id });
    await detectRecurring(tx, ctx, ticket.type, [{ kind: 'site', id: siteId }]);
    return { id: row.id, state: row.state as 'scheduled', repeatOfId: row.repeatOfId };
  });
}

export async function listTicketVisits(database: Database, ctx: Ctx, ticketId: string) {
  authorize(ctx.actor, 'tickets.work');
  const rows = await fieldRepo.visitsOfTicket(database.db, ticketId);
  const names = await fieldRepo.staffNames(database.db, [...new Set(rows.flatMap((r) => (r.technicianId ? [r.technicianId] : [])))]);
  return { items: rows.map((r) => presentVisit(r, r.technicianId ? (names.get(r.technicianId) ?? null) : null)) };
}

/** The caller's visits of a local day (default today), in order: the technician's phone view. */
export async function myDay(database: Database, ctx: Ctx, date?: string) {
  authorize(ctx.actor, 'field.work');
  const day = date ?? localDate(new Date());
  const { from, to } = dayBounds(day);
  const rows = await fieldRepo.dayOf(database.db, ctx.actor.id!, from, to);
  // SHA-256 of each code that checks in at the visit's site (the site's and its assets'): the phone refuses another
  // site's code on the spot, offline too, without holding a code it could show (the server still verifies on sync).
  const siteIds = [...new Set(rows.flatMap((r) => (r.visit.siteId ? [r.visit.siteId] : [])))];
  const secret = siteIds.length ? await fieldSecret(database.db) : null;
  const hashes = new Map<string, string[]>();
  for (const n of secret ? await fieldRepo.codeNonces(database.db, siteIds) : []) {
    const list = hashes.get(n.siteId) ?? [];
    list.push(
      createHash('sha256')
        .update(signCode(secret!, n.kind, n.nonce))
        .digest('hex'),
    );
    hashes.set(n.siteId, list);
  }
  return { date: day, items: rows.map((r) => ({ ...presentDayVisit(r), codeHashes: (r.visit.siteId && hashes.get(r.visit.siteId)) || [] })) };
}

/** Load the visit for the caller's move: only its technician sees it (others: 404). */
async function ownVisit(tx: Tx, ctx: Ctx, id: string): Promise<VisitRow> {
  const v = await fieldRepo.visitById(tx, id, true);
  if (!v || !isVisitTechnician(ctx.actor, v)) throw notFound('Visit');
  return v;
}

function refuseMove(move: VisitMove, v: VisitRow): never {
  throw new AppError('conflict', `A ${v.state} visit cannot ${move}`, { reason: 'visit_state', params: { state: v.state } });
}

export async function getVisit(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'field.work');
  const v = await fieldRepo.visitById(database.db, id);
  if (!v || !isVisitTechnician(ctx.actor, v)) throw notFound('Visit');
  return presentVisit(v);
}

type VisitView = ReturnType<typeof presentVisit>;
/** A technician move's answer; `replayed` when an `Idempotency-Key` seen before replays the first answer. */
export interface MoveResult {
  body: VisitView;
  replayed: boolean;
}

/**
 * Run a technician's write on a visit once per `Idempotency-Key` (the phone's offline queue sends every action with
 * one): the same key and body replay the first answer and change nothing; without a key it simply runs. Either way in
 * one transaction, the policy checked first.
 */
async function keyed(
  database: Database,
  ctx: Ctx,
  key: string | undefined,
  route: string,
  body: unknown,
  fn: (tx: Tx) => Promise<VisitView>,
): Promise<MoveResult> {
  authorize(ctx.actor, 'field.work');
  const out = await idempotent(database, ctx, key, route, body, async (tx) => ({ status: 200, body: await fn(tx) }));
  return { body: out.body, replayed: out.replayed };
}

async function move(
  database: Database,
  ctx: Ctx,
  id: string,
  mv: VisitMove,
  opts: { key?: string | undefined; body?: unknown },
  apply: (tx: Tx, v: VisitRow) => Promise<Partial<VisitRow>>,
  after?: (tx: Tx, before: VisitRow, row: VisitRow) => Promise<void>,
): Promise<MoveResult> {
  return keyed(database, ctx, opts.key, `POST /visits/${id}/${mv}`, opts.body ?? {}, async (tx) => {
    const v = await ownVisit(tx, ctx, id);
    // A move already made (e.g. replayed without its key) is refused as visit_state: nothing is applied twice.
    if (!canMove(mv, v.state)) refuseMove(mv, v);
    const row = await fieldRepo.updateVisit(tx, id, await apply(tx, v));
    await writeAudit(tx, ctx, {
      action: `field.visit_${mv}`,
      targetType: 'field_visit',
      targetId: id,
      changes: { state: { before: v.state, after: row.state } },
    });
    if (after) await after(tx, v, row);
    return presentVisit(row);
  });
}

export const acceptVisit = (database: Database, ctx: Ctx, id: string, key?: string) =>
  move(database, ctx, id, 'accept', { key }, () => Promise.resolve({ state: 'accepted' }));

export const declineVisit = (database: Database, ctx: Ctx, id: string, reason: string, key?: string) =>
  move(database, ctx, id, 'decline', { key, body: { reason } }, () => Promise.resolve({ state: 'declined', declineReason: reason }));

export const departVisit = (database: Database, ctx: Ctx, id: string, key?: string) =>
  move(database, ctx, id, 'depart', { key }, () => Promise.resolve({ state: 'en_route', departedAt: new Date() }));

export const startVisit = (database: Database, ctx: Ctx, id: string, key?: string) =>
  move(database, ctx, id, 'start', { key }, async (tx) => {
    await refuseIfQuotePending(tx, id); // a pending quote must be accepted first (409 quote_pending)
    return { state: 'started', startedAt: new Date() };
  });

/**
 * Arrival (扫码签到): the code must be the visit site's or one of its assets' signed code; a forged, unknown or other
 * site's code → 422 wrong_site. Early or late arrival is recorded (and measured), never refused. Manual entry is flagged.
 */
export async function arriveVisit(database: Database, ctx: Ctx, id: string, code: string, manual: boolean, key?: string) {
  authorize(ctx.actor, 'field.work');
  const secret = await fieldSecret(database.db);
  return move(
    database,
    ctx,
    id,
    'arrive',
    { key, body: { code, manual } },
    async (tx, v) => {
      const parsed = verifyCode(secret, code);
      let assetId: string | null = null;
      let ok = false;
      if (parsed && v.siteId) {
        if (parsed.kind === 's') ok = (await fieldRepo.siteByNonce(tx, parsed.nonce))?.id === v.siteId;
        else {
          const asset = await fieldRepo.assetByNonce(tx, parsed.nonce);
          ok = asset?.siteId === v.siteId;
          assetId = ok ? asset!.id : null;
        }
      }
      if (!ok) throw new AppError('wrong_site', "The code is not this visit's site or one of its assets", { reason: 'wrong_site' });
      const at = new Date();
      return {
        state: 'arrived',
        arrivedAt: at,
        arrivalMethod: manual ? 'manual' : 'scan',
        arrivalAssetId: assetId,
        arrivalOffsetSeconds: Math.round((at.getTime() - v.startsAt.getTime()) / 1000),
      };
    },
    async (tx, _before, row) => {
      const ticket = await ticketsRepo.byId(tx, row.ticketId);
      if (!ticket) return;
      await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_arrived', {
        visitId: row.id,
        method: row.arrivalMethod ?? 'scan',
        onTime: arrivalTiming(row.arrivedAt!, row.startsAt, row.endsAt) !== 'late',
        offsetSeconds: row.arrivalOffsetSeconds ?? 0,
      });
      // A check-in on an asset's code makes the repair one of the asset's (recurring faults).
      if (row.arrivalAssetId) await detectRecurring(tx, ctx, ticket.type, [{ kind: 'asset', id: row.arrivalAssetId }]);
    },
  );
}

/** Tick the checklist steps done so far (replaces the list; allowed once arrived). */
export async function putChecklist(database: Database, ctx: Ctx, id: string, steps: string[], key?: string) {
  return keyed(database, ctx, key, `PUT /visits/${id}/checklist`, { steps }, async (tx) => {
    const v = await ownVisit(tx, ctx, id);
    if (v.state !== 'arrived' && v.state !== 'started') refuseMove('start', v);
    const clean = CHECKLIST_STEPS.filter((s) => steps.includes(s));
    const row = await fieldRepo.updateVisit(tx, id, { checklist: clean });
    await writeAudit(tx, ctx, {
      action: 'field.visit_checklist',
      targetType: 'field_visit',
      targetId: id,
      changes: { checklist: { before: v.checklist, after: clean } },
    });
    return presentVisit(row);
  });
}

/** Complete (完成): every checklist step is required; notes and labour time recorded; the ticket's loops are told. */
export async function completeVisit(
  database: Database,
  ctx: Ctx,
  id: string,
  input: { notes?: string | undefined; labourMinutes?: number | undefined },
  key?: string,
) {
  authorize(ctx.actor, 'field.work');
  return move(
    database,
    ctx,
    id,
    'complete',
    { key, body: input },
    (_tx, v) => {
      const done = Array.isArray(v.checklist) ? (v.checklist as string[]) : [];
      const missing = CHECKLIST_STEPS.filter((s) => !done.includes(s));
      if (missing.length)
        throw new AppError('conflict', `Checklist steps missing: ${missing.join(', ')}`, {
          reason: 'checklist_incomplete',
          params: { steps: missing.join(',') },
        });
      const at = new Date();
      return Promise.resolve({
        state: 'completed',
        completedAt: at,
        notes: input.notes ?? v.notes,
        labourMinutes: input.labourMinutes ?? (v.startedAt ? Math.max(0, Math.round((at.getTime() - v.startedAt.getTime()) / 60_000)) : null),
      });
    },
    async (tx, _before, row) => {
      const ticket = await ticketsRepo.byId(tx, row.ticketId);
      if (!ticket) return;
      await recordTicketEvent(tx, ctx, await ticketsRepo.snapshot(tx, ticket), 'field.visit_completed', { visitId: row.id, repeatOfId: row.repeatOfId });
    },
  );
}
