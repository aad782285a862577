import QRCode from 'qrcode';
import type { Database } from '../../db/client';
import { diff, writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { uuidv7 } from '../../lib/ids';
import { maskPhone } from '../../lib/mask';
import { authorize } from '../identity/policy';
import { t } from '../../i18n/index';
import { fieldSecret, newNonce, signCode, type CodeKind } from './field.code';
import { buildLabelSheet, type Label } from './field.labels';
import { presentAsset, presentSite } from './field.present';
import { fieldRepo, type SiteRow } from './field.repo';
import type { AssetCreateInput, SiteCreateInput } from './field.schema';
import { localDate } from './field.time';

const byIdMap = (rows: SiteRow[]) => new Map(rows.map((r) => [r.id, r]));

const invalid = (path: string, message: string) => new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });

export async function createSite(database: Database, ctx: Ctx, input: SiteCreateInput) {
  authorize(ctx.actor, 'field.manage');
  return database.transaction(async (tx) => {
    if (input.parentId && !(await fieldRepo.siteById(tx, input.parentId))) throw invalid('parentId', 'unknown site');
    const row = await fieldRepo.insertSite(tx, {
      id: uuidv7(),
      parentId: input.parentId ?? null,
      kind: input.kind ?? 'site',
      name: input.name,
      address: input.address ?? null,
      codeNonce: newNonce(),
    });
    await writeAudit(tx, ctx, {
      action: 'field.site_created',
      targetType: 'field_site',
      targetId: row.id,
      changes: diff(null, { name: row.name, kind: row.kind, parentId: row.parentId }),
    });
    return { id: row.id };
  });
}

export async function listSites(database: Database, ctx: Ctx) {
  authorize(ctx.actor, 'field.view');
  const rows = await fieldRepo.allSites(database.db);
  const map = byIdMap(rows);
  return { items: rows.map((r) => presentSite(r, map)) };
}

export async function getSite(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'field.view');
  const rows = await fieldRepo.allSites(database.db);
  const map = byIdMap(rows);
  const site = map.get(id);
  if (!site) throw notFound('Site');
  const assets = await fieldRepo.assetsOfSites(database.db, [id]);
  const path = presentSite(site, map).path;
  // Customers are linked to their unit by 楼栋 / 单元 / 房号: a building's, unit's or room's site path names them.
  const linked =
    site.kind === 'room' && path.length >= 4
      ? await fieldRepo.customersAt(database.db, path[path.length - 3]!, path[path.length - 2]!, site.name)
      : site.kind === 'unit' && path.length >= 3
        ? await fieldRepo.customersAt(database.db, path[path.length - 2]!, site.name, null)
        : site.kind === 'building'
          ? await fieldRepo.customersAt(database.db, site.name, null, null)
          : [];
  const today = localDate(new Date());
  return {
    ...presentSite(site, map),
    assets: assets.map((a) => presentAsset(a, today)),
    children: rows.filter((r) => r.parentId === id).map((r) => presentSite(r, map)),
    customers: linked.map((c) => ({ id: c.id, name: c.name, phone: maskPhone(c.phone), room: c.room })),
  };
}

export async function createAsset(database: Database, ctx: Ctx, input: AssetCreateInput) {
  authorize(ctx.actor, 'field.manage');
  if (input.installDate && input.warrantyEnd && input.warrantyEnd < input.installDate) throw invalid('warrantyEnd', 'before installDate');
  return database.transaction(async (tx) => {
    if (!(await fieldRepo.siteById(tx, input.siteId))) throw invalid('siteId', 'unknown site');
    const row = await fieldRepo.insertAsset(tx, {
      id: uuidv7(),
      siteId: input.siteId,
      name: input.name,
      model: input.model ?? null,
      serial: input.serial ?? null,
      installDate: input.installDate ?? null,
      warrantyEnd: input.warrantyEnd ?? null,
      codeNonce: newNonce(),
    });
    await writeAudit(tx, ctx, {
      action: 'field.asset_created',
      targetType: 'field_asset',
      targetId: row.id,
      changes: diff(null, { name: row.name, siteId: row.siteId, serial: row.serial }),
    });
    return { id: row.id };
  });
}

