import { displayUrl } from '../../lib/outbound';
import { openSecret } from '../../lib/secretbox';
import type { DrillRow, ReportRow, WallTokenRow } from './measures.repo';

const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);

export function presentDrillRow(r: DrillRow) {
  return {
    id: r.ticket_id,
    number: r.number,
    subject: r.subject ?? '',
    type: r.type,
    channel: r.channel,
    status: r.status,
    teamId: r.team_id,
    teamName: r.team_name,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    createdAt: new Date(r.created_at).toISOString(),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    value: r.value === null ? null : Number(r.value),
  };
}

export function presentWallToken(r: WallTokenRow, now = Date.now()) {
  return {
    id: r.id,
    name: r.name,
    teamId: r.team_id,
    expiresAt: iso(r.expires_at)!,
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
    createdAt: iso(r.created_at)!,
    active: !r.revoked_at && new Date(r.expires_at).getTime() > now,
  };
}

/** A scheduled report; the target shown masked (email) or without its secret parts (webhook). */
export function presentReport(r: ReportRow) {
  return {
    id: r.id,
    name: r.name,
    frequency: r.frequency,
    hour: r.hour,
    weekday: r.weekday,
    timeZone: r.time_zone,
    channel: r.channel,
    target: r.channel === 'email' ? r.target.replace(/^(.).*(@.*)$/, '$1***$2') : displayUrl(openSecret(r.target, 'webhook_url')),
    filters: r.filters,
    locale: r.locale,
    active: r.active,
    nextRunAt: iso(r.next_run_at),
    lastRunAt: iso(r.last_run_at),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: iso(r.created_at),
  };
}
