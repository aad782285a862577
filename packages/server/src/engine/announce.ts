/**
 * What the engine tells people when an action fires: the timeline event (standard.warning, standard.breached,
 * ticket.escalated) and the notifications, whose titles are message keys (standards.messages.ts).
 */
import type { BusinessCalendar } from '@chidu/core/calendar/index';
import { DEFAULT_LOCALE, t as text, type Message } from '../i18n/index';
import { systemCtx, type Ctx } from '../lib/context';
import { notify } from '../lib/notify';
import { recordTicketEvent, type TicketSnapshot } from '../modules/tickets/ticket-events';
import type { VersionInfo } from './catalogue';
import type * as clock from './clock';
import type { InstanceRow } from './clocks.repo';
import type { Env } from './engine';

const ENGINE_CTX: Ctx = systemCtx('standards');

/** A duration as an amount and the unit that ends the message key (standards.messages.ts). */
function durationParts(seconds: number): { amount: number; unit: 'seconds' | 'minutes' | 'hours' | 'days' } {
  if (seconds < 60) return { amount: seconds, unit: 'seconds' };
  if (seconds < 3600) return { amount: Math.round(seconds / 60), unit: 'minutes' };
  if (seconds < 86400) return { amount: Math.round((seconds / 3600) * 10) / 10, unit: 'hours' };
  return { amount: Math.round((seconds / 86400) * 10) / 10, unit: 'days' };
}

/**
 * A notification's title: stored rendered in the default language (the `title` column, as before) and as the
 * message (`data.message`) for the notifications API to render in the reader's language.
 */
const titled = (m: Message, data: Record<string, unknown>) => ({ title: text(DEFAULT_LOCALE, m.key, m.params), data: { ...data, message: m } });

export async function announceWarning(
  env: Env,
  row: InstanceRow,
  v: VersionInfo,
  t: TicketSnapshot,
  c: clock.Clock,
  step: number,
  scheduledAt: number,
  late: boolean,
  cal: BusinessCalendar,
) {
  const percent = v.def.warnAtPercent[step] ?? null;
  const remaining = c.dueAt !== null ? cal.elapsedSeconds(Date.now(), c.dueAt) : null;
  const data = {
    instanceId: row.id,
    standardId: row.standardId,
    code: v.code,
    name: v.def.name,
    version: v.version,
    cycle: row.cycle,
    percent,
    dueAt: c.dueAt !== null ? new Date(c.dueAt).toISOString() : null,
    remainingSeconds: remaining,
    scheduledAt: new Date(scheduledAt).toISOString(),
    late,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'standard.warning', data);
  const to = t.ownerId ? [t.ownerId] : await env.recipientsFor('supervisor', t);
  const base = { number: t.number, name: v.def.name, percent };
  let m: Message = { key: 'standards.notify.warning', params: base };
  if (remaining !== null) {
    const d = durationParts(remaining);
    m = { key: `standards.notify.warning.left.${d.unit}`, params: { ...base, amount: d.amount } };
  }
  for (const recipientId of to) {
    await notify(env.tx, { recipientId, kind: 'standard.warning', ticketId: t.id, ...titled(m, data) });
  }
}

/** The breach notification's text: a counted standard says by how much it went over its count (4 声 > 3 声). */
function breachTitle(number: string, name: string, extra: Record<string, unknown>) {
  const { observed, limit, source } = extra;
  if (typeof observed === 'number' && typeof limit === 'number' && typeof source === 'string')
    return { key: `progress.notify.count_breached.${source}`, params: { number, name, observed, limit } };
  return { key: 'standards.notify.breached', params: { number, name } };
}

export async function announceBreach(
  env: Env,
  row: InstanceRow,
  v: VersionInfo,
  t: TicketSnapshot,
  c: clock.Clock,
  scheduledAt: number,
  late: boolean,
  extra: Record<string, unknown> = {},
) {
  const firedAt = Date.now();
  const data = {
    instanceId: row.id,
    standardId: row.standardId,
    code: v.code,
    name: v.def.name,
    version: v.version,
    cycle: row.cycle,
    dueAt: new Date(c.dueAt ?? scheduledAt).toISOString(),
    firedAt: new Date(firedAt).toISOString(),
    lagMs: firedAt - scheduledAt,
    late,
    ownerId: t.ownerId,
    ...extra,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'standard.breached', data);
  // The owner hears of it; an unowned ticket's breach goes to the team supervisor unless the ladder does that at once.
  const to = t.ownerId ? [t.ownerId] : v.def.escalation.some((e) => e.afterBreachSeconds === 0) ? [] : await env.recipientsFor('supervisor', t);
  for (const recipientId of to) {
    await notify(env.tx, {
      recipientId,
      kind: 'standard.breached',
      ticketId: t.id,
      ...titled(breachTitle(t.number, v.def.name, extra), data),
    });
  }
}

export async function escalate(
  env: Env,
  row: InstanceRow,
  v: VersionInfo,
  t: TicketSnapshot,
  c: clock.Clock,
  step: number,
  scheduledAt: number,
  late: boolean,
) {
  const rung = v.def.escalation[step];
  if (!rung) return;
  const recipients = (await env.recipientsFor(rung.notifyRole, t)).filter((id, i, a) => a.indexOf(id) === i);
  const data = {
    instanceId: row.id,
    standardId: row.standardId,
    code: v.code,
    name: v.def.name,
    version: v.version,
    cycle: row.cycle,
    step: step + 1,
    notifyRole: rung.notifyRole,
    afterBreachSeconds: rung.afterBreachSeconds,
    recipients,
    dueAt: c.dueAt !== null ? new Date(c.dueAt).toISOString() : null,
    scheduledAt: new Date(scheduledAt).toISOString(),
    late,
  };
  await recordTicketEvent(env.tx, ENGINE_CTX, t, 'ticket.escalated', data);
  const overdue = c.dueAt !== null ? Math.max(0, Math.round((Date.now() - c.dueAt) / 1000)) : 0;
  const base = { number: t.number, step: step + 1, name: v.def.name };
  let m: Message = { key: 'standards.notify.escalated', params: base };
  if (overdue) {
    const d = durationParts(overdue);
    m = { key: `standards.notify.escalated.overdue.${d.unit}`, params: { ...base, amount: d.amount } };
  }
  for (const recipientId of recipients) {
    await notify(env.tx, { recipientId, kind: 'standard.escalated', ticketId: t.id, ...titled(m, data) });
  }
}
