import { describe, expect, it } from 'vitest';
import { measuredResult, softResult, softStats, standardOutcome } from './outcomes';

const T = Date.UTC(2026, 0, 5, 2);

describe('standardOutcome (how breaches count)', () => {
  it('a breached clock fails from its breach instant, ended or not', () => {
    expect(standardOutcome({ state: 'breached', metAt: null, breachedAt: T, endedAt: null })).toEqual({ at: T, met: false });
    expect(standardOutcome({ state: 'breached', metAt: null, breachedAt: T, endedAt: T + 86_400_000 })).toEqual({ at: T, met: false });
  });
  it('a clock stopped within its limit succeeds at its stop', () => {
    expect(standardOutcome({ state: 'met', metAt: T, breachedAt: null, endedAt: T })).toEqual({ at: T, met: true });
  });
  it('running, paused and cancelled clocks are excluded', () => {
    expect(standardOutcome({ state: 'running', metAt: null, breachedAt: null, endedAt: null })).toBeNull();
    expect(standardOutcome({ state: 'paused', metAt: null, breachedAt: null, endedAt: null })).toBeNull();
    expect(standardOutcome({ state: 'cancelled', metAt: null, breachedAt: null, endedAt: T })).toBeNull();
  });
});

describe('softResult (soft standards by mean or share)', () => {
  it('mean: answers 5, 5, 4 → 4.67 < 4.8 → not met', () => {
    const r = softResult(softStats([5, 5, 4], 4.8), { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 1 }, 0.9);
    expect(r.value).toBeCloseTo(4.6667, 3);
    expect(r.met).toBe(false);
    expect(r.scaleMax).toBe(5);
  });
  it('share: the share of answers ≥ threshold against the target', () => {
    const r = softResult(softStats([5, 5, 4], 4), { measure: 'csat', aggregate: 'share', threshold: 4, minSample: 1 }, 0.9);
    expect(r.value).toBe(1);
    expect(r.met).toBe(true);
    expect(softResult(softStats([5, 3], 4), { measure: 'csat', aggregate: 'share', threshold: 4, minSample: 1 }, 0.9).met).toBe(false);
  });
  it('below the minimum sample: neither met nor failed', () => {
    const r = softResult(softStats([5, 5], 4.8), { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 3 }, 0.9);
    expect(r.insufficientSample).toBe(true);
    expect(r.met).toBeNull();
    expect(softResult(softStats([], 4.8), { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 0 }, 0.9).met).toBeNull();
  });
});

describe('measuredResult', () => {
  it('compares numerator / denominator with the target', () => {
    expect(measuredResult(9, 10, 0.9).met).toBe(true);
    expect(measuredResult(8, 10, 0.9).met).toBe(false);
    expect(measuredResult(0, 0, 0.9).met).toBeNull();
  });
});
