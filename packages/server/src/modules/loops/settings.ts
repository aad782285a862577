/**
 * Closed-loop settings (admin-editable, one row in `settings` under `loops.settings`, merged over the defaults):
 * low-score thresholds, the after-sales care plan and silent-customer reactivation.
 */
import { z } from 'zod';
import { t as text } from '../../i18n/index';
import type { Database, Executor } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { TICKET_TYPES } from '../standards/definition';
import { loopsRepo } from './loops.repo';

/** Placeholders a touch's text may use (anything else in braces is refused, naming the field). */
export const TOUCH_PLACEHOLDERS = ['name', 'number', 'subject'] as const;
/**
 * One care contact / reactivation touch: `task` (a person contacts the customer; the default) or `message` (sent
 * automatically through the customer's channel when due) with its text (placeholders {name} {number} {subject}).
 */
export const TouchSetting = z
  .object({
    mode: z.enum(['task', 'message']),
    text: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine((v) => [...v.matchAll(/\{([^{}]*)\}/g)].every((m) => (TOUCH_PLACEHOLDERS as readonly string[]).includes(m[1]!)), {
        message: `unknown placeholder (allowed: ${TOUCH_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`,
      }),
  })
  .strict();
export type TouchSetting = z.infer<typeof TouchSetting>;

export const LoopSettingsSchema = z
  .object({
    lowScore: z
      .object({
        /** CSAT at or below this opens a recovery case (1–5; 0 = never). */
        csatMax: z.number().int().min(0).max(5),
        /** NPS at or below this opens a recovery case (0–10; -1 = never). */
        npsMax: z.number().int().min(-1).max(10),
        /** CES at or above this opens a recovery case (1–7; 8 = never). */
        cesMin: z.number().int().min(1).max(8),
      })
      .strict(),
    care: z
      .object({
        ticketTypes: z.array(z.enum(TICKET_TYPES)).max(TICKET_TYPES.length),
        guaranteeDays: z.number().int().min(1).max(90),
        /** Days after resolution of the proactive care contacts (e.g. [1, 3, 6]). */
        contactDays: z.array(z.number().min(0).max(90)).min(1).max(10),
        /** Per contact, in the order of the sorted days: task or automatic message (missing = task, default text). */
        touches: z.array(TouchSetting).max(10),
      })
      .strict(),
    reactivation: z
      .object({
        enabled: z.boolean(),
        silentDays: z.number().int().min(1).max(3650),
        /** Days after the sequence starts of the 4 touchpoints (e.g. [0, 3, 7, 14]). */
        touchDays: z.array(z.number().min(0).max(365)).min(1).max(10),
        /** Per touch, in the order of the sorted days: task or automatic message. */
        touches: z.array(TouchSetting).max(10),
      })
      .strict(),
  })
  .strict();
export type LoopSettings = z.infer<typeof LoopSettingsSchema>;
export const LoopSettingsPatch = z
  .object({
    lowScore: LoopSettingsSchema.shape.lowScore.partial().strict().optional(),
    care: LoopSettingsSchema.shape.care.partial().strict().optional(),
    reactivation: LoopSettingsSchema.shape.reactivation.partial().strict().optional(),
  })
  .strict();

export const DEFAULT_LOOP_SETTINGS: LoopSettings = {
  lowScore: { csatMax: 2, npsMax: 6, cesMin: 8 },
  care: { ticketTypes: ['after_sales', 'repair'], guaranteeDays: 7, contactDays: [1, 3, 6], touches: [] },
  reactivation: { enabled: true, silentDays: 90, touchDays: [0, 3, 7, 14], touches: [] },
};

/** The default text of a touch (the customer's language: zh-CN), from the server's messages. */
export const defaultTouchText = (kind: 'care' | 'reactivation') => text(undefined, `loops.touch.${kind}.default`, {});

/** One touch setting per day (missing ones: task with the default text); extra ones are dropped. */
export function alignTouches(kind: 'care' | 'reactivation', days: number, touches: TouchSetting[] | undefined): TouchSetting[] {
  return Array.from({ length: days }, (_, i) => touches?.[i] ?? { mode: 'task' as const, text: defaultTouchText(kind) });
}

