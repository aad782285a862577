/**
 * Targets per measure and the rolling-rate alerts (admins and directors hear once when a measure crosses to the wrong
 * side of its target; it re-arms when back on target).
 */
import { DEFAULT_TARGETS, MEASURE_KEYS, missesTarget, type MeasureKey } from '@chidu/core/measures/index';
import type { Database, Executor } from '../../db/client';
import { asLocale, DEFAULT_LOCALE, t as text, type Locale } from '../../i18n/index';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { invalid, notFound } from '../../lib/errors';
import { notify } from '../../lib/notify';
import { orgTimeZone } from '../../lib/timezone';
import { authorize, can } from '../identity/policy';
import { measuresRepo } from './measures.repo';
import { present, runQuery } from './query';

const DAY = 86_400_000;

export type TargetState = {
  target: number | null;
  direction: 'min' | 'max';
  windowDays: number;
  minCount: number;
  below: boolean;
  lastValue: number | null;
  alertedAt: string | null;
};

export async function targetsMap(ex: Executor): Promise<Record<MeasureKey, TargetState>> {
  const rows = await measuresRepo.targets(ex);
  const byKey = new Map(rows.map((r) => [r.measure, r]));
  return Object.fromEntries(
    MEASURE_KEYS.map((k) => {
      const r = byKey.get(k);
      const d = DEFAULT_TARGETS[k];
      return [
        k,
        r
          ? {
              target: r.target === null ? null : Number(r.target),
              direction: r.direction as 'min' | 'max',
              windowDays: r.window_days,
              minCount: r.min_count,
              below: r.below,
              lastValue: r.last_value === null ? null : Number(r.last_value),
              alertedAt: r.alerted_at ? new Date(r.alerted_at).toISOString() : null,
            }
          : { target: d.target, direction: d.direction, windowDays: 7, minCount: 20, below: false, lastValue: null, alertedAt: null },
      ];
    }),
  ) as never;
}

export async function listTargets(database: Database, ctx: Ctx) {
  if (!can(ctx.actor, 'measures.view')) authorize(ctx.actor, 'measures.own');
  const t = await targetsMap(database.db);
  return { items: MEASURE_KEYS.map((k) => ({ measure: k, ...t[k] })) };
}

export async function putTarget(
  database: Database,
  ctx: Ctx,
  measure: string,
  input: { target: number | null; windowDays?: number | undefined; minCount?: number | undefined },
) {
  authorize(ctx.actor, 'measures.manage');
  if (!(MEASURE_KEYS as readonly string[]).includes(measure)) throw notFound('Measure');
  const key = measure as MeasureKey;
  const t = input.target;
  if (t !== null) {
    const isRate = !['nps', 'ces', 'firstResponseSecondsP50', 'resolutionSecondsP50'].includes(key);
    if (isRate && (t < 0 || t > 1)) throw invalid('target', 'a rate target is a fraction between 0 and 1');
    if (key === 'nps' && (t < -100 || t > 100)) throw invalid('target', 'NPS is between -100 and 100');
    if (key === 'ces' && (t < 1 || t > 7)) throw invalid('target', 'CES is between 1 and 7');
    if (key.endsWith('P50') && t < 0) throw invalid('target', 'seconds are not negative');
  }
  return database.transaction(async (tx) => {
    const before = (await targetsMap(tx))[key];
    const windowDays = input.windowDays ?? before.windowDays;
    const minCount = input.minCount ?? before.minCount;
    await measuresRepo.putTarget(tx, { measure: key, target: t, direction: DEFAULT_TARGETS[key].direction, windowDays, minCount, by: ctx.actor.id });
    await writeAudit(tx, ctx, {
      action: 'measure.target_set',
      targetType: 'measure',
      targetId: key,
      changes: diff({ target: before.target, windowDays: before.windowDays, minCount: before.minCount }, { target: t, windowDays, minCount }),
    });
    return { measure: key, ...(await targetsMap(tx))[key] };
  });
}

/**
 * Rolling-rate alerts: for every measure with a target, the value over the last `windowDays` (facts, exact); when it
 * crosses to the wrong side of the target (with at least `minCount` in its denominator) admins and directors get a
 * notification once; it re-arms when the rate is back on target.
 */
