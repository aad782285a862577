/**
 * Sampling plans (抽检): which tickets of a period go to the inspectors. Pure and deterministic for a seed.
 *
 * 1. Mandatory: every complaint, every CSAT ≤ `csatAtMost`, every ticket with a breached standard, and every ticket
 *    a mandatory source names (`mandatorySources`: the automatic inspection's critical hits are wired in here).
 * 2. Random: per agent, round(share × the agent's tickets in the period) drawn at random from that agent's other tickets.
 * 3. Stratified minimum: per agent and ISO week, tickets are added until the agent has `minPerWeek` that week (or
 *    none are left).
 * 4. Inspectors' queue: each sample goes to the eligible inspector with the least work (existing load + assigned
 *    now); nobody inspects a ticket they own or worked on. No eligible inspector: left unassigned.
 */
export interface SampleTicket {
  id: string;
  agentId: string;
  /** ISO week key (e.g. "2026-W49") of the ticket's creation in the org's time zone. */
  week: string;
  complaint: boolean;
  csat: number | null;
  breached: boolean;
  /** Staff who worked the ticket (replies, notes): they never inspect it. */
  workedBy: readonly string[];
}

export interface SamplingRules {
  sharePercent: number;
  minPerWeek: number;
  mandatory: { complaints: boolean; csatAtMost: number | null; breached: boolean; criticalHits: boolean };
}

export type SampleReason = 'complaint' | 'low_csat' | 'breached' | 'critical_hit' | 'random' | 'minimum';
export interface Sample {
  ticketId: string;
  agentId: string;
  reason: SampleReason;
  inspectorId: string | null;
}

/** A source of tickets that must be inspected (e.g. the automatic inspection's critical hits). */
export type MandatorySource = { reason: SampleReason; ticketIds: ReadonlySet<string> };

/** mulberry32: a small seeded generator, so a plan's draw can be repeated. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export function mandatoryReason(t: SampleTicket, rules: SamplingRules, sources: readonly MandatorySource[]): SampleReason | null {
  if (rules.mandatory.complaints && t.complaint) return 'complaint';
  if (rules.mandatory.csatAtMost !== null && t.csat !== null && t.csat <= rules.mandatory.csatAtMost) return 'low_csat';
  if (rules.mandatory.breached && t.breached) return 'breached';
  for (const s of sources) if (s.ticketIds.has(t.id)) return s.reason;
  return null;
}

export function drawSamples(
  tickets: readonly SampleTicket[],
  rules: SamplingRules,
  inspectors: readonly { id: string; load: number }[],
  seed: number,
  mandatorySources: readonly MandatorySource[] = [],
): Sample[] {
  const rand = rng(seed);
  const chosen: { t: SampleTicket; reason: SampleReason }[] = [];
  const taken = new Set<string>();
  const take = (t: SampleTicket, reason: SampleReason) => {
    taken.add(t.id);
    chosen.push({ t, reason });
  };
  for (const t of tickets) {
    const r = mandatoryReason(t, rules, mandatorySources);
    if (r) take(t, r);
  }
  const byAgent = new Map<string, SampleTicket[]>();
  for (const t of tickets) byAgent.set(t.agentId, [...(byAgent.get(t.agentId) ?? []), t]);
  for (const [, mine] of [...byAgent].sort(([a], [b]) => a.localeCompare(b))) {
    const want = Math.round((rules.sharePercent / 100) * mine.length);
    const pool = shuffle(
      mine.filter((t) => !taken.has(t.id)),
      rand,
    );
    for (const t of pool.slice(0, want)) take(t, 'random');
    if (rules.minPerWeek > 0) {
      const weeks = [...new Set(mine.map((t) => t.week))].sort();
      for (const w of weeks) {
        let have = chosen.filter((c) => c.t.agentId === mine[0]!.agentId && c.t.week === w).length;
        for (const t of shuffle(
          mine.filter((x) => x.week === w && !taken.has(x.id)),
          rand,
        )) {
          if (have >= rules.minPerWeek) break;
          take(t, 'minimum');
          have++;
        }
      }
    }
  }
  const load = new Map(inspectors.map((i) => [i.id, i.load]));
  return chosen.map(({ t, reason }) => {
    let best: string | null = null;
    for (const i of inspectors) {
      if (i.id === t.agentId || t.workedBy.includes(i.id)) continue;
      if (best === null || load.get(i.id)! < load.get(best)! || (load.get(i.id) === load.get(best) && i.id < best)) best = i.id;
    }
    if (best) load.set(best, load.get(best)! + 1);
    return { ticketId: t.id, agentId: t.agentId, reason, inspectorId: best };
  });
}
