import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client';

/** Per technician over a period: the counts behind the field-service measures (docs/measures.md "Field service"). */
export interface FieldCounts {
  technicianId: string | null;
  name: string | null;
  arrivals: number;
  onTime: number;
  completed: number;
  firstTimeFixed: number;
  technicianDays: number;
  partsCostFen: number;
}

/** A completed visit has a repeat: a visit linked to it via repeat_of_id (not cancelled) booked within 7 days of its completion. */
const repeated = (v: string) =>
  sql.raw(`EXISTS (SELECT 1 FROM field_visits r WHERE r.repeat_of_id = ${v}.id AND r.state <> 'cancelled'
  AND r.created_at < ${v}.completed_at + interval '7 days')`);

const who = (technicianId: string | null, col: string): SQL => (technicianId ? sql`AND ${sql.raw(col)} = ${technicianId}` : sql``);

/** The SQL of the field-service measures: counts straight from the visits (small next to tickets; no cube). */
export const fieldMeasuresRepo = {
  /** Counts per technician: arrivals in [from, to) (on time: before the window's end), completions in [from, to). */
  async perTechnician(ex: Executor, from: Date, to: Date, tz: string, technicianId: string | null): Promise<FieldCounts[]> {
    const res = (await ex.execute(sql`
      WITH arr AS (
        SELECT technician_id, count(*)::int AS arrivals, count(*) FILTER (WHERE arrived_at < ends_at)::int AS on_time
        FROM field_visits WHERE arrived_at >= ${from} AND arrived_at < ${to} ${who(technicianId, 'technician_id')}
        GROUP BY technician_id
      ), done AS (
        SELECT v.technician_id, count(*)::int AS completed,
          count(*) FILTER (WHERE NOT ${repeated('v')})::int AS first_time_fixed,
          count(DISTINCT (v.completed_at AT TIME ZONE ${tz})::date)::int AS technician_days,
          coalesce(sum((SELECT sum(p.qty * p.unit_cost_fen) FROM field_visit_parts p WHERE p.visit_id = v.id)), 0)::bigint AS parts_cost_fen
        FROM field_visits v WHERE v.completed_at >= ${from} AND v.completed_at < ${to} ${who(technicianId, 'v.technician_id')}
        GROUP BY v.technician_id
      )
      SELECT coalesce(arr.technician_id, done.technician_id) AS technician_id, s.name,
        coalesce(arr.arrivals, 0) AS arrivals, coalesce(arr.on_time, 0) AS on_time,
        coalesce(done.completed, 0) AS completed, coalesce(done.first_time_fixed, 0) AS first_time_fixed,
        coalesce(done.technician_days, 0) AS technician_days, coalesce(done.parts_cost_fen, 0) AS parts_cost_fen
      FROM arr FULL JOIN done ON done.technician_id = arr.technician_id
      LEFT JOIN staff s ON s.id = coalesce(arr.technician_id, done.technician_id)
      ORDER BY s.name NULLS LAST, 1`)) as { rows: Record<string, unknown>[] };
    return res.rows.map((r) => ({
      technicianId: (r.technician_id as string | null) ?? null,
      name: (r.name as string | null) ?? null,
      arrivals: Number(r.arrivals),
      onTime: Number(r.on_time),
      completed: Number(r.completed),
      firstTimeFixed: Number(r.first_time_fixed),
      technicianDays: Number(r.technician_days),
      partsCostFen: Number(r.parts_cost_fen),
    }));
  },
  /**
   * Repeat repairs by asset type (the model, or the name when the asset has no model) of the asset the technician
   * checked in at: completed visits in [from, to) with a repeat within 7 days / completed visits.
   */
  async repeatByAssetType(ex: Executor, from: Date, to: Date, technicianId: string | null) {
    const res = (await ex.execute(sql`
      SELECT coalesce(nullif(btrim(a.model), ''), a.name) AS asset_type, count(*)::int AS denominator,
        count(*) FILTER (WHERE ${repeated('v')})::int AS numerator
      FROM field_visits v JOIN field_assets a ON a.id = v.arrival_asset_id
      WHERE v.completed_at >= ${from} AND v.completed_at < ${to} ${who(technicianId, 'v.technician_id')}
      GROUP BY 1 ORDER BY 2 DESC, 1`)) as { rows: { asset_type: string; denominator: number; numerator: number }[] };
    return res.rows.map((r) => ({ assetType: r.asset_type, numerator: Number(r.numerator), denominator: Number(r.denominator) }));
  },
};
