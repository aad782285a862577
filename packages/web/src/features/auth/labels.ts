import type { TFunction } from 'i18next';

export function lookup(t: TFunction, group: string, id: string): string {
  const table = t(group, { returnObjects: true }) as unknown;
  if (table && typeof table === 'object') {
    const value = (table as Record<string, unknown>)[id];
    if (typeof value === 'string' && value) return value;
  }
  return id;
}

/** Localised role name (管理员 …), falling back to the role id. */
export const roleLabel = (t: TFunction, role: string) => lookup(t, 'roleNames', role);
/** Localised permission label, falling back to the permission id (ids contain dots, so no nested-key lookup). */
export const permissionLabel = (t: TFunction, permission: string) => lookup(t, 'permissionLabels', permission);
/** Localised audit action label, falling back to the action id. */
export const auditActionLabel = (t: TFunction, action: string) => lookup(t, 'auditActions', action);
/** Localised audit target type, falling back to the id. */
export const targetTypeLabel = (t: TFunction, type: string) => lookup(t, 'targetTypes', type);
/** Localised customer tier. */
export const tierLabel = (t: TFunction, tier: string) => lookup(t, 'tiers', tier);
/** Known server validation messages (English) → localised text; unknown ones pass through. */
export const serverMessageLabel = (t: TFunction, message: string) => lookup(t, 'serverMessages', message);
/** Localised field name in audit diffs. */
export const fieldLabel = (t: TFunction, field: string) => lookup(t, 'fieldLabels', field);
/** Ticket vocabularies (状态, 优先级, 类型, 渠道 …), falling back to the id. */
export const ticketStatusLabel = (t: TFunction, v: string) => lookup(t, 'ticketStatus', v);
export const priorityLabel = (t: TFunction, v: string) => lookup(t, 'priorities', v);
export const ticketTypeLabel = (t: TFunction, v: string) => lookup(t, 'ticketTypes', v);
/** Ticket channels have their own table: `channels.*` also holds the 渠道接入 page's texts (channels.wechat.… objects). */
export const channelLabel = (t: TFunction, v: string) => lookup(t, 'ticketChannels', v);
export const compensationKindLabel = (t: TFunction, v: string) => lookup(t, 'compensationKinds', v);
export const linkKindLabel = (t: TFunction, v: string) => lookup(t, 'linkKinds', v);
export const eventKindLabel = (t: TFunction, v: string) => lookup(t, 'eventKinds', v);
export const standardStateLabel = (t: TFunction, v: string) => lookup(t, 'standardStates', v);
/** Notification kinds: own labels first (approval.*, handover.*), then the ticket event labels. */
export const notificationKindLabel = (t: TFunction, v: string) => {
  const own = lookup(t, 'notificationKinds', v);
  return own !== v ? own : lookup(t, 'eventKinds', v);
};
