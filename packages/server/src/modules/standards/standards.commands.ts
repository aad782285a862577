import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/client';
import { calendars, standards, standardVersions } from '../../db/schema';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound, type FieldError } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { idempotent } from '../../lib/idempotency';
import { announceCatalogueChange, invalidateCatalogue } from '../../engine/engine';
import { authorize } from '../identity/policy';
import { buildDefinition, presentDefinition, StandardFields, type StandardDefinition } from './definition';
import { standardsRepo, type StandardRow, type VersionRow } from './standards.repo';
import { STANDARD_TEMPLATES } from './templates';
import type { z } from 'zod';

type FieldsIn = Partial<z.infer<typeof StandardFields>>;

export function presentStandard(s: StandardRow, v: VersionRow) {
  return {
    id: s.id, code: s.code, version: v.version, active: s.active, templateKey: s.templateKey,
    ...presentDefinition(v.definition as StandardDefinition),
    createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString(),
  };
}

/** JSON with sorted keys (jsonb does not keep key order). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function failIf(errors: FieldError[]) {
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

async function checkRefs(tx: Tx, def: StandardDefinition) {
  if (def.calendarId) {
    const [c] = await tx.select({ id: calendars.id }).from(calendars).where(eq(calendars.id, def.calendarId));
    if (!c) failIf([{ path: 'calendarId', message: 'no such calendar' }]);
  }
}

async function insertStandard(tx: Tx, ctx: Ctx, code: string, def: StandardDefinition, active: boolean, templateKey: string | null) {
  await checkRefs(tx, def);
  if (await standardsRepo.byCode(tx, code)) throw new AppError('conflict', `A standard with code ${code} already exists`, { errors: [{ path: 'code', message: 'already used' }] });
  const id = uuidv7();
  const versionId = uuidv7();
  const [s] = await tx.insert(standards).values({ id, code, currentVersionId: versionId, currentVersion: 1, active, templateKey, createdBy: ctx.actor.id }).returning();
  const [v] = await tx.insert(standardVersions).values({ id: versionId, standardId: id, version: 1, definition: def, createdBy: ctx.actor.id }).returning();
  await writeAudit(tx, ctx, { action: 'standard.created', targetType: 'standard', targetId: id, changes: diff(null, { code, active, templateKey, ...presentDefinition(def) }) });
  await announceCatalogueChange(tx);
  return presentStandard(s!, v!);
}

export async function createStandard(database: Database, ctx: Ctx, input: FieldsIn & { code: string; active?: boolean | undefined }, idempotencyKey?: string) {
  authorize(ctx.actor, 'standards.manage');
  const { def, errors } = buildDefinition(input);
  failIf(errors);
  const out = await idempotent(database, ctx, idempotencyKey, 'POST /standards', input, async (tx) => ({
    status: 201, body: await insertStandard(tx, ctx, input.code, def, input.active ?? true, null),
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

export async function listStandards(database: Database, ctx: Ctx, q: { active?: 'true' | 'false' | undefined; encounter?: string | undefined; kind?: string | undefined; limit: number; cursor?: string | undefined }) {
  authorize(ctx.actor, 'standards.view');
  const rows = await standardsRepo.list(database.db, { active: q.active === undefined ? undefined : q.active === 'true', encounter: q.encounter, kind: q.kind, limit: q.limit, before: q.cursor });
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
      const [nv] = await tx.insert(standardVersions).values({ id: uuidv7(), standardId: id, version: cur.s.currentVersion + 1, definition: def, createdBy: ctx.actor.id }).returning();
      v = nv!;
      set.currentVersionId = v.id;
      set.currentVersion = v.version;
    }
    if (active !== undefined) set.active = active;
    const [s] = await tx.update(standards).set(set).where(eq(standards.id, id)).returning();
    const changes = diff({ active: cur.s.active, ...presentDefinition(base) }, { active: s!.active, ...presentDefinition(def) });
    if (changed) Object.assign(changes, { version: { before: cur.v.version, after: v.version } });
    await writeAudit(tx, ctx, { action: 'standard.updated', targetType: 'standard', targetId: id, changes });
    await announceCatalogueChange(tx);
    return presentStandard(s!, v);
  });
  invalidateCatalogue();
  return out;
}

export async function listVersions(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'standards.view');
  if (!(await standardsRepo.byId(database.db, id))) throw notFound('Standard');
  const rows = await standardsRepo.versions(database.db, id);
  return { items: rows.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy, definition: presentDefinition(v.definition as StandardDefinition) })) };
}

export function listTemplates(ctx: Ctx) {
  authorize(ctx.actor, 'standards.view');
  return {
    items: STANDARD_TEMPLATES.map((t) => {
      const { def } = buildDefinition(StandardFields.parse(t.definition));
      return { key: t.key, code: t.code, source: t.source, definition: presentDefinition(def) };
    }),
  };
}

export async function adoptTemplate(database: Database, ctx: Ctx, key: string, overrides: FieldsIn & { code?: string | undefined; active?: boolean | undefined }) {
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

