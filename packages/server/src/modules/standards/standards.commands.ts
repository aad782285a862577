import type { Database, Tx } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { announceCatalogueChange, invalidateCatalogue } from '../../engine/engine';
import { authorize } from '../identity/policy';
import { calendarsRepo } from '../calendars/calendars.repo';
import { buildDefinition, presentDefinition, StandardFields, type StandardDefinition } from './definition';
import { presentStandard, presentVersion } from './standards.present';
import { standardsRepo, type StandardRow } from './standards.repo';
import { STANDARD_TEMPLATES } from './templates';
import { TARGET_TEMPLATES } from './templates.catalogue';
import { putTarget, targetsMap } from '../measures/measures.targets.commands';
import type { z } from 'zod';

type FieldsIn = Partial<z.infer<typeof StandardFields>>;

export { presentStandard } from './standards.present';

/** JSON with sorted keys (jsonb does not keep key order). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function failIf(errors: FieldError[]) {
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

async function checkRefs(tx: Tx, def: StandardDefinition) {
  if (def.calendarId) {
    if (!(await calendarsRepo.byId(tx, def.calendarId))) failIf([{ path: 'calendarId', message: 'no such calendar' }]);
  }
}

async function insertStandard(tx: Tx, ctx: Ctx, code: string, def: StandardDefinition, active: boolean, templateKey: string | null) {
  await checkRefs(tx, def);
  if (await standardsRepo.byCode(tx, code)) {
    throw new AppError('conflict', `A standard with code ${code} already exists`, {
      reason: 'standard_code_taken',
      params: { code },
      errors: [{ path: 'code', message: 'already used' }],
    });
  }
  const id = uuidv7();
  const versionId = uuidv7();
  const s = await standardsRepo.insert(tx, { id, code, currentVersionId: versionId, currentVersion: 1, active, templateKey, createdBy: ctx.actor.id });
  const v = await standardsRepo.insertVersion(tx, { id: versionId, standardId: id, version: 1, definition: def, createdBy: ctx.actor.id });
  await writeAudit(tx, ctx, {
    action: 'standard.created',
    targetType: 'standard',
    targetId: id,
    changes: diff(null, { code, active, templateKey, ...presentDefinition(def) }),
  });
  await announceCatalogueChange(tx);
  return presentStandard(s, v);
}

export async function createStandard(database: Database, ctx: Ctx, input: FieldsIn & { code: string; active?: boolean | undefined }, idempotencyKey?: string) {
  authorize(ctx.actor, 'standards.manage');
  const { def, errors } = buildDefinition(input);
  failIf(errors);
  const out = await idempotent(database, ctx, idempotencyKey, 'POST /standards', input, async (tx) => ({
    status: 201,
    body: await insertStandard(tx, ctx, input.code, def, input.active ?? true, null),
  }));
  invalidateCatalogue();
  return out;
}

export async function getStandard(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'standards.view');
  const row = await standardsRepo.byId(database.db, id);
  if (!row) throw notFound('Standard');
  return presentStandard(row.s, row.v);
}

export async function listStandards(
  database: Database,
  ctx: Ctx,
  q: { active?: 'true' | 'false' | undefined; encounter?: string | undefined; kind?: string | undefined; limit: number; cursor?: string | undefined },
) {
  authorize(ctx.actor, 'standards.view');
  const rows = await standardsRepo.list(database.db, {
    active: q.active === undefined ? undefined : q.active === 'true',
    encounter: q.encounter,
    kind: q.kind,
    limit: q.limit,
    before: q.cursor,
  });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => presentStandard(r.s, r.v));
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/**
 * A change to the definition creates a new version; clocks already running keep the version they started with
 * (new clocks, including the next cycle of a recurring standard, use the new one). `active` is not versioned.
 */
export async function updateStandard(database: Database, ctx: Ctx, id: string, input: FieldsIn & { active?: boolean | undefined }) {
  authorize(ctx.actor, 'standards.manage');
  const out = await database.transaction(async (tx) => {
    const cur = await standardsRepo.byId(tx, id, true);
    if (!cur) throw notFound('Standard');
    const base = cur.v.definition as StandardDefinition;
    const { active, ...fields } = input;
    const { def, errors } = buildDefinition(fields, base);
    failIf(errors);
    await checkRefs(tx, def);
    const changed = canonical(def) !== canonical(base);
    let v = cur.v;
    const set: Partial<StandardRow> = { updatedAt: new Date() };
    if (changed) {
      v = await standardsRepo.insertVersion(tx, { id: uuidv7(), standardId: id, version: cur.s.currentVersion + 1, definition: def, createdBy: ctx.actor.id });
      set.currentVersionId = v.id;
      set.currentVersion = v.version;
    }
    if (active !== undefined) set.active = active;
    const s = await standardsRepo.update(tx, id, set);
    const changes = diff({ active: cur.s.active, ...presentDefinition(base) }, { active: s.active, ...presentDefinition(def) });
    if (changed) Object.assign(changes, { version: { before: cur.v.version, after: v.version } });
    await writeAudit(tx, ctx, { action: 'standard.updated', targetType: 'standard', targetId: id, changes });
    await announceCatalogueChange(tx);
    return presentStandard(s, v);
  });
  invalidateCatalogue();
  return out;
}

export async function listVersions(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'standards.view');
  if (!(await standardsRepo.byId(database.db, id))) throw notFound('Standard');
  const rows = await standardsRepo.versions(database.db, id);
  return { items: rows.map(presentVersion) };
}

export async function listTemplates(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'standards.view');
  const targets = await targetsMap(database.db);
  return {
    items: STANDARD_TEMPLATES.map((t) => {
      const { def } = buildDefinition(StandardFields.parse(t.definition));
      return { key: t.key, code: t.code, group: t.group, source: t.source, definition: presentDefinition(def) };
    }),
    targets: TARGET_TEMPLATES.map((t) => {
      const cur = targets[t.measure];
      return { ...t, direction: cur.direction, current: cur.target, inForce: cur.target !== null && Math.abs(cur.target - t.target) < 1e-9 };
    }),
  };
}

/** Adopt a target template: sets the measures module's target for its measure (`PUT /measures/targets/{measure}`). */
export async function adoptTargetTemplate(database: Database, ctx: Ctx, key: string, input: { target?: number | undefined }) {
  authorize(ctx.actor, 'measures.manage');
  const tpl = TARGET_TEMPLATES.find((t) => t.key === key);
  if (!tpl) throw notFound('Template');
  return putTarget(database, ctx, tpl.measure, { target: input.target ?? tpl.target });
}

export async function adoptTemplate(
  database: Database,
  ctx: Ctx,
  key: string,
  overrides: FieldsIn & { code?: string | undefined; active?: boolean | undefined },
) {
  authorize(ctx.actor, 'standards.manage');
  const tpl = STANDARD_TEMPLATES.find((t) => t.key === key);
  if (!tpl) throw notFound('Template');
  const { code, active, ...fields } = overrides;
  const base = buildDefinition(StandardFields.parse(tpl.definition)).def;
  const { def, errors } = buildDefinition(fields, base);
  failIf(errors);
  const out = await database.transaction((tx) => insertStandard(tx, ctx, code ?? tpl.code, def, active ?? true, tpl.key));
  invalidateCatalogue();
  return out;
}