export async function checkAlerts(
  database: Database,
  now = Date.now(),
): Promise<{ measure: string; value: number | null; below: boolean; alerted: boolean }[]> {
  const targets = await targetsMap(database.db);
  const out: { measure: string; value: number | null; below: boolean; alerted: boolean }[] = [];
  const cache = new Map<number, ReturnType<typeof present>>();
  for (const key of MEASURE_KEYS) {
    const t = targets[key];
    if (t.target === null) continue;
    let p = cache.get(t.windowDays);
    if (!p) {
      const r = await runQuery(database.db, {
        from: new Date(now - t.windowDays * DAY),
        to: new Date(now),
        tz: orgTimeZone(),
        filters: {},
        groupBy: [],
        source: 'facts',
      });
      p = present(r.total);
      cache.set(t.windowDays, p);
    }
    const { value, count } = valueOf(p, key);
    const miss = count >= t.minCount ? missesTarget(value, t.target, t.direction) : null;
    const below = miss === true;
    let alerted = false;
    await database.transaction(async (tx) => {
      const was = await measuresRepo.ensureTarget(tx, {
        measure: key,
        target: t.target,
        direction: t.direction,
        windowDays: t.windowDays,
        minCount: t.minCount,
      });
      if (miss === null) {
        await measuresRepo.setTargetValue(tx, key, value);
        return;
      }
      await measuresRepo.setTargetState(tx, key, below, value, below && !was);
      if (below && !was) {
        alerted = true;
        // Each recipient reads the alert in the language of their profile.
        for (const r of await measuresRepo.alertRecipients(tx)) {
          const locale = asLocale(r.locale) ?? DEFAULT_LOCALE;
          const title = text(locale, 'measures.alert.below_target', {
            measure: text(locale, `measures.name.${key}`),
            windowDays: t.windowDays,
            value: fmt(locale, key, value),
            target: fmt(locale, key, t.target),
          });
          await notify(tx, {
            recipientId: r.id,
            kind: 'measure.below_target',
            title,
            data: { measure: key, value, target: t.target, windowDays: t.windowDays, count },
          });
        }
      }
    });
    out.push({ measure: key, value, below, alerted });
  }
  return out;
}

function fmt(locale: Locale, key: MeasureKey, v: number | null): string {
  if (v === null) return '—';
  if (key === 'nps') return v.toFixed(1);
  if (key === 'ces') return v.toFixed(2);
  if (key.endsWith('P50')) return text(locale, 'measures.value.minutes', { n: Math.round(v / 60) });
  return `${(v * 100).toFixed(1)}%`;
}

export function valueOf(p: ReturnType<typeof present>, key: MeasureKey): { value: number | null; count: number } {
  switch (key) {
    case 'csat':
      return { value: p.csat.value, count: p.csat.denominator };
    case 'nps':
      return { value: p.nps.value, count: p.nps.count };
    case 'ces':
      return { value: p.ces.value, count: p.ces.count };
    case 'fcr':
      return { value: p.fcr.value, count: p.fcr.denominator };
    case 'standardExecutionRate':
      return { value: p.standardExecutionRate.value, count: p.standardExecutionRate.denominator };
    case 'complaintRate':
      return { value: p.complaintRate.value, count: p.complaintRate.denominator };
    case 'complaintResolutionRate':
      return { value: p.complaintResolutionRate.value, count: p.complaintResolutionRate.denominator };
    case 'recoveryRate':
      return { value: p.recoveryRate.value, count: p.recoveryRate.denominator };
    case 'knowledgeApplicationRate':
      return { value: p.knowledgeApplicationRate.value, count: p.knowledgeApplicationRate.denominator };
    case 'firstResponseSecondsP50':
      return { value: p.firstResponseSeconds.p50, count: p.firstResponseSeconds.count };
    case 'resolutionSecondsP50':
      return { value: p.resolutionSeconds.p50, count: p.resolutionSeconds.count };
    default:
      return { value: null, count: 0 };
  }
}
