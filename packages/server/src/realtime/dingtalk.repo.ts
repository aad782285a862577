/** The SQL of 钉钉工作通知 (delivery.dingtalk.ts): the mapped recipients of notifications, the sending app. */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../db/client';
import { channels, notificationPreferences, notifications, staff, staffDingtalk } from '../db/schema';

export const dingtalkWorkRepo = {
  /** The notifications whose recipient is mapped to a DingTalk userid (enabled), with their kinds, quiet hours, locale. */
  mappedRecipients(tx: Tx, ids: number[]) {
    return tx
      .select({
        n: notifications,
        userid: staffDingtalk.userid,
        kinds: notificationPreferences.kinds,
        quiet: notificationPreferences.quietHours,
        locale: staff.locale,
      })
      .from(notifications)
      .innerJoin(staffDingtalk, and(eq(staffDingtalk.staffId, notifications.recipientId), eq(staffDingtalk.enabled, true)))
      .leftJoin(notificationPreferences, eq(notificationPreferences.staffId, notifications.recipientId))
      .leftJoin(staff, eq(staff.id, notifications.recipientId))
      .where(inArray(notifications.id, ids));
  },
  /** The DingTalk app that sends work notices: the first enabled dingtalk_robot channel with an AgentId. */
  async workApp(ex: Executor) {
    const [row] = await ex
      .select()
      .from(channels)
      .where(and(eq(channels.kind, 'dingtalk_robot'), eq(channels.enabled, true), sql`${channels.config} ->> 'agentId' IS NOT NULL`))
      .orderBy(asc(channels.createdAt))
      .limit(1);
    return row;
  },
};
