/** Pure helpers of the portal (no React): phone numbers, dates in Asia/Shanghai, status → step, plain-language timeline. */
import { dayjs, formatInZone } from '../lib/time';
import type { PortalTicketDetail, TicketStatus, TicketType } from './api';

/** The organisation's zone: every date a customer sees is Beijing time, whatever the phone's setting. */
export const PORTAL_TIME_ZONE = 'Asia/Shanghai';

/** "138 1234 5678", "+86 138-1234-5678" → "13812345678" (other input is returned without spaces). */
export function normalisePhone(input: string): string {
  let digits = input.replace(/[\s\-()（）]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return digits;
}

export function isMobilePhone(input: string): boolean {
  return /^1[3-9]\d{9}$/.test(normalisePhone(input));
}

/** 13812345678 → "138 1234 5678" for display while typing. */
export function groupPhone(digits: string): string {
  const d = digits.replace(/\D/g, '').slice(0, 11);
  if (d.length <= 3) return d;
  if (d.length <= 7) return `${d.slice(0, 3)} ${d.slice(3)}`;
  return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`;
}

export interface DateFormats {
  /** same year, e.g. "M月D日 HH:mm" */
  short: string;
  /** other years, e.g. "YYYY年M月D日 HH:mm" */
  long: string;
}

/** A date in Beijing time: the year only when it is not this year. */
export function formatDate(iso: string | null | undefined, formats: DateFormats, now: number = Date.now()): string {
  if (!iso) return '';
  const d = dayjs(iso);
  if (!d.isValid()) return iso;
  const sameYear = d.tz(PORTAL_TIME_ZONE).year() === dayjs(now).tz(PORTAL_TIME_ZONE).year();
  return formatInZone(iso, PORTAL_TIME_ZONE, sameYear ? formats.short : formats.long);
}

export type Tone = 'blue' | 'orange' | 'green' | 'gray' | 'red';

export const STATUS_TONE: Record<TicketStatus, Tone> = {
  new: 'blue',
  assigned: 'blue',
  in_progress: 'blue',
  pending_customer: 'orange',
  pending_internal: 'blue',
  resolved: 'green',
  closed: 'gray',
};

export const STATUS_LABEL: Record<TicketStatus, string> = {
  new: 'status.new',
  assigned: 'status.assigned',
  in_progress: 'status.in_progress',
  pending_customer: 'status.pending_customer',
  pending_internal: 'status.pending_internal',
  resolved: 'status.resolved',
  closed: 'status.closed',
};

export const TYPE_LABEL: Record<TicketType, string> = {
  repair: 'type.repair',
  inquiry: 'type.inquiry',
  complaint: 'type.complaint',
  suggestion: 'type.suggestion',
  after_sales: 'type.after_sales',
  order: 'type.order',
  emergency: 'type.emergency',
};

/** The four steps a customer sees: 已受理 → 处理中 → 已解决 → 已完成. */
export const STEPS = ['steps.accepted', 'steps.working', 'steps.resolved', 'steps.closed'] as const;

/** Index of the current step; `STEPS.length` when every step is done (closed). */
export function stepOf(status: TicketStatus): number {
  switch (status) {
    case 'new':
    case 'assigned':
      return 0;
    case 'in_progress':
    case 'pending_customer':
    case 'pending_internal':
      return 1;
    case 'resolved':
      return 2;
    case 'closed':
      return STEPS.length;
  }
}

export interface TimelineEntry {
  id: string;
  at: string;
  /** i18n key of the sentence */
  key: string;
  /** interpolation values that are themselves i18n keys (translate them before use) */
  params?: Record<string, string>;
  tone: Tone;
  /** who did it, as the customer should read it */
  by: 'you' | 'staff' | null;
  staffName: string | null;
}

const STATUS_EVENT: Partial<Record<TicketStatus, { key: string; tone: Tone }>> = {
  assigned: { key: 'timeline.assigned', tone: 'blue' },
  in_progress: { key: 'timeline.in_progress', tone: 'blue' },
  pending_customer: { key: 'timeline.pending_customer', tone: 'orange' },
  pending_internal: { key: 'timeline.pending_internal', tone: 'blue' },
  resolved: { key: 'timeline.resolved', tone: 'green' },
  new: { key: 'timeline.waiting', tone: 'blue' },
};

function isStatus(v: unknown): v is TicketStatus {
  return typeof v === 'string' && ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'].includes(v);
}

/**
 * The status history in plain language, oldest first: 已提交 → 已受理 → 处理中 → 已解决 → 已完成, plus
 * "not solved, reopened". Replies are left out (the conversation shows them); internal events never reach customers.
 */
export function buildTimeline(ticket: Pick<PortalTicketDetail, 'timeline' | 'type'>): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of ticket.timeline) {
    const by: TimelineEntry['by'] = e.actorKind === 'customer' ? 'you' : e.actorKind === 'staff' ? 'staff' : null;
    const staffName = by === 'staff' ? e.actorName : null;
    const base = { id: e.id, at: e.at, by, staffName };
    if (e.kind === 'ticket.created') {
      const type = (typeof e.data.type === 'string' ? e.data.type : ticket.type) as TicketType;
      out.push({
        ...base,
        key: by === 'you' ? 'timeline.created_by_you' : 'timeline.created_for_you',
        params: { type: TYPE_LABEL[type] ?? 'type.inquiry' },
        tone: 'blue',
      });
      continue;
    }
    if (e.kind !== 'ticket.status_changed') continue;
    const from = e.data.from;
    const to = e.data.to;
    if (!isStatus(to)) continue;
    if ((from === 'resolved' || from === 'closed') && to !== 'closed') {
      out.push({ ...base, key: by === 'you' ? 'timeline.reopened_by_you' : 'timeline.reopened', tone: 'orange' });
      continue;
    }
    if (to === 'closed') {
      out.push({ ...base, key: by === 'you' ? 'timeline.confirmed' : 'timeline.closed', tone: 'gray' });
      continue;
    }
    // dispatch runs inside the customer's own request: only name staff, never "you", for these steps
    const mapped = STATUS_EVENT[to];
    if (mapped) out.push({ ...base, by: by === 'staff' ? 'staff' : null, ...mapped });
  }
  return out;
}
