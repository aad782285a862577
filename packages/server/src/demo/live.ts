/**
 * The demo's open work on the day it is loaded. Today's tickets go through the real commands (create, assign, reply,
 * complaint steps, resolve, close), so their clocks start now. A few came in earlier and are still waiting: they are
 * replayed — the ticket row, then its events at their times through the same event path the commands use — so the
 * standards engine starts their clocks at those times on the standards' calendars. Their age is computed from the
 * calendar (business time left on the clock, or how far past it), so the demo always has clocks about to run out
 * (即将超时) and some breached, consistent with the history.
 */
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { Config } from '../config';
import { categories, customers, staff } from '../db/schema';
import { systemCtx, type Ctx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { calendarOf, type CalendarRow } from '../modules/calendars/calendar-cache';
import { actorFromRow } from '../modules/identity/identity.commands';
import { recordStep, STEP_EVENT, type ComplaintStep } from '../modules/loops/complaints';
import { COMPLAINT_EVIDENCE } from './history-pool';
import { loopsRepo } from '../modules/loops/loops.repo';
import { recordTicketEvent } from '../modules/tickets/ticket-events';
import { addReply, assignTicket, changeTicketStatus, closeTicket, createTicket, orgDay, resolveTicket } from '../modules/tickets/tickets.commands';
import { ticketsRepo } from '../modules/tickets/tickets.repo';

interface LiveTicket {
  by: string;
  customer: number;
  type: string;
  channel: string;
  priority: string;
  subject: string;
  description: string;
  category: string;
  /** Dispatched to (employee no.), e.g. the technician whose trade it is. */
  assignTo?: string;
  note?: string;
  reply?: string;
  /** Complaint loop steps done so far (the board shows the card in the next step's column). */
  steps?: ComplaintStep[];
  pendingCustomer?: boolean;
  resolve?: string;
  close?: boolean;
}

const TODAY: LiveTicket[] = [
  {
    by: 'K0001',
    customer: 1,
    type: 'repair',
    channel: 'phone',
    priority: 'high',
    subject: '卫生间天花板漏水',
    description: '卫生间天花板一直在滴水，已经用盆接着了，怀疑是楼上 602 卫生间漏的。',
    category: '水电维修',
    note: '疑似楼上 602 防水层老化，需联系 602 业主配合开门查看。',
    reply: '您好，已安排杨师傅今天下午两点上门查看，请保持电话畅通。',
    assignTo: 'T0001',
  },
  {
    by: 'K0002',
    customer: 1,
    type: 'complaint',
    channel: 'phone',
    priority: 'high',
    subject: '11 月物业费账单重复计费',
    description: '11 月账单显示我欠费两个月，可是 10 月的我已经在 APP 上交过了，截图都还在。',
    category: '收费争议',
    reply: '非常抱歉给您带来困扰，我们正在与财务核对缴费记录，今天内给您答复。',
    steps: ['listen', 'empathise'],
  },
  {
    by: 'F0001',
    customer: 2,
    type: 'inquiry',
    channel: 'walk_in',
    priority: 'normal',
    subject: '新租户办理地库月卡',
    description: '刚租了 8 栋的房子，想办一张地下车库的月卡，需要带什么？',
    category: '停车管理',
    reply: '月卡每月 300 元，携带行驶证和租赁合同到前台办理即可。',
    resolve: '已告知办理材料和费用。',
    close: true,
  },
  {
    by: 'K0004',
    customer: 3,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '老人收不到快递柜取件码',
    description: '我不太会用智能手机，快递柜的取件短信一直收不到，快递取不出来。',
    category: '快递代收',
    reply: '已帮您把快递转到前台代收，您可随时凭身份证领取。',
    resolve: '快递已转前台代收。',
  },
  {
    by: 'K0005',
    customer: 4,
    type: 'complaint',
    channel: 'phone',
    priority: 'urgent',
    subject: 'A-12 商铺门口垃圾两天没人收',
    description: '我店门口的垃圾桶已经满两天了，味道很大，客人都绕着走，生意受影响。',
    category: '环境卫生',
    reply: '已通知保洁主管，30 分钟内清运，稍后回电确认。',
    steps: ['listen', 'empathise', 'confirm'],
    pendingCustomer: true,
  },
  {
    by: 'K0007',
    customer: 0,
    type: 'repair',
    channel: 'phone',
    priority: 'urgent',
    subject: '3 栋 2 号电梯困人',
    description: '3 栋 2 号电梯停在 8 楼和 9 楼之间，里面有一位老人，请马上派人！',
    category: '电梯故障',
    assignTo: 'T0002',
    reply: '维保单位已出发，预计 15 分钟到达，请安抚被困人员不要扒门。',
    resolve: '维保人员 12 分钟到场，已安全救出，电梯停运检修。',
  },
  {
    by: 'K0005',
    customer: 5,
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    subject: '隔壁空调外机半夜嗡嗡响',
    description: '隔壁的空调外机就装在我卧室窗边，半夜嗡嗡响，吵得睡不着，跟邻居说了也没用。',
    category: '噪音扰民',
  },
  {
    by: 'K0006',
    customer: 9,
    type: 'inquiry',
    channel: 'phone',
    priority: 'low',
    subject: '9 栋 601 装修申请材料',
    description: '我家下个月准备装修，想先了解一下要办哪些手续、交多少押金。',
    category: '装修手续',
    reply: '需提交装修申请表、施工图纸和装修公司资质，押金 2000 元。',
    resolve: '已发送装修须知。',
    close: true,
  },
  {
    by: 'K0001',
    customer: 10,
    type: 'order',
    channel: 'phone',
    priority: 'normal',
    subject: '订购桶装水',
    description: '以后每周二上午帮我送两桶 18.9 升的水，放门口就行。',
    category: '桶装水',
  },
  {
    by: 'K0008',
    customer: 5,
    type: 'repair',
    channel: 'phone',
    priority: 'normal',
    subject: '新办门禁卡刷不开单元门',
    description: '上周刚办的门禁卡，刷单元门一直没反应，每次都要等邻居开门。',
    category: '门禁对讲',
    assignTo: 'T0003',
    reply: '胡师傅明天上午上门检查读卡器，如果是卡的问题前台免费更换。',
  },
];

interface EarlierTicket {
  /** Owner (employee no.); null: waiting in the team's queue. */
  owner: string | null;
  team?: string;
  customer: number;
  type: string;
  channel: string;
  priority: string;
  subject: string;
  description: string;
  category: string;
  /** The clock that sets its age: business minutes left on it (negative: past it by that much). */
  clock: { code: string; leftMinutes: number };
  steps?: ComplaintStep[];
}

const EARLIER: EarlierTicket[] = [
  {
    owner: 'T0001',
    customer: 16,
    type: 'repair',
    channel: 'phone',
    priority: 'urgent',
    subject: '地库 B2 消防管道跑水',
    description: '地库 B2 我车位上面的管子在哗哗往下喷水，地上已经积水了，车还停在那里！',
    category: '管道疏通',
    clock: { code: 'DEMO-EMERGENCY-30M', leftMinutes: 18 },
  },
  {
    owner: null,
    team: '维修班组',
    customer: 14,
    type: 'repair',
    channel: 'wechat',
    priority: 'normal',
    subject: '6 栋 2 单元电梯 18 楼按键失灵',
    description: '电梯里 18 楼的按键按了没反应，每次都要坐到 17 楼再走上来。',
    category: '电梯故障',
    clock: { code: 'REPAIR-RESPONSE', leftMinutes: 35 },
  },
  {
    owner: 'K0003',
    customer: 18,
    type: 'inquiry',
    channel: 'phone',
    priority: 'normal',
    subject: '月卡到期当天道闸不抬杆',
    description: '月卡今天到期，晚上回来道闸就不让进了，续费之后多久能恢复？',
    category: '停车管理',
    clock: { code: 'FIRST-RESPONSE', leftMinutes: 45 },
  },
  {
    owner: 'K0002',
    customer: 25,
    type: 'complaint',
    channel: 'phone',
    priority: 'normal',
    subject: '快递驿站私自收取保管费',
    description: '驿站说快递放超过一天要收两块钱保管费，物业之前从来没说过，这合理吗？',
    category: '收费争议',
    clock: { code: 'CALLBACK-4H', leftMinutes: 60 },
    steps: ['listen', 'empathise', 'confirm'],
  },
  {
    owner: 'K0005',
    customer: 21,
    type: 'complaint',
    channel: 'phone',
    priority: 'high',
    subject: '楼上装修周日一早就开始电钻',
    description: '周日早上七点多楼上就开始电钻，孩子被吵醒了，物业规定不是周末不能施工吗？',
    category: '噪音扰民',
    clock: { code: 'FIRST-RESPONSE', leftMinutes: -90 },
    steps: ['listen'],
  },
  {
    owner: 'K0006',
    customer: 9,
    type: 'inquiry',
    channel: 'wechat',
    priority: 'normal',
    subject: '装修押金退还进度查询',
    description: '装修验收两个月前就通过了，押金到现在还没退，想问一下到哪一步了。',
    category: '装修手续',
    clock: { code: 'FIRST-RESPONSE', leftMinutes: -180 },
  },
];

export async function loadDemoTickets(database: Database, _config: Config, now = Date.now()): Promise<void> {
  const staffRows = await database.db.select().from(staff);
  const byNo = new Map(staffRows.map((s) => [s.employeeNo, s]));
  const custRows = await database.db.select().from(customers).where(eq(customers.internal, false)).orderBy(customers.id);
  const cats = await database.db.select().from(categories);
  const supervisorOf = new Map(
    (await database.rows<{ id: string; supervisor_id: string | null }>(sql`SELECT id, supervisor_id FROM teams`)).map((x) => [x.id, x.supervisor_id]),
  );
  const catId = (name: string) => cats.find((x) => x.name === name && x.parentId !== null)?.id ?? null;
  const ctxOf = (no: string): Ctx | null => {
    const s = byNo.get(no);
    return s ? { actor: actorFromRow(s, null), requestId: null, ip: null } : null;
  };
  for (const d of TODAY) {
    const ctx = ctxOf(d.by);
    const c = custRows[d.customer];
    if (!ctx || !c) continue;
    const created = await createTicket(database, ctx, {
      customerId: c.id,
      type: d.type,
      channel: d.channel,
      priority: d.priority,
      subject: d.subject,
      description: d.description,
      categoryId: catId(d.category),
      orderLines: d.type === 'order' ? [{ item: '桶装水', spec: '18.9L', quantity: 2 }] : undefined,
    });
    const id = created.body.id;
    const tech = d.assignTo ? byNo.get(d.assignTo) : undefined;
    if (tech) {
      // The supervisor of the desk that took the call dispatches it to the technician of that trade.
      const sup = staffRows.find((s) => s.id === supervisorOf.get(byNo.get(d.by)?.teamId ?? ''));
      await assignTicket(database, sup ? { ...ctx, actor: actorFromRow(sup, null) } : ctx, id, { ownerId: tech.id, teamId: tech.teamId, reason: '按工种派工' });
    }
    if (d.note) await addReply(database, ctx, id, { body: d.note, visibility: 'internal' });
    if (d.reply) await addReply(database, ctx, id, { body: d.reply, visibility: 'public' });
    for (const step of d.steps ?? [])
      await recordStep(database, ctx, id, { step, evidence: COMPLAINT_EVIDENCE[step]({ subject: d.subject, description: d.description }) });
    if (d.pendingCustomer) await changeTicketStatus(database, ctx, id, { status: 'pending_customer' });
    if (d.resolve) await resolveTicket(database, ctx, id, d.resolve);
    if (d.close) await closeTicket(database, ctx, id);
  }
  await loadEarlierTickets(database, now, { byNo, custRows, catId });
}

/** When a ticket must have come in for `leftMinutes` of business time to be left on a clock of `code` at `now`. */
async function startFor(database: Database, code: string, leftMinutes: number, now: number): Promise<number | null> {
  const [std] = await database.rows<{ def: { limitSeconds?: number | null; calendarId?: string | null; calendarSource?: string } }>(
    sql`SELECT v.definition AS def FROM standards s JOIN standard_versions v ON v.id = s.current_version_id WHERE s.code = ${code}`,
  );
  if (!std?.def.limitSeconds) return null;
  let calendarId = std.def.calendarId ?? null;
  if (std.def.calendarSource === 'ticket') {
    const [a] = await database.rows<{ calendar_id: string }>(sql`SELECT calendar_id FROM calendar_assignments WHERE scope = 'default'`);
    calendarId = a?.calendar_id ?? calendarId;
  }
  const used = std.def.limitSeconds - leftMinutes * 60;
  if (!calendarId) return now - used * 1000;
  const [row] = await database.rows<CalendarRow>(
    sql`SELECT id, version, time_zone AS "timeZone", weekly, holidays, overrides FROM calendars WHERE id = ${calendarId}`,
  );
  if (!row) return null;
  const cal = calendarOf(row);
  // The latest start with `used` business seconds elapsed by now (elapsed time only grows as the start moves back).
  let lo = now - 60 * 86_400_000;
  let hi = now;
  if (cal.elapsedSeconds(lo, now) < used) return null;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (cal.elapsedSeconds(mid, now) >= used) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function loadEarlierTickets(
  database: Database,
  now: number,
  k: { byNo: Map<string, typeof staff.$inferSelect>; custRows: (typeof customers.$inferSelect)[]; catId: (name: string) => string | null },
) {
  const teams = new Map((await database.rows<{ id: string; name: string }>(sql`SELECT id, name FROM teams`)).map((t) => [t.name, t.id]));
  for (const d of EARLIER) {
    const c = k.custRows[d.customer];
    const at = await startFor(database, d.clock.code, d.clock.leftMinutes, now);
    if (!c || at === null) continue;
    const owner = d.owner ? k.byNo.get(d.owner) : undefined;
    const teamId = owner?.teamId ?? (d.team ? (teams.get(d.team) ?? null) : null);
    const ctx: Ctx = owner ? { actor: actorFromRow(owner, null), requestId: null, ip: null } : systemCtx('demo');
    const id = uuidv7(at);
    const number = await ticketsRepo.nextNumber(database.db, orgDay(new Date(at)));
    await database.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, category_id,
          created_by_kind, created_at, updated_at)
        VALUES (${id}, ${number}, ${c.id}, ${d.type}, ${d.channel}, ${d.priority}, 'new', ${d.subject}, ${d.description}, null, ${teamId}, ${k.catId(d.category)},
          'staff', ${new Date(at)}, ${new Date(at)})`);
      let row = (await ticketsRepo.byId(tx, id))!;
      await recordTicketEvent(
        tx,
        ctx,
        await ticketsRepo.snapshot(tx, row),
        'ticket.created',
        { type: d.type, channel: d.channel, priority: d.priority, subject: d.subject },
        new Date(at),
      );
      if (owner) {
        const assignedAt = new Date(at + 60_000);
        await tx.execute(sql`UPDATE tickets SET owner_id = ${owner.id}, status = 'assigned', updated_at = ${assignedAt} WHERE id = ${id}`);
        row = (await ticketsRepo.byId(tx, id))!;
        await recordTicketEvent(
          tx,
          ctx,
          await ticketsRepo.snapshot(tx, row, 'new'),
          'ticket.assigned',
          { ownerId: owner.id, teamId, previousOwnerId: null },
          assignedAt,
        );
      }
      if (d.steps?.length) {
        const cs = await loopsRepo.ensureComplaintCase(tx, uuidv7(), id);
        const snap = await ticketsRepo.snapshot(tx, row);
        for (const [i, step] of d.steps.entries()) {
          const when = new Date(Math.min(at + (2 + i * 3) * 60_000, now - 60_000));
          const evidence = COMPLAINT_EVIDENCE[step]({ subject: d.subject, description: d.description });
          await tx.execute(sql`INSERT INTO complaint_steps (case_id, step, evidence, data, recorded_by, recorded_at)
            VALUES (${cs.id}, ${step}, ${evidence}, '{}'::jsonb, ${owner?.id ?? null}, ${when}) ON CONFLICT DO NOTHING`);
          await recordTicketEvent(tx, ctx, snap, STEP_EVENT[step], { caseId: cs.id, step, evidence, corrected: false }, when);
        }
      }
    });
  }
}
