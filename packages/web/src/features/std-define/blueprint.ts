/**
 * The service blueprint of the customer's journey (seed 003): the encounters left to right, each with the ticket
 * events that can start or stop a standard there (from the engine's event catalogue, CLOCK_EVENTS).
 */
export interface Stage {
  key: string;
  start: string[];
  stop: string[];
}

export const BLUEPRINT: Stage[] = [
  { key: 'inquiry', start: ['ticket.created'], stop: ['ticket.first_public_reply', 'ticket.public_reply', 'ticket.resolved'] },
  { key: 'booking', start: ['ticket.created'], stop: ['ticket.assigned', 'ticket.taken', 'ticket.order_confirmed'] },
  { key: 'arrival', start: ['ticket.assigned', 'ticket.created'], stop: ['ticket.taken', 'ticket.handover_confirmed'] },
  { key: 'service', start: ['ticket.taken', 'ticket.assigned'], stop: ['ticket.resolved'] },
  { key: 'delivery', start: ['ticket.resolved'], stop: ['ticket.customer_confirmed', 'ticket.closed'] },
  { key: 'followup', start: ['ticket.resolved', 'ticket.closed'], stop: ['ticket.revisited', 'survey.answered'] },
  { key: 'recovery', start: ['recovery.opened'], stop: ['recovery.contacted', 'recovery.solution_proposed', 'recovery.revisited'] },
];

export type MeasureKind = 'duration' | 'time_of_day' | 'count' | 'survey' | 'rate';
export const MEASURE_KINDS: MeasureKind[] = ['duration', 'time_of_day', 'count', 'survey', 'rate'];
export const HARD_MEASURES: MeasureKind[] = ['duration', 'time_of_day', 'count', 'rate'];
export const SOFT_MEASURES: MeasureKind[] = ['survey'];
export const COUNT_SOURCES = ['ring_count', 'contacts_before_resolution', 'transfers'] as const;
export const RATE_METRICS = ['fcr', 'firstTimeFix', 'csat', 'complaintResolutionRate', 'recoveryRate', 'standardExecutionRate'] as const;

export interface WizardValues {
  stage: string;
  start: string;
  stop: string;
  kind: 'hard' | 'soft';
  measure: MeasureKind;
  limitMinutes: number;
  calendarId: string | null;
  todAt: string;
  todCutoff: string;
  countSource: (typeof COUNT_SOURCES)[number];
  countLimit: number;
  surveyMeasure: 'csat' | 'nps' | 'ces';
  surveyAggregate: 'mean' | 'share';
  surveyThreshold: number;
  rateMetric: (typeof RATE_METRICS)[number];
  targetPercent: number;
  warnPercent: number | null;
  escalateRole: 'supervisor' | 'director' | 'admin' | null;
  escalateAfterMinutes: number;
  name: string;
  code: string;
  encounterName: string;
}

/** The wizard's answers as the body of POST /standards (and of the preview's `definition`). */
export function toDefinition(v: WizardValues): Record<string, unknown> {
  const base: Record<string, unknown> = {
    code: v.code,
    name: v.name,
    encounter: v.encounterName,
    kind: v.kind,
    target: v.targetPercent / 100,
  };
  if (v.measure === 'survey')
    return {
      ...base,
      kind: 'soft',
      measure: 'survey',
      survey: { measure: v.surveyMeasure, aggregate: v.surveyAggregate, threshold: v.surveyThreshold, minSample: 5 },
    };
  if (v.measure === 'rate') return { ...base, measure: 'operating_data', rate: { metric: v.rateMetric, period: 'month', minSample: 20 } };
  if (v.measure === 'count') return { ...base, measure: 'count', count: { source: v.countSource, limit: v.countLimit } };
  const timed = {
    ...base,
    measure: 'timer',
    start: v.start,
    stop: v.stop,
    calendarId: v.calendarId,
    warnAtPercent: v.warnPercent ? [v.warnPercent] : [],
    escalation: v.escalateRole ? [{ afterBreachSeconds: v.escalateAfterMinutes * 60, notifyRole: v.escalateRole }] : [],
  };
  if (v.measure === 'time_of_day') return { ...timed, deadline: 'time_of_day', timeOfDay: { at: v.todAt, businessDaysAfter: 0, cutoff: v.todCutoff || null } };
  return { ...timed, deadline: 'duration', limitSeconds: v.limitMinutes * 60, pauseWhile: ['pending_customer'] };
}

export const replayable = (m: MeasureKind) => m === 'duration' || m === 'time_of_day' || m === 'count';
