import type { InspectionHit, InspectionRule, Position, Severity } from '@chidu/core/inspection/index';
import type { HitRow, RuleRow } from './inspection.repo';

/** A stored rule as the engine reads it. */
export function toEngineRule(r: RuleRow): InspectionRule {
  return {
    code: r.code,
    kind: r.kind as InspectionRule['kind'],
    severity: r.severity as Severity,
    enabled: r.enabled,
    audience: r.audience as InspectionRule['audience'],
    phrases: r.phrases,
    pattern: r.pattern,
    wholeWord: r.wholeWord,
    exceptions: r.exceptions,
    suggestion: r.suggestion,
    channels: r.channels,
    ticketTypes: r.ticketTypes,
    position: r.position as Position,
    window: r.window,
  };
}

export function presentRule(r: RuleRow) {
  return { ...toEngineRule(r), id: r.id, name: r.name, version: r.version, builtin: r.builtin, updatedAt: r.updatedAt.toISOString() };
}

export function presentHit(h: InspectionHit) {
  return {
    rule: h.rule,
    severity: h.severity,
    start: h.start,
    end: h.end,
    excerpt: h.excerpt,
    ...(h.suggestion ? { suggestion: h.suggestion } : {}),
  };
}

export function presentStoredHit(h: HitRow) {
  return {
    replyId: h.reply_id,
    rule: h.rule,
    severity: h.severity as Severity,
    start: Number(h.start_offset),
    end: Number(h.end_offset),
    excerpt: h.excerpt,
    ...(h.suggestion ? { suggestion: h.suggestion } : {}),
  };
}

export const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
