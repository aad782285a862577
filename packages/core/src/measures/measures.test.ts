import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csat, fcr, nps, percentile, summarize, type TicketFacts } from './measures';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);
const ticket = (o: Partial<TicketFacts> & { id: string }): TicketFacts => ({
  type: 'inquiry',
  createdAt: T0,
  resolvedAt: null,
  isResolved: false,
  reopenCount: 0,
  handoverCount: 0,
  teamTransferCount: 0,
  staffPublicReplyCount: 0,
  firstResponseSeconds: null,
  resolutionSeconds: null,
  ...o,
});

describe('measures (scripted history, hand-computed)', () => {
  // Period: the first day. T6 was created before the period; T7 after it.
  const from = T0;
  const to = T0 + 24 * H;
  const tickets = [
    ticket({
      id: 'T1',
      createdAt: T0 + 1 * H,
      resolvedAt: T0 + 2 * H,
      isResolved: true,
      staffPublicReplyCount: 1,
      firstResponseSeconds: 600,
      resolutionSeconds: 3600,
    }), // FCR
    ticket({
      id: 'T2',
      type: 'complaint',
      createdAt: T0 + 2 * H,
      resolvedAt: T0 + 5 * H,
      isResolved: true,
      reopenCount: 1,
      staffPublicReplyCount: 2,
      firstResponseSeconds: 1200,
      resolutionSeconds: 10800,
    }), // reopened
    ticket({
      id: 'T3',
      type: 'complaint',
      createdAt: T0 + 3 * H,
      resolvedAt: T0 + 4 * H,
      isResolved: true,
      handoverCount: 1,
      staffPublicReplyCount: 1,
      firstResponseSeconds: 300,
      resolutionSeconds: 3600,
    }), // handover
    ticket({
      id: 'T4',
      type: 'repair',
      createdAt: T0 + 4 * H,
      resolvedAt: T0 + 6 * H,
      isResolved: true,
      staffPublicReplyCount: 0,
      firstResponseSeconds: null,
      resolutionSeconds: 7200,
    }), // FCR, no reply
    ticket({ id: 'T5', createdAt: T0 + 5 * H, firstResponseSeconds: 900 }), // open
    ticket({
      id: 'T6',
      createdAt: T0 - 5 * H,
      resolvedAt: T0 + 1 * H,
      isResolved: true,
      teamTransferCount: 1,
      staffPublicReplyCount: 1,
      firstResponseSeconds: 60,
      resolutionSeconds: 21600,
    }), // transferred, resolved in period
    ticket({ id: 'T7', type: 'complaint', createdAt: T0 + 30 * H }), // outside
  ];
  const answers = [
    { at: T0 + 3 * H, csat: 5, nps: 10, ces: 2 },
    { at: T0 + 4 * H, csat: 4, nps: 9, ces: 3 },
    { at: T0 + 5 * H, csat: 2, nps: 6, ces: 6 },
    { at: T0 + 6 * H, csat: 3, nps: 8 },
    { at: T0 + 30 * H, csat: 1, nps: 0, ces: 7 }, // outside
  ];
  const outcomes = [
    { endedAt: T0 + 1 * H, state: 'met' as const },
    { endedAt: T0 + 2 * H, state: 'met' as const },
    { endedAt: T0 + 3 * H, state: 'breached' as const },
    { endedAt: T0 + 4 * H, state: 'met' as const },
    { endedAt: T0 + 25 * H, state: 'breached' as const },
  ];

  it('yields every definition', () => {
    const s = summarize({ tickets, answers, outcomes, from, to });
    expect(s.csat).toBeCloseTo(2 / 4); // 5,4 of 5,4,2,3
    expect(s.nps).toBeCloseTo(((2 - 1) / 4) * 100); // promoters 10,9; detractor 6; passive 8 → 25
    expect(s.ces).toBeCloseTo((2 + 3 + 6) / 3);
    expect(s.fcr).toBeCloseTo(2 / 5); // resolved in period T1,T2,T3,T4,T6 → FCR T1,T4
    expect(s.standardExecutionRate).toBeCloseTo(3 / 4);
    expect(s.complaintRate).toBeCloseTo(2 / 5); // created in period T1..T5 → complaints T2,T3
    expect(s.complaintResolutionRate).toBeCloseTo(1 / 2); // T3 resolved & never reopened; T2 reopened
    // First responses of tickets created in the period: 300, 600, 900, 1200 → nearest rank P50 = 2nd, P90 = 4th.
    expect(s.firstResponseSecondsP50).toBe(600);
    expect(s.firstResponseSecondsP90).toBe(1200);
    // Resolutions in the period: 3600, 3600, 7200, 10800, 21600 → P50 = 3rd, P90 = 5th.
    expect(s.resolutionSecondsP50).toBe(7200);
    expect(s.resolutionSecondsP90).toBe(21600);
    expect(s.tickets).toBe(5);
    expect(s.counts.fcr).toMatchObject({ numerator: 2, denominator: 5 });
  });
});

describe('percentile (nearest rank)', () => {
  it('is the smallest value with at least p of the values at or below it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 60 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (xs, p) => {
        const s = [...xs].sort((a, b) => a - b);
        const v = percentile(s, p)!;
        expect(s.filter((x) => x <= v).length / s.length).toBeGreaterThanOrEqual(p - 1e-9);
        expect(s.filter((x) => x < v).length / s.length).toBeLessThan(p);
      }),
    );
  });
});

describe('properties', () => {
  it('CSAT and FCR stay within 0..1 and NPS within −100..100', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.constant(T0), csat: fc.integer({ min: 1, max: 5 }), nps: fc.integer({ min: 0, max: 10 }) }), { maxLength: 50 }),
        (as) => {
          const c = csat(as, T0, T0 + 1).value;
          const n = nps(as, T0, T0 + 1).value;
          if (c !== null) {
            expect(c).toBeGreaterThanOrEqual(0);
            expect(c).toBeLessThanOrEqual(1);
          }
          if (n !== null) {
            expect(n).toBeGreaterThanOrEqual(-100);
            expect(n).toBeLessThanOrEqual(100);
          }
          expect(fcr([], T0, T0 + 1).value).toBeNull();
        },
      ),
    );
  });
});
