/**
 * Alerts of measured and soft standards (issue #13 item 5): each active standard judged per period — a rate of the
 * measures engine (`rate.period`: day, week or month) or a survey mean/share (per month) — is evaluated for the
 * current period; when the value falls below target with at least `minSample`, its owners (supervisors and directors)
 * are told once in that period, and once more when it recovers. State per (standard, period): `standard_alerts`.
 */
import type { Database } from '../../db/client';
import { notifyMany } from '../../lib/notify';
import { orgTimeZone } from '../../lib/timezone';
import type { WorkerFactory } from '../module';
import { PollingWorker } from '../../lib/worker';
import type { StandardDefinition } from '../standards/definition';
import { judge } from '../standards/standards.compliance.judge';
import { dayBound } from '../standards/standards.period';
import { progressRepo } from './progress.repo';

export type Period = 'day' | 'week' | 'month';

const localDate = (at: number, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** Start of the local day / week (Monday) / month that contains `at`, in `tz`. */
export function periodStart(period: Period, at: number, tz: string): number {
  const d = localDate(at, tz);
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  if (period === 'day') return dayBound(d, tz, false, 'period');
  if (period === 'month') return dayBound(`${y}-${String(m).padStart(2, '0')}-01`, tz, false, 'period');
  const utc = Date.UTC(y, m - 1, day);
  const back = (new Date(utc).getUTCDay() + 6) % 7; // days since Monday
  return dayBound(new Date(utc - back * 86_400_000).toISOString().slice(0, 10), tz, false, 'period');
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export interface AlertOutcome {
  code: string;
  value: number | null;
  below: boolean | null;
  told: 'below' | 'recovered' | null;
}

/** Evaluate every measured / soft standard's current period and tell its owners on a change (once per period each way). */
export async function checkStandardAlerts(database: Database, now = Date.now()): Promise<AlertOutcome[]> {
  const tz = orgTimeZone();
  const out: AlertOutcome[] = [];
  for (const s of await progressRepo.periodStandards(database.db)) {
    const def = s.definition as StandardDefinition;
    const period: Period = def.measure === 'operating_data' ? (def.rate?.period ?? 'month') : 'month';
    const from = periodStart(period, now, tz);
    const j = await judge(database.db, def, new Date(from), new Date(now), tz);
    const result = j.measured ?? j.soft;
    if (!result) continue;
    const met = result.met; // null: 样本不足 (fewer than minSample) — neither below nor recovered
    const value = result.value;
    const shown = j.soft?.aggregate === 'mean' ? `${value?.toFixed(2) ?? '—'} / ${j.soft.scaleMax}` : value === null ? '—' : pct(value);
    const target = j.soft ? (j.soft.aggregate === 'mean' ? `${j.soft.goal} / ${j.soft.scaleMax}` : pct(j.soft.goal)) : pct(def.target);
    let told: AlertOutcome['told'] = null;
    await database.transaction(async (tx) => {
      const state = await progressRepo.stateForUpdate(tx, s.id, new Date(from));
      if (met === null) return;
      const below = !met;
      if (below && !state.alertedAt) told = 'below';
      else if (!below && state.below && !state.recoveredAt) told = 'recovered';
      await progressRepo.setState(tx, s.id, new Date(from), {
        below,
        value,
        ...(told === 'below' ? { alertedAt: new Date(now) } : {}),
        ...(told === 'recovered' ? { recoveredAt: new Date(now) } : {}),
      });
      if (!told) return;
      const recipients = await progressRepo.owners(tx);
      const params = { name: def.name, value: shown, target };
      await notifyMany(
        tx,
        recipients.map((recipientId) => ({
          recipientId,
          kind: told === 'below' ? 'standard.below_target' : 'standard.recovered',
          title: { key: told === 'below' ? 'progress.alert.below.title' : 'progress.alert.recovered.title', params },
          data: { standardId: s.id, code: s.code, period, periodStart: new Date(from).toISOString(), value, target: j.soft ? j.soft.goal : def.target },
        })),
      );
    });
    out.push({ code: s.code, value, below: met === null ? null : !met, told });
  }
  return out;
}

/** Checks every CHIDU_STANDARD_ALERTS_MS (default 60 s); CHIDU_STANDARD_ALERTS=0 turns it off in this process. */
export const standardAlertsWorker: WorkerFactory = (deps, log) => {
  if (process.env.CHIDU_STANDARD_ALERTS === '0') return null;
  const every = Number(process.env.CHIDU_STANDARD_ALERTS_MS ?? 60_000);
  return new PollingWorker({
    name: 'standard-alerts',
    database: deps.database,
    pollMs: every,
    firstPassMs: every,
    unref: true,
    log,
    batch: async () => ({ handled: (await checkStandardAlerts(deps.database)).filter((o) => o.told).length }),
  });
};
