import { describe, expect, it } from 'vitest';
import { buildTimeline, formatDate, groupPhone, isMobilePhone, normalisePhone, stepOf, STEPS } from './format';
import type { TimelineItem } from './api';

const ev = (id: string, kind: string, actorKind: string, data: Record<string, unknown> = {}, actorName: string | null = null): TimelineItem => ({
  id,
  at: '2026-11-23T20:20:38.937Z',
  kind,
  actorKind,
  actorName,
  data,
});

describe('phone numbers', () => {
  it('normalises what people type', () => {
    expect(normalisePhone('138 1234 5678')).toBe('13812345678');
    expect(normalisePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(normalisePhone('8613812345678')).toBe('13812345678');
    expect(isMobilePhone('138 1234 5678')).toBe(true);
    expect(isMobilePhone('1381234567')).toBe(false);
    expect(isMobilePhone('12812345678')).toBe(false);
    expect(groupPhone('13812345678')).toBe('138 1234 5678');
    expect(groupPhone('1381')).toBe('138 1');
  });
});

describe('dates', () => {
  const formats = { short: 'M月D日 HH:mm', long: 'YYYY年M月D日 HH:mm' };
  it('shows Beijing time whatever the device zone', () => {
    // 20:20 UTC on 23 Nov is 04:20 on 24 Nov in Shanghai
    expect(formatDate('2026-11-23T20:20:38.937Z', formats, Date.parse('2026-11-24T00:00:00Z'))).toBe('11月24日 04:20');
  });
  it('adds the year for other years', () => {
    expect(formatDate('2025-01-02T01:00:00Z', formats, Date.parse('2026-11-24T00:00:00Z'))).toBe('2025年1月2日 09:00');
  });
});

describe('status steps', () => {
  it('maps every status onto 已受理 → 处理中 → 已解决 → 已完成', () => {
    expect(stepOf('new')).toBe(0);
    expect(stepOf('assigned')).toBe(0);
    expect(stepOf('in_progress')).toBe(1);
    expect(stepOf('pending_customer')).toBe(1);
    expect(stepOf('resolved')).toBe(2);
    expect(stepOf('closed')).toBe(STEPS.length);
  });
});

describe('timeline', () => {
  it('tells the story of a repair in plain language', () => {
    const entries = buildTimeline({
      type: 'repair',
      timeline: [
        ev('1', 'ticket.created', 'customer', { type: 'repair', channel: 'portal' }),
        ev('2', 'ticket.assigned', 'customer'),
        ev('3', 'ticket.status_changed', 'customer', { from: 'new', to: 'assigned' }),
        ev('4', 'ticket.public_reply', 'staff', {}, '李晓婷'),
        ev('5', 'ticket.status_changed', 'staff', { from: 'assigned', to: 'in_progress' }, '李晓婷'),
        ev('6', 'ticket.status_changed', 'staff', { from: 'in_progress', to: 'resolved' }, '李晓婷'),
        ev('7', 'ticket.status_changed', 'customer', { from: 'resolved', to: 'in_progress' }),
        ev('8', 'ticket.status_changed', 'staff', { from: 'in_progress', to: 'resolved' }, '李晓婷'),
        ev('9', 'ticket.customer_confirmed', 'customer'),
        ev('10', 'ticket.status_changed', 'customer', { from: 'resolved', to: 'closed' }),
      ],
    });
    expect(entries.map((e) => e.key)).toEqual([
      'timeline.created_by_you',
      'timeline.assigned',
      'timeline.in_progress',
      'timeline.resolved',
      'timeline.reopened_by_you',
      'timeline.resolved',
      'timeline.confirmed',
    ]);
    expect(entries[0]!.params).toEqual({ type: 'type.repair' });
    // dispatch runs in the customer's request, but the customer did not "accept" anything
    expect(entries[1]!.by).toBeNull();
    expect(entries[2]!.by).toBe('staff');
    expect(entries[2]!.staffName).toBe('李晓婷');
  });

  it('says when staff logged the request or closed it', () => {
    const entries = buildTimeline({
      type: 'inquiry',
      timeline: [
        ev('1', 'ticket.created', 'staff', { type: 'inquiry' }, '何芳'),
        ev('2', 'ticket.status_changed', 'staff', { from: 'resolved', to: 'closed' }, '何芳'),
      ],
    });
    expect(entries.map((e) => e.key)).toEqual(['timeline.created_for_you', 'timeline.closed']);
  });
});