async function qrOf(database: Database, kind: CodeKind, nonce: string) {
  const code = signCode(await fieldSecret(database.db), kind, nonce);
  const svg = await QRCode.toString(code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return { code, svg };
}

export async function siteQr(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'field.manage');
  const site = await fieldRepo.siteById(database.db, id);
  if (!site) throw notFound('Site');
  return qrOf(database, 's', site.codeNonce);
}

export async function assetQr(database: Database, ctx: Ctx, id: string) {
  authorize(ctx.actor, 'field.manage');
  const asset = await fieldRepo.assetById(database.db, id);
  if (!asset) throw notFound('Asset');
  return qrOf(database, 'a', asset.codeNonce);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A site, its descendants (depth-first order of the stored rows) and their assets: what a label sheet prints. */
async function labelSubjects(database: Database, id: string) {
  const rows = await fieldRepo.allSites(database.db);
  const map = byIdMap(rows);
  const root = map.get(id);
  if (!root) throw notFound('Site');
  const inTree = (r: SiteRow) => {
    for (let p: SiteRow | undefined = r, n = 0; p && n < 50; p = p.parentId ? map.get(p.parentId) : undefined, n++) if (p.id === id) return true;
    return false;
  };
  const sites = rows.filter(inTree);
  const assets = await fieldRepo.assetsOfSites(
    database.db,
    sites.map((s) => s.id),
  );
  return { root, sites, assets, map };
}

/** The label sheet as a PDF (A4, 3 × 5 labels a page, CJK font): `field.labels.ts`. */
export async function labelSheetPdf(database: Database, ctx: Ctx, id: string): Promise<{ filename: string; data: Buffer }> {
  authorize(ctx.actor, 'field.manage');
  const { root, sites, assets, map } = await labelSubjects(database, id);
  const locale = ctx.locale ?? 'zh-CN';
  const pathOfSite = (s: SiteRow) => presentSite(s, map).path.join(' › ');
  const labels: Label[] = [];
  for (const s of sites) labels.push({ kind: 'site', code: (await qrOf(database, 's', s.codeNonce)).code, title: pathOfSite(s), lines: [] });
  for (const a of assets) {
    const site = map.get(a.siteId);
    const lines = [
      [a.model ? t(locale, 'field.labels.model', { model: a.model }) : '', a.serial ? t(locale, 'field.labels.serial', { serial: a.serial }) : '']
        .filter(Boolean)
        .join(' · '),
      site ? pathOfSite(site) : '',
    ].filter(Boolean);
    labels.push({ kind: 'asset', code: (await qrOf(database, 'a', a.codeNonce)).code, title: a.name, lines });
  }
  const data = await buildLabelSheet(labels, locale, t(locale, 'field.labels.title', { name: root.name }));
  return { filename: `labels-${root.name}.pdf`, data };
}

/** A printable label sheet (HTML, A4 grid) of a site, its descendants and their assets: name path + QR per label. */
export async function labelSheet(database: Database, ctx: Ctx, id: string): Promise<string> {
  authorize(ctx.actor, 'field.manage');
  const { sites, assets, map } = await labelSubjects(database, id);
  const labels: string[] = [];
  for (const s of sites) {
    const { svg } = await qrOf(database, 's', s.codeNonce);
    labels.push(`<div class="l">${svg}<p>${esc(presentSite(s, map).path.join(' / '))}</p><small>站点码</small></div>`);
  }
  for (const a of assets) {
    const { svg } = await qrOf(database, 'a', a.codeNonce);
    const site = map.get(a.siteId);
    labels.push(
      `<div class="l">${svg}<p>${esc(a.name)}${a.serial ? ` · ${esc(a.serial)}` : ''}</p><small>设备码 · ${esc(site ? presentSite(site, map).path.join(' / ') : '')}</small></div>`,
    );
  }
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>站点与设备二维码</title><style>
@page{size:A4;margin:10mm}body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0}
.g{display:grid;grid-template-columns:repeat(4,1fr);gap:6mm}.l{border:1px dashed #999;padding:3mm;text-align:center;break-inside:avoid}
.l svg{width:38mm;height:38mm}.l p{margin:1mm 0;font-size:10pt}.l small{color:#555;font-size:8pt}
</style></head><body><div class="g">${labels.join('')}</div></body></html>`;
}
