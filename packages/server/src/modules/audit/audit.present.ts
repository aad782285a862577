import { t, type Locale } from '../../i18n/index';
import type { AuditRow } from './audit.repo';

interface AuditSearchRow {
  a: AuditRow;
  name: string | null;
  employeeNo: string | null;
  targetName: string | null;
  targetEmployeeNo: string | null;
}

/** The readable label of an entry's target, in the reader's language (staff: name and employee number). */
type LabelParts = Pick<AuditSearchRow, 'targetName' | 'targetEmployeeNo'> & { a: Pick<AuditRow, 'targetType'> };
export function targetLabel(locale: Locale | undefined, r: LabelParts): string | null {
  if (r.targetName === null || r.targetName === undefined) return null;
  if (r.a.targetType === 'staff' && r.targetEmployeeNo) return t(locale, 'audit.target_label.staff', { name: r.targetName, employeeNo: r.targetEmployeeNo });
  if (r.a.targetType === 'role') {
    const key = `audit.role.${r.targetName}`;
    const name = t(locale, key);
    return name === key ? r.targetName : name;
  }
  return r.targetName;
}

/** One audit entry (schema `AuditEntry`). */
export const presentAuditEntry = (locale: Locale | undefined, r: AuditSearchRow) => ({
  id: String(r.a.id),
  at: r.a.at.toISOString(),
  actorKind: r.a.actorKind,
  actorId: r.a.actorId,
  actorName: r.name,
  actorEmployeeNo: r.employeeNo,
  action: r.a.action,
  targetType: r.a.targetType,
  targetId: r.a.targetId,
  targetLabel: targetLabel(locale, r),
  changes: (r.a.changes as Record<string, { before: unknown; after: unknown }> | null) ?? null,
  requestId: r.a.requestId,
});
