import { maskPhone } from '../../lib/mask';
import { arrivalTiming } from './field.policy';
import type { AssetRow, SiteRow, VisitRow } from './field.repo';
import { CHECKLIST_STEPS, SITE_KINDS, type VISIT_STATES } from './field.schema';

type SiteKind = (typeof SITE_KINDS)[number];
type VisitState = (typeof VISIT_STATES)[number];
type Step = (typeof CHECKLIST_STEPS)[number];

/** Names from the root down to the site (a broken or cyclic parent chain stops). */
export function pathOf(site: SiteRow, byId: Map<string, SiteRow>): string[] {
  const out = [site.name];
  const seen = new Set([site.id]);
  let p = site.parentId ? byId.get(site.parentId) : undefined;
  while (p && !seen.has(p.id)) {
    out.unshift(p.name);
    seen.add(p.id);
    p = p.parentId ? byId.get(p.parentId) : undefined;
  }
  return out;
}

export function presentSite(s: SiteRow, byId: Map<string, SiteRow>) {
  return {
    id: s.id,
    parentId: s.parentId,
    kind: (SITE_KINDS as readonly string[]).includes(s.kind) ? (s.kind as SiteKind) : 'site',
    name: s.name,
    address: s.address,
    path: pathOf(s, byId),
    createdAt: s.createdAt.toISOString(),
  };
}

export function presentAsset(a: AssetRow, today: string) {
  return {
    id: a.id,
    siteId: a.siteId,
    name: a.name,
    model: a.model,
    serial: a.serial,
    installDate: a.installDate,
    warrantyEnd: a.warrantyEnd,
    inWarranty: a.warrantyEnd ? a.warrantyEnd >= today : null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function presentVisit(v: VisitRow, technicianName?: string | null) {
  const checklist = Array.isArray(v.checklist) ? (v.checklist as string[]).filter((s): s is Step => (CHECKLIST_STEPS as readonly string[]).includes(s)) : [];
  return {
    id: v.id,
    ticketId: v.ticketId,
    siteId: v.siteId,
    technicianId: v.technicianId,
    ...(technicianName !== undefined ? { technicianName } : {}),
    start: v.startsAt.toISOString(),
    end: v.endsAt.toISOString(),
    state: v.state as VisitState,
    declineReason: v.declineReason,
    departedAt: v.departedAt?.toISOString() ?? null,
    arrivedAt: v.arrivedAt?.toISOString() ?? null,
    arrivalMethod: v.arrivalMethod === 'scan' ? ('scan' as const) : v.arrivalMethod === 'manual' ? ('manual' as const) : null,
    arrivalTiming: v.arrivedAt ? arrivalTiming(v.arrivedAt, v.startsAt, v.endsAt) : null,
    startedAt: v.startedAt?.toISOString() ?? null,
    completedAt: v.completedAt?.toISOString() ?? null,
    checklist,
    notes: v.notes,
    labourMinutes: v.labourMinutes,
    repeatOfId: v.repeatOfId,
  };
}

export interface DayRow {
  visit: VisitRow;
  ticketNumber: string;
  ticketSubject: string;
  ticketPriority: string;
  siteName: string | null;
  siteAddress: string | null;
  customerName: string | null;
  customerPhone: string | null;
  customerBuilding: string | null;
  customerUnit: string | null;
  customerRoom: string | null;
}

export function presentDayVisit(r: DayRow) {
  const unit = [r.customerBuilding, r.customerUnit, r.customerRoom].filter(Boolean).join(' ');
  return {
    ...presentVisit(r.visit),
    ticketNumber: r.ticketNumber,
    ticketSubject: r.ticketSubject,
    priority: r.ticketPriority,
    siteName: r.siteName,
    address: r.siteAddress ?? (unit || null),
    customerName: r.customerName,
    customerPhoneMasked: maskPhone(r.customerPhone),
    customerPhone: r.customerPhone,
  };
}
