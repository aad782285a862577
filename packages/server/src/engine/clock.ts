/**
 * Pure clock arithmetic of the standards engine (no I/O): start, pause, resume, and the next action of a clock.
 * All instants are epoch ms; business time comes from a compiled calendar.
 */
import { timeOfDayDeadline, type BusinessCalendar, type TimeOfDayDeadline } from '@chidu/core/calendar/index';

export type ClockStateName = 'running' | 'paused' | 'met' | 'breached' | 'cancelled';
export type NextAction =
  { kind: 'warning'; step: number; at: number } | { kind: 'breach'; step: 0; at: number } | { kind: 'escalation'; step: number; at: number };

export interface Clock {
  state: ClockStateName;
  limitMs: number;
  consumedMs: number;
  segmentStartedAt: number | null;
  dueAt: number | null;
  warningsSent: number;
  escalationsSent: number;
  endedAt: number | null;
}

export interface ClockRules {
  deadline: 'duration' | 'end_of_business_day' | 'time_of_day';
  limitSeconds: number | null;
  timeOfDay?: TimeOfDayDeadline | null | undefined;
  warnAtPercent: number[];
  escalation: { afterBreachSeconds: number }[];
}

const END_OF_DAY: TimeOfDayDeadline = { at: 'end_of_day', businessDaysAfter: 0 };

/**
 * The fixed deadline instant of a time-of-day clock ("by 10:30", "same business day, cut-off 16:00"); null for
 * duration-like clocks. It does not move while the clock is paused (such standards have no pauseWhile).
 */
export function absoluteDue(rules: ClockRules, cal: BusinessCalendar, startedAt: number): number | null {
  if (rules.deadline !== 'time_of_day' || !rules.timeOfDay) return null;
  return timeOfDayDeadline(cal, startedAt, rules.timeOfDay);
}

/**
 * Business-time budget of a new clock started at `at`. `end_of_business_day` (当日) is the time-of-day deadline
 * {at: end_of_day, businessDaysAfter: 0}, kept as a budget so that it pauses like a duration; `time_of_day` spans
 * the business time from the start to its fixed deadline (warnings are percentages of that span).
 */
export function budgetMs(rules: ClockRules, cal: BusinessCalendar, at: number): number {
  if (rules.deadline === 'end_of_business_day' || rules.deadline === 'time_of_day') {
    const due = rules.deadline === 'time_of_day' ? absoluteDue(rules, cal, at) : timeOfDayDeadline(cal, at, END_OF_DAY);
    return due === null ? 0 : Math.max(1000, cal.elapsedMs(at, due));
  }
  return (rules.limitSeconds ?? 0) * 1000;
}

/** Deadline of a running segment that began at `segmentStart` with `consumedMs` already used. */
export function dueOf(cal: BusinessCalendar, segmentStart: number, limitMs: number, consumedMs: number): number | null {
  return cal.addSeconds(segmentStart, Math.max(0, limitMs - consumedMs) / 1000);
}

export function startClock(rules: ClockRules, cal: BusinessCalendar, at: number, paused: boolean): Clock {
  const limitMs = budgetMs(rules, cal, at);
  const base: Clock = { state: 'running', limitMs, consumedMs: 0, segmentStartedAt: at, dueAt: null, warningsSent: 0, escalationsSent: 0, endedAt: null };
  if (paused) return { ...base, state: 'paused', segmentStartedAt: null };
  return { ...base, dueAt: absoluteDue(rules, cal, at) ?? dueOf(cal, at, limitMs, 0) };
}

export function pauseClock(c: Clock, cal: BusinessCalendar, at: number): Clock {
  if (c.state !== 'running' || c.segmentStartedAt === null) return c;
  const used = at > c.segmentStartedAt ? cal.elapsedMs(c.segmentStartedAt, at) : 0;
  return { ...c, state: 'paused', consumedMs: Math.min(c.limitMs, c.consumedMs + used), segmentStartedAt: null, dueAt: null };
}

export function resumeClock(c: Clock, cal: BusinessCalendar, at: number): Clock {
  if (c.state !== 'paused') return c;
  return { ...c, state: 'running', segmentStartedAt: at, dueAt: dueOf(cal, at, c.limitMs, c.consumedMs) };
}

/**
 * The next thing the engine must do for a clock: a warning at X % of the budget, the breach at the deadline,
 * or the next escalation step (business seconds after the deadline). Null when nothing is left to do.
 */
export function planNext(c: Clock, rules: ClockRules, cal: BusinessCalendar): NextAction | null {
  if (c.endedAt !== null) return null;
  if (c.state === 'running') {
    if (c.dueAt === null || c.segmentStartedAt === null) return null;
    for (let i = c.warningsSent; i < rules.warnAtPercent.length; i++) {
      const threshold = Math.round((c.limitMs * rules.warnAtPercent[i]!) / 100);
      if (threshold <= c.consumedMs) continue; // passed while the clock ran before a pause: not announced twice
      const at = cal.addSeconds(c.segmentStartedAt, (threshold - c.consumedMs) / 1000);
      if (at !== null && at < c.dueAt) return { kind: 'warning', step: i, at };
      break;
    }
    return { kind: 'breach', step: 0, at: c.dueAt };
  }
  if (c.state === 'breached' && c.dueAt !== null && c.escalationsSent < rules.escalation.length) {
    const step = c.escalationsSent;
    const at = cal.addSeconds(c.dueAt, rules.escalation[step]!.afterBreachSeconds) ?? c.dueAt;
    return { kind: 'escalation', step, at };
  }
  return null;
}

export const encodeAction = (a: NextAction | null) => (a ? (a.kind === 'breach' ? 'breach' : `${a.kind}:${a.step}`) : null);
export function decodeAction(s: string | null): { kind: NextAction['kind']; step: number } | null {
  if (!s) return null;
  const [kind, step] = s.split(':');
  if (kind !== 'warning' && kind !== 'breach' && kind !== 'escalation') return null;
  return { kind, step: Number(step ?? 0) || 0 };
}

/** Business seconds left (negative when overdue); null when the clock does not run. */
export function remainingSeconds(c: Clock, cal: BusinessCalendar, now: number): number | null {
  if (c.endedAt !== null) return null;
  if (c.state === 'paused') return Math.floor(Math.max(0, c.limitMs - c.consumedMs) / 1000);
  if (c.state !== 'running' || c.dueAt === null) return null;
  return c.dueAt >= now ? cal.elapsedSeconds(now, c.dueAt) : -cal.elapsedSeconds(c.dueAt, now);
}
