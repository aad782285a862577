import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawSamples, mandatoryReason, type SampleTicket, type SamplingRules } from '../src/modules/quality/sampling';

/** Issue #15 must-show: over a generated month every mandatory item is included, the random share per agent is within ±1 item of the plan, nobody inspects themselves. */
const AGENTS = ['a1', 'a2', 'a3', 'a4', 'q1'];
const INSPECTORS = ['q1', 'q2', 'q3'];
const ticketArb = fc.record({
  agentId: fc.constantFrom(...AGENTS),
  week: fc.constantFrom('2026-W49', '2026-W50', '2026-W51', '2026-W52'),
  complaint: fc.boolean(),
  csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
  breached: fc.boolean(),
  workedBy: fc.subarray(['q2', 'a1', 'a2']),
  critical: fc.boolean(),
});
const rulesArb = fc.record({
  sharePercent: fc.integer({ min: 0, max: 30 }),
  minPerWeek: fc.integer({ min: 0, max: 2 }),
  mandatory: fc.record({
    complaints: fc.boolean(),
    csatAtMost: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    breached: fc.boolean(),
    criticalHits: fc.constant(true),
  }),
});

describe('sampling plans (property)', () => {
  it('includes every mandatory item, draws the random share ±1 per agent, never assigns one’s own work', () => {
    fc.assert(
      fc.property(fc.array(ticketArb, { minLength: 0, maxLength: 300 }), rulesArb, fc.integer(), (raw, rules: SamplingRules, seed) => {
        const tickets: SampleTicket[] = raw.map((r, i) => ({ ...r, id: `t${i}` }));
        const critical = new Set(raw.flatMap((r, i) => (r.critical ? [`t${i}`] : [])));
        const sources = [{ reason: 'critical_hit' as const, ticketIds: critical }];
        const samples = drawSamples(
          tickets,
          rules,
          INSPECTORS.map((id) => ({ id, load: 0 })),
          seed,
          sources,
        );
        const byTicket = new Map(samples.map((s) => [s.ticketId, s]));
        expect(byTicket.size).toBe(samples.length); // no ticket twice
        for (const t of tickets) if (mandatoryReason(t, rules, sources)) expect(byTicket.has(t.id), `mandatory ${t.id}`).toBe(true);
        for (const agent of AGENTS) {
          const mine = tickets.filter((t) => t.agentId === agent);
          const optional = mine.filter((t) => !mandatoryReason(t, rules, sources)).length;
          const random = samples.filter((s) => s.agentId === agent && s.reason === 'random').length;
          const plan = (rules.sharePercent / 100) * mine.length;
          expect(random).toBeLessThanOrEqual(Math.ceil(plan) + 1);
          expect(Math.abs(random - Math.min(plan, optional))).toBeLessThanOrEqual(1);
          for (const w of new Set(mine.map((t) => t.week))) {
            const have = samples.filter((s) => s.agentId === agent && tickets.find((t) => t.id === s.ticketId)!.week === w).length;
            expect(have).toBeGreaterThanOrEqual(Math.min(rules.minPerWeek, mine.filter((t) => t.week === w).length));
          }
        }
        for (const s of samples) {
          const t = tickets.find((x) => x.id === s.ticketId)!;
          expect(s.inspectorId).not.toBe(t.agentId);
          if (s.inspectorId) expect(t.workedBy).not.toContain(s.inspectorId);
        }
        // Workload balance: assigned counts differ by at most the tickets only one inspector may take.
        const counts = INSPECTORS.map((i) => samples.filter((s) => s.inspectorId === i).length);
        if (samples.every((s) => s.agentId !== 'q1' && !tickets.find((t) => t.id === s.ticketId)!.workedBy.includes('q2')))
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200, seed: 15 },
    );
  });
});
