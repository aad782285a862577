import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ces, complaintRate, complaintResolutionRate, csat, fcr, nps, recoveryRate, standardExecutionRate, type TicketFacts } from './measures';
import { addCounters, delta, ratesOf, zeroCounters, type Counters, type TicketBundle } from './rollup';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const hourOf = (t: number) => Math.floor(t / H) * H;

const arbTime = fc.integer({ min: 0, max: 72 }).map((h) => T0 + h * H + 17);
const arbBundle = (id: string): fc.Arbitrary<TicketBundle> =>
  fc
    .record({
      type: fc.constantFrom('complaint', 'repair', 'inquiry'),
      createdAt: arbTime,
      resolved: fc.option(arbTime, { nil: null }),
      reopenCount: fc.nat(2),
      handoverCount: fc.nat(1),
      teamTransferCount: fc.nat(1),
      staffPublicReplyCount: fc.nat(3),
      fr: fc.option(fc.nat(10_000), { nil: null }),
      answers: fc.array(
        fc.record({
          at: arbTime,
          csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
          nps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
          ces: fc.option(fc.integer({ min: 1, max: 7 }), { nil: null }),
        }),
        { maxLength: 2 },
      ),
      outcomes: fc.array(fc.record({ endedAt: arbTime, met: fc.boolean() }), { maxLength: 3 }),
      recoveries: fc.array(fc.record({ closedAt: arbTime, recovered: fc.boolean() }), { maxLength: 1 }),
    })
    .map((r) => ({
      ticket: {
        id,
        type: r.type,
        createdAt: r.createdAt,
        resolvedAt: r.resolved,
        isResolved: r.resolved !== null,
        reopenCount: r.reopenCount,
        handoverCount: r.handoverCount,
        teamTransferCount: r.teamTransferCount,
        staffPublicReplyCount: r.staffPublicReplyCount,
        firstResponseSeconds: r.fr,
        resolutionSeconds: r.resolved === null ? null : 60,
      } satisfies TicketFacts,
      answers: r.answers,
      outcomes: r.outcomes,
      recoveries: r.recoveries,
    }));

describe('rollup deltas equal a full recomputation', () => {
  it('any sequence of ticket changes, summed over any period, gives the core measures of the final state', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1_000_000 })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (steps, fromH, spanH, seed) => {
          const state = new Map<string, TicketBundle>();
          const rollup = new Map<number, Counters>();
          for (const [ticketNo, s] of steps) {
            const id = `T${ticketNo}`;
            const next = fc.sample(arbBundle(id), { numRuns: 1, seed: seed + s })[0]!;
            for (const [k, d] of delta(state.get(id) ?? null, next, hourOf)) rollup.set(k, addCounters(rollup.get(k) ?? zeroCounters(), d));
            state.set(id, next);
          }
          const from = T0 + fromH * H;
          const to = from + spanH * H;
          let sum = zeroCounters();
          for (const [k, c] of rollup) if (k >= from && k < to) sum = addCounters(sum, c);
          const r = ratesOf(sum);
          const bundles = [...state.values()];
          const tickets = bundles.map((b) => b.ticket);
          const answers = bundles.flatMap((b) => b.answers);
          expect(r.csat).toEqual(csat(answers, from, to));
          expect(r.nps.value).toEqual(nps(answers, from, to).value);
          expect(r.ces).toEqual(ces(answers, from, to));
          expect(r.fcr).toEqual(fcr(tickets, from, to));
          expect(r.complaintRate).toEqual(complaintRate(tickets, from, to));
          expect(r.complaintResolutionRate).toEqual(complaintResolutionRate(tickets, from, to));
          expect(r.standardExecutionRate).toEqual(
            standardExecutionRate(
              bundles.flatMap((b) => b.outcomes.map((o) => ({ endedAt: o.endedAt, state: o.met ? ('met' as const) : ('breached' as const) }))),
              from,
              to,
            ),
          );
          expect(r.recoveryRate).toEqual(
            recoveryRate(
              bundles.flatMap((b) =>
                b.recoveries.map((x) => ({ closedAt: x.closedAt, outcome: x.recovered ? ('recovered' as const) : ('not_recovered' as const) })),
              ),
              from,
              to,
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('removing a ticket (delta to null) retracts everything it added', () => {
    fc.assert(
      fc.property(arbBundle('X'), (b) => {
        const add = delta(null, b, hourOf);
        const back = delta(b, null, hourOf);
        for (const [k, c] of add) expect(addCounters(c, back.get(k) ?? zeroCounters())).toEqual(zeroCounters());
        expect(delta(b, b, hourOf).size).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
