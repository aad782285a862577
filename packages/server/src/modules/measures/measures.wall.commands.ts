/** The TV wall: read-only display tokens and the wall's own data (today, the last 7 days, the live board). */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, invalid, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { orgTimeZone } from '../../lib/timezone';
import { parseRange } from '../standards/standards.period';
import { authorize } from '../identity/policy';
import { board } from './measures.board.commands';
import { currentVersion, DAY } from './measures.commands';
import { presentWallToken } from './measures.present';
import { measuresRepo } from './measures.repo';
import { targetsMap } from './measures.targets.commands';
import { present, runQuery, type Group } from './query';

const hash = (t: string) => createHash('sha256').update(t).digest('hex');

export async function createWallToken(
  database: Database,
  ctx: Ctx,
  input: { name: string; teamId?: string | null | undefined; expiresInDays?: number | undefined },
) {
  authorize(ctx.actor, 'measures.manage');
  const days = input.expiresInDays ?? 30;
  const token = `wall_${randomBytes(24).toString('base64url')}`;
  return database.transaction(async (tx) => {
    if (input.teamId) {
      if (!(await measuresRepo.teamExists(tx, input.teamId))) throw invalid('teamId', 'no such team');
    }
    const id = uuidv7();
    const expiresAt = new Date(Date.now() + days * DAY);
    await measuresRepo.insertWallToken(tx, { id, name: input.name, tokenHash: hash(token), teamId: input.teamId ?? null, expiresAt, createdBy: ctx.actor.id! });
    await writeAudit(tx, ctx, {
      action: 'measure.wall_token_created',
      targetType: 'measure_display_token',
      targetId: id,
      changes: diff(null, { name: input.name, teamId: input.teamId ?? null, expiresAt: expiresAt.toISOString() }),
    });
    return { id, name: input.name, teamId: input.teamId ?? null, expiresAt: expiresAt.toISOString(), token, url: `/wall?token=${token}` };
  });
}

export async function listWallTokens(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'measures.manage');
  const rows = await measuresRepo.wallTokens(database.db);
  return { items: rows.map((r) => presentWallToken(r)) };
}

export async function revokeWallToken(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'measures.manage');
  await database.transaction(async (tx) => {
    if (!(await measuresRepo.revokeWallToken(tx, id))) throw notFound('Display token');
    await writeAudit(tx, ctx, { action: 'measure.wall_token_revoked', targetType: 'measure_display_token', targetId: id });
  });
}

/** The wall's data only: today's and the last 7 days' measures, hourly volume today and the live board. */
export async function wallData(database: Database, token: string | undefined) {
  if (!token || !/^wall_[A-Za-z0-9_-]{20,80}$/.test(token)) throw new AppError('unauthenticated', 'Display token required');
  const row = await measuresRepo.wallTokenByHash(database.db, hash(token));
  if (!row || row.revoked_at) throw new AppError('unauthenticated', 'Display token revoked or unknown');
  if (new Date(row.expires_at).getTime() <= Date.now()) throw new AppError('token_expired', 'Display token expired');
  await measuresRepo.touchWallToken(database.db, row.id);
  const sys = { actor: { kind: 'system' as const, id: null, name: 'wall' }, requestId: null, ip: null };
  const filters = row.team_id ? { teamId: row.team_id } : {};
  const todayFrom = parseRange({ from: localToday(), to: localToday() });
  const q = (from: Date, to: Date, groupBy: Group[] = []) =>
    runQuery(database.db, { from, to, tz: orgTimeZone(), filters, groupBy, ...(groupBy.length ? { percentiles: false, knowledge: false } : {}) });
  const [d, w, hourly, b] = await Promise.all([
    q(todayFrom.from, todayFrom.to),
    q(new Date(todayFrom.to.getTime() - 7 * DAY), todayFrom.to),
    q(new Date(todayFrom.to.getTime() - 7 * DAY), todayFrom.to, ['day']),
    board(database, sys, { teamId: row.team_id ?? undefined }),
  ]);
  const v = await currentVersion(database.db);
  return {
    name: row.name,
    teamName: row.team_name,
    at: new Date().toISOString(),
    version: v,
    today: present(d.total),
    week: present(w.total),
    trend: hourly.rows.map((r) => ({ day: r.key.day, ...present(r) })),
    board: {
      backlog: b.backlog,
      overloaded: b.agents.filter((a) => a.overloaded).map((a) => ({ name: a.name, open: a.open })),
      clocks: b.clocks.slice(0, 10).map((c) => ({ code: c.code, state: c.state, dueAt: c.dueAt, number: c.number })),
    },
    targets: await targetsMap(database.db),
  };
}

function localToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: orgTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
