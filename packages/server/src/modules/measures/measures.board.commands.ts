/** The team board (live backlog, agents' load, clocks about to breach) and the complaint analysis. */
import type { Database } from '../../db/client';
import type { Ctx } from '../../lib/context';
import { boardTeam } from './measures.policy';
import { buildQuery, type MeasuresQueryInput } from './measures.commands';
import { measuresRepo, type ParetoRow } from './measures.repo';
import { filterFacts } from './query';

/** Backlog, agents' open load (overloaded at ≥ `overload` open tickets), clocks due within `withinMinutes`, open breaches. */
export async function board(
  database: Database,
  ctx: Ctx,
  q: { teamId?: string | undefined; overload?: number | undefined; withinMinutes?: number | undefined },
) {
  const teamId = boardTeam(ctx, q.teamId);
  const overload = q.overload ?? 10;
  const within = q.withinMinutes ?? 30;
  const ex = database.db;
  const backlog = await measuresRepo.backlog(ex, teamId);
  const agents = await measuresRepo.agentLoads(ex, teamId);
  const clocks = await measuresRepo.urgentClocks(ex, ctx.actor, teamId, within);
  const loads = agents.map((a) => Number(a.open));
  const avg = loads.length ? loads.reduce((x, y) => x + y, 0) / loads.length : 0;
  return {
    teamId: teamId ?? null,
    overloadThreshold: overload,
    withinMinutes: within,
    at: new Date().toISOString(),
    backlog: {
      total: backlog.reduce((a, b) => a + Number(b.n), 0),
      byStatus: backlog.map((b) => ({ status: b.status, count: Number(b.n), oldestCreatedAt: b.oldest ? new Date(b.oldest).toISOString() : null })),
    },
    agents: agents.map((a) => ({
      id: a.id,
      name: a.name,
      onDuty: a.on_duty,
      open: Number(a.open),
      urgent: Number(a.urgent),
      overloaded: Number(a.open) >= overload,
    })),
    averageOpen: Math.round(avg * 10) / 10,
    clocks: clocks.map((c) => ({
      id: c.id,
      code: c.code,
      state: c.state as 'running' | 'breached',
      dueAt: c.due_at ? new Date(c.due_at).toISOString() : null,
      ticketId: c.ticket_id,
      number: c.number,
      subject: c.subject,
      ownerName: c.owner_name,
    })),
  };
}

/** Pareto of complaint categories (types) and of root-cause tags; repeated problems by site (≥ 2 in the period). */
export async function complaints(database: Database, ctx: Ctx, q: MeasuresQueryInput & { minRepeat?: number | undefined }) {
  const query = buildQuery(ctx, { ...q, groupBy: undefined });
  const f = filterFacts(query.filters);
  const ex = database.db;
  const pareto = (rows: ParetoRow[]) => {
    const total = rows.reduce((a, r) => a + Number(r.n), 0);
    let cum = 0;
    return {
      total,
      items: rows.map((r) => {
        cum += Number(r.n);
        return { key: r.key, label: r.label ?? r.key, count: Number(r.n), share: total ? Number(r.n) / total : 0, cumulative: total ? cum / total : 0 };
      }),
    };
  };
  const byCategory = await measuresRepo.complaintsByCategory(ex, query.from, query.to, f);
  const byCause = await measuresRepo.complaintsByCause(ex, query.from, query.to, f);
  const repeats = await measuresRepo.repeatsBySite(ex, query.from, query.to, f, q.minRepeat ?? 2);
  const arr = (v: string[] | string) =>
    Array.isArray(v)
      ? v
      : String(v)
          .replace(/^\{|\}$/g, '')
          .split(',')
          .filter(Boolean);
  return {
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    timeZone: query.tz,
    byCategory: pareto(byCategory),
    byCause: pareto(byCause),
    repeats: repeats.map((r) => ({
      site: r.site,
      categoryId: r.category_id,
      category: r.category,
      count: Number(r.n),
      ticketIds: arr(r.tickets),
      types: arr(r.types),
    })),
  };
}
