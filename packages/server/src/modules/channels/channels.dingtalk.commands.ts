/**
 * DingTalk administration: the staff → DingTalk userid mapping that 工作通知 (work notifications) go to
 * (channels.manage, audited). A mapped and enabled staff member gets their notifications as work notices from the
 * DingTalk app with an AgentId (realtime/delivery.dingtalk.ts), with their kinds and quiet hours.
 */
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { writeAudit } from '../../lib/audit';
import type { Ctx } from '../../lib/context';
import { AppError, notFound } from '../../lib/errors';
import { authorize } from '../identity/policy';
import { dingtalkRepo } from './channels.dingtalk.repo';
import type { DingtalkStaffPut } from './channels.schema';

function manage(ctx: Ctx) {
  if (ctx.actor.kind !== 'staff') throw new AppError('forbidden');
  authorize(ctx.actor, 'channels.manage');
}

export async function listStaffMappings(database: Database, ctx: Ctx) {
  manage(ctx);
  const rows = await dingtalkRepo.staffMappings(database.db);
  return { items: rows.map((r) => ({ staffId: r.staffId, name: r.name, userid: r.userid ?? null, enabled: r.userid ? (r.enabled ?? false) : false })) };
}

export async function putStaffMapping(database: Database, ctx: Ctx, staffId: string, input: z.infer<typeof DingtalkStaffPut>) {
  manage(ctx);
  return database.transaction(async (tx) => {
    const rows = await dingtalkRepo.staffMappings(tx);
    const member = rows.find((r) => r.staffId === staffId);
    if (!member) throw notFound('staff');
    if (input.userid === null) await dingtalkRepo.deleteMapping(tx, staffId);
    else await dingtalkRepo.setMapping(tx, staffId, input.userid, input.enabled);
    await writeAudit(tx, ctx, {
      action: 'staff.dingtalk_mapped',
      targetType: 'staff',
      targetId: staffId,
      changes: { userid: { before: member.userid ?? null, after: input.userid }, enabled: { before: member.enabled ?? null, after: input.enabled } },
    });
    return { staffId, name: member.name, userid: input.userid, enabled: input.userid ? input.enabled : false };
  });
}
