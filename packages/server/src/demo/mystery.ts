/**
 * Mystery-shopper demo (神秘顾客): three zh-CN scenario scripts from the seeds' telephone, reception and online-chat
 * norms (seed 000 / 001) on the shipped scorecards — 电话咨询物业费, 前台办理停车卡 (at 翠湖苑), 在线报修. No visits are
 * planned: the QA lead plans the month (the journey does it).
 */
import { eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { fieldSites, qaMysteryScripts, qaScorecards } from '../db/schema';
import { systemCtx } from '../lib/context';
import { createScript } from '../modules/mystery/mystery.commands';
import { adoptTemplate } from '../modules/quality/quality.commands';

export async function loadDemoMystery(database: Database): Promise<void> {
  if ((await database.db.select({ id: qaMysteryScripts.id }).from(qaMysteryScripts).limit(1)).length) return;
  const ctx = systemCtx('demo');
  const cards = new Map(
    (
      await database.db
        .select({ id: qaScorecards.id, key: qaScorecards.templateKey })
        .from(qaScorecards)
        .where(inArray(qaScorecards.templateKey, ['phone', 'counter', 'chat']))
    ).map((c) => [c.key, c.id]),
  );
  for (const key of ['phone', 'counter', 'chat']) if (!cards.has(key)) cards.set(key, (await adoptTemplate(database, ctx, key)).id);
  const [estate] = await database.db.select({ id: fieldSites.id }).from(fieldSites).where(eq(fieldSites.name, '翠湖苑'));
  await createScript(database, ctx, {
    title: '电话咨询物业费',
    channel: 'phone',
    story: '我是 5 栋 2 单元的新业主，刚收到物业费通知单，想问清楚收费标准（每平方米多少钱、公摊怎么算）、能不能按季度交，以及怎么开电子发票。',
    steps: [
      '拨打客服热线，记录接通前等待时长',
      '说明身份和来意，询问物业费收费标准',
      '追问公摊面积如何计费',
      '询问能否按季度缴纳',
      '询问如何开具电子发票',
      '表示还要考虑，观察结束语',
    ],
    scorecardId: cards.get('phone')!,
    evidence: ['audio'],
  });
  await createScript(database, ctx, {
    title: '前台办理停车卡',
    siteId: estate?.id ?? null,
    channel: 'walk_in',
    story: '新入住业主带着行驶证到物业服务中心前台，想办理地下车库月租停车卡，顺便问一下访客车辆怎么登记。',
    steps: [
      '进门后计时，观察 10 秒内是否有人问候',
      '说明来意：办理月租停车卡',
      '询问所需材料和费用',
      '询问访客车辆登记方式',
      '离开时观察是否送别',
      '拍摄前台环境照片',
    ],
    scorecardId: cards.get('counter')!,
    evidence: ['photo'],
  });
  await createScript(database, ctx, {
    title: '在线报修',
    channel: 'chat',
    story: '业主在小程序在线客服报修：卫生间地漏返臭、洗手池下水慢，希望明天晚上下班后上门。',
    steps: ['发起在线咨询，记录首次响应时间', '描述地漏返臭和下水慢两个问题', '要求明天 19 点后上门', '询问维修是否收费', '结束会话前观察结束语'],
    scorecardId: cards.get('chat')!,
    evidence: ['screenshot'],
  });
}
