export { inspect, rule } from './engine';
export { DEFAULT_RULES, TIME_EXPRESSION } from './defaults';
export { patternError } from './regex';
export { AUDIENCES, POSITIONS, RULE_KINDS, SEVERITIES } from './types';
export type { Audience, InspectionHit, InspectionInput, InspectionRule, Position, RuleKind, Severity } from './types';
