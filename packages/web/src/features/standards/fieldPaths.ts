/** Server field-error paths → form field names of the standard form (pure; tested in fieldPaths.test.ts). */

/** "escalation[0].notifyRole", "/body/appliesTo/types/1", ["target"] → segments with numeric indexes. */
export function splitPath(path: string | (string | number)[]): (string | number)[] {
  const raw = Array.isArray(path)
    ? path.map(String)
    : String(path)
        .replace(/^#/, '')
        .split(/[/.[\]]+/);
  const segs = raw.filter((s) => s !== '');
  if (segs[0] === 'body' && segs.length > 1) segs.shift();
  return segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const FIELD_PATHS = new Set([
  'code',
  'name',
  'encounter',
  'kind',
  'description',
  'measure',
  'targetPct',
  'start',
  'stop',
  'pauseWhile',
  'deadline',
  'limitSeconds',
  'calendarId',
  'calendarSource',
  'timeZone',
  'appliesTo.types',
  'appliesTo.priorities',
  'appliesTo.tiers',
  'appliesTo.channels',
  'appliesTo.teams',
  'appliesTo.vip',
  'warnAtPercent',
  'escalation',
  'escalation.#.afterBreachSeconds',
  'escalation.#.notifyRole',
  'recurring',
  'maxCycles',
  'sqiWeight',
  'surveyMeasure',
  'surveyThreshold',
  'active',
  'count',
  'count.source',
  'count.limit',
  'timeOfDay',
  'timeOfDay.at',
  'timeOfDay.businessDaysAfter',
  'timeOfDay.cutoff',
  'checkpoint',
]);
const API_TO_FORM: Record<string, string> = { target: 'targetPct', survey: 'surveyMeasure' };

/** Server field errors (e.g. `escalation[0].notifyRole`, `appliesTo.types[1]`, `target`) → the form field that owns them. */
export function formNameForPath(path: string | (string | number)[]): (string | number)[] | null {
  const segs = splitPath(path);
  if (!segs.length) return null;
  if (typeof segs[0] === 'string') segs[0] = API_TO_FORM[segs[0]] ?? segs[0];
  if (segs[0] === 'surveyMeasure' && segs[1] === 'threshold') return ['surveyThreshold'];
  for (let n = segs.length; n > 0; n--) {
    const prefix = segs.slice(0, n);
    if (FIELD_PATHS.has(prefix.map((s) => (typeof s === 'number' ? '#' : s)).join('.'))) return prefix;
  }
  return null;
}
