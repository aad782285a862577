/**
 * Field-service measures (issue #16 item 8): on-time arrival, first-time fix, visits per technician per day, parts
 * cost, repeat repairs by asset type — each with its numerator and denominator (docs/measures.md "Field service").
 */
import type { Database } from '../../db/client';
import { t, type Locale } from '../../i18n/index';
import type { Ctx, StaffActor } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { authorize, can } from '../identity/policy';
import { parseRange } from '../standards/standards.period';
import { fieldMeasuresRepo, type FieldCounts } from './measures.field.repo';

export interface FieldMeasuresQuery {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
  technicianId?: string | undefined;
}

const rate = (numerator: number, denominator: number) => ({ value: denominator ? numerator / denominator : null, numerator, denominator });

/** measures.view: everyone's (or one technician's); measures.own alone: the caller's own visits only. */
function technicianScope(ctx: Ctx, technicianId: string | undefined): string | null {
  if (can(ctx.actor, 'measures.view')) return technicianId ?? null;
  authorize(ctx.actor, 'measures.own');
  const me = ctx.actor as StaffActor;
  if (technicianId && technicianId !== me.id) throw new AppError('forbidden', 'Only your own numbers', { reason: 'measures_own_numbers_only' });
  return me.id;
}

function totals(rows: FieldCounts[]) {
  const sum = (k: keyof Omit<FieldCounts, 'technicianId' | 'name'>) => rows.reduce((s, r) => s + r[k], 0);
  return {
    onTimeArrivalRate: rate(sum('onTime'), sum('arrivals')),
    firstTimeFixRate: rate(sum('firstTimeFixed'), sum('completed')),
    visitsPerTechnicianDay: rate(sum('completed'), sum('technicianDays')),
    partsCost: rate(sum('partsCostFen'), sum('completed')),
  };
}

export async function fieldMeasures(database: Database, ctx: Ctx, q: FieldMeasuresQuery) {
  const technicianId = technicianScope(ctx, q.technicianId);
  const range = parseRange(q);
  const [rows, byType] = await Promise.all([
    fieldMeasuresRepo.perTechnician(database.db, range.from, range.to, range.tz, technicianId),
    fieldMeasuresRepo.repeatByAssetType(database.db, range.from, range.to, technicianId),
  ]);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    timeZone: range.tz,
    technicianId,
    ...totals(rows),
    repeatRepairByAssetType: byType.map((r) => ({ assetType: r.assetType, ...rate(r.numerator, r.denominator) })),
    byTechnician: rows.map((r) => ({ technicianId: r.technicianId, name: r.name, ...totals([r]) })),
  };
}

type FieldResult = Awaited<ReturnType<typeof fieldMeasures>>;
const MEASURES = ['onTimeArrivalRate', 'firstTimeFixRate', 'visitsPerTechnicianDay', 'partsCost'] as const;

/** The export table: every measure with numerator and denominator, per technician and in total, then repeats by asset type. */
export function fieldMeasuresTable(res: FieldResult, lang: Locale) {
  const money = (k: (typeof MEASURES)[number], n: number | null) => (n === null ? null : k === 'partsCost' ? n / 100 : n);
  const rows: (string | number | null)[][] = [];
  const who = [{ name: t(lang, 'measures.field.all'), ...res }, ...res.byTechnician.map((r) => ({ ...r, name: r.name ?? '—' }))];
  for (const w of who)
    for (const k of MEASURES) {
      const r = w[k];
      rows.push([w.name, t(lang, `measures.field.${k}`), money(k, r.value), money(k, r.numerator), r.denominator]);
    }
  for (const r of res.repeatRepairByAssetType)
    rows.push([t(lang, 'measures.field.all'), t(lang, 'measures.field.repeatRepairRate', { type: r.assetType }), r.value, r.numerator, r.denominator]);
  return {
    title: t(lang, 'measures.field.title'),
    headers: ['technician', 'measure', 'value', 'numerator', 'denominator'].map((h) => t(lang, `measures.field.${h}`)),
    rows,
  };
}