const KEY = 'loops.settings';
let cache: { at: number; value: LoopSettings } | null = null;

export async function loopSettings(ex: Executor): Promise<LoopSettings> {
  if (cache && Date.now() - cache.at < 5000) return cache.value;
  const stored = ((await loopsRepo.setting(ex, KEY)) ?? {}) as Partial<LoopSettings>;
  const care = { ...DEFAULT_LOOP_SETTINGS.care, ...(stored.care ?? {}) };
  const reactivation = { ...DEFAULT_LOOP_SETTINGS.reactivation, ...(stored.reactivation ?? {}) };
  const value: LoopSettings = {
    lowScore: { ...DEFAULT_LOOP_SETTINGS.lowScore, ...(stored.lowScore ?? {}) },
    care: { ...care, touches: alignTouches('care', care.contactDays.length, care.touches) },
    reactivation: { ...reactivation, touches: alignTouches('reactivation', reactivation.touchDays.length, reactivation.touches) },
  };
  cache = { at: Date.now(), value };
  return value;
}

export async function saveLoopSettings(ex: Executor, value: LoopSettings): Promise<void> {
  await loopsRepo.saveSetting(ex, KEY, value);
  cache = null;
}
export function forgetLoopSettings(): void {
  cache = null;
}

export function isLowScore(
  s: LoopSettings['lowScore'],
  a: { csat?: number | null | undefined; nps?: number | null | undefined; ces?: number | null | undefined },
): boolean {
  return (
    (a.csat !== null && a.csat !== undefined && a.csat <= s.csatMax) ||
    (a.nps !== null && a.nps !== undefined && a.nps <= s.npsMax) ||
    (a.ces !== null && a.ces !== undefined && a.ces >= s.cesMin)
  );
}

/** GET /loops/settings. */
export async function getLoopSettings(database: Database, ctx: Ctx): Promise<LoopSettings> {
  authorize(ctx.actor, 'surveys.view');
  return loopSettings(database.db);
}

/** PUT /loops/settings: a partial change merged over the current settings, validated whole, audited. */
export async function updateLoopSettings(database: Database, ctx: Ctx, patch: z.infer<typeof LoopSettingsPatch>): Promise<LoopSettings> {
  authorize(ctx.actor, 'surveys.manage');
  const cur = await loopSettings(database.db);
  const next = {
    lowScore: { ...cur.lowScore, ...patch.lowScore },
    care: { ...cur.care, ...patch.care },
    reactivation: { ...cur.reactivation, ...patch.reactivation },
  };
  // More touch settings than days is a mistake worth naming; fewer are filled with tasks (default text).
  for (const [k, days] of [
    ['care', next.care.contactDays],
    ['reactivation', next.reactivation.touchDays],
  ] as const) {
    const touches = next[k].touches as unknown;
    if (Array.isArray(touches) && Array.isArray(days) && touches.length > days.length)
      throw new AppError('validation_failed', 'invalid settings', {
        errors: [{ path: `${k}.touches`, message: `at most one per ${k === 'care' ? 'contact' : 'touch'} day (${days.length})` }],
      });
  }
  const parsed = LoopSettingsSchema.safeParse(next);
  if (parsed.success) {
    parsed.data.care.touches = alignTouches('care', parsed.data.care.contactDays.length, parsed.data.care.touches);
    parsed.data.reactivation.touches = alignTouches('reactivation', parsed.data.reactivation.touchDays.length, parsed.data.reactivation.touches);
  }
  if (!parsed.success)
    throw new AppError('validation_failed', 'invalid settings', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  await database.transaction(async (tx) => {
    await saveLoopSettings(tx, parsed.data);
    await writeAudit(tx, ctx, { action: 'loops.settings_changed', targetType: 'settings', targetId: null, changes: diff(cur, parsed.data) });
  });
  return parsed.data;
}
