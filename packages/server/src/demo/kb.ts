import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client';
import { kbCategories, kbCategoryExperts, kbContributions, kbItems, kbReviews, kbVersions, kbVocabulary, settings, staff } from '../db/schema';
import { uuidv7 } from '../lib/ids';

/** Demo knowledge base of 申城物业: categories with experts, articles, FAQ, 话术 scripts, emergency procedures, cases. */

const TREE: { name: string; experts: string[]; children?: { name: string; experts: string[] }[] }[] = [
  {
    name: '报修与应急',
    experts: ['S0004'],
    children: [
      { name: '水电维修', experts: ['S0004'] },
      { name: '应急处置', experts: ['S0001', 'S0004'] },
      { name: '电梯', experts: ['S0004'] },
    ],
  },
  { name: '收费与票据', experts: ['S0002'] },
  { name: '门禁与停车', experts: ['S0001'] },
  {
    name: '社区生活',
    experts: ['S0002'],
    children: [
      { name: '快递代收', experts: ['S0002'] },
      { name: '装修管理', experts: ['S0002'] },
    ],
  },
  { name: '服务规范与话术', experts: ['P0001', 'S0003'] },
  { name: '案例库', experts: ['Q0001'] },
];

interface DemoItem {
  kind: 'article' | 'faq' | 'script' | 'procedure' | 'case';
  title: string;
  category: string;
  audience: 'internal' | 'customer';
  body: string;
  variants?: string[];
  tags: string[];
  scenario?: string;
  author: string;
  reviewer: string;
  status?: 'published' | 'in_review' | 'needs_update' | 'draft';
  reason?: string;
}

const ITEMS: DemoItem[] = [
  {
    kind: 'procedure',
    title: '楼上漏水（天花板滴水）应急处理流程',
    category: '应急处置',
    audience: 'internal',
    scenario: '漏水报修',
    tags: ['漏水', '天花板滴水', '应急'],
    author: 'S0004',
    reviewer: 'S0001',
    variants: ['楼上漏水怎么处理', '天花板一直滴水'],
    body: '<h2>适用场景</h2><p>业主反映楼上漏水、天花板滴水、墙面渗水。</p><h2>处置步骤</h2><ol><li><strong>5 分钟内</strong>受理并派单给维修班组，工单优先级设为“高”；涉及电器进水的设为“紧急”。</li><li>电话提醒业主：切断漏水区域电源，移开贵重物品和电器，用盆或毛巾接水。</li><li>维修技师 <strong>30 分钟内</strong>到场，先到楼上住户关闭进水总阀；楼上无人时联系楼栋管家，必要时关闭单元供水阀。</li><li>排查漏点（卫生间防水、暖气管、给排水管），拍照记录，出具漏水原因说明。</li><li>协调楼上楼下业主就维修和损失达成一致，物业可提供调解；公共管道原因由物业负责维修。</li><li>完工后 24 小时内回访楼下业主，确认已不再滴水。</li></ol><p>注意：不得承诺赔偿金额；超过补偿权限的报主管审批。</p>',
  },
  {
    kind: 'script',
    title: '漏水报修安抚与上门预约话术',
    category: '应急处置',
    audience: 'internal',
    scenario: '漏水报修',
    tags: ['漏水', '话术', '安抚'],
    author: 'P0001',
    reviewer: 'S0001',
    body: '{客户称呼}您好，我是申城物业客服{客服姓名}。非常理解您现在着急的心情，家里漏水确实很影响生活，给您添麻烦了。您的报修已登记，工单号是{工单号}，我们已经安排维修师傅尽快上门，预计{预计时间}前到达。在师傅到达之前，请您先切断漏水区域的电源，把贵重物品和电器移开。我们也会马上联系楼上住户一起排查，有任何进展我会第一时间告诉您。',
  },
  {
    kind: 'faq',
    title: '楼上漏水到我家怎么办？',
    category: '水电维修',
    audience: 'customer',
    tags: ['漏水', '报修'],
    author: 'K0001',
    reviewer: 'S0004',
    variants: ['天花板滴水找谁', '楼上渗水到我家', '卫生间顶上漏水'],
    body: '<p>请先<strong>切断漏水区域的电源</strong>，移开贵重物品，然后拨打物业 24 小时报修热线或在“申城物业”APP 提交报修。维修师傅会在 30 分钟内到场，联系楼上住户关闭进水阀并查找漏点。</p><p>因楼上原因造成的损失，由双方协商处理，物业可以协助调解。</p>',
  },
  {
    kind: 'procedure',
    title: '阳台、厨房地漏反水（返水）处理流程',
    category: '水电维修',
    audience: 'internal',
    scenario: '排水疏通',
    tags: ['地漏', '反水', '下水道堵塞', '疏通'],
    author: 'S0004',
    reviewer: 'S0001',
    variants: ['阳台地漏往外冒水', '洗衣机排水时地漏反水', '楼上排水从我家地漏冒出来'],
    body: '<h2>适用场景</h2><p>业主反映阳台或厨房地漏反水、冒污水，洗衣机排水时更明显，或楼上住户用水时从本户地漏返水。</p><h2>处置步骤</h2><ol><li>受理后提醒业主暂停使用洗衣机和阳台水池，移开地漏附近的物品，必要时用毛巾围住地漏。</li><li>派单给维修班组，<strong>2 小时内</strong>上门；多户同时反水或污水漫到室内的，按“紧急”处理并通知楼栋管家。</li><li>技师先判断堵点：仅本户反水多为户内支管堵塞，按次疏通收费（50 元，按公示价目）；同一立管上多户反水为公共排水立管堵塞，由物业免费疏通。</li><li>疏通后放水试验 10 分钟，确认不再反水，拍照记录；公共立管堵塞的，张贴告示提醒住户勿向下水倒入油污、猫砂和装修垃圾。</li><li>24 小时内回访业主，确认排水正常；造成地面、家具受损的，按楼上漏水流程协商处理。</li></ol>',
  },
  {
    kind: 'faq',
    title: '阳台地漏反水、往外冒水怎么办？',
    category: '水电维修',
    audience: 'customer',
    tags: ['地漏', '反水', '报修'],
    author: 'K0002',
    reviewer: 'S0004',
    variants: ['地漏冒水', '洗衣机一排水地漏就反水', '下水道返水'],
    body: '<p>请先暂停使用洗衣机和阳台水池，移开地漏旁的物品，然后在“申城物业”APP 或拨打 24 小时报修热线报修，维修师傅会在 2 小时内上门疏通。</p><p>如果是整栋楼共用的排水立管堵塞，物业免费疏通；仅您家户内管道堵塞的，按公示价目收费。</p>',
  },
  {
    kind: 'procedure',
    title: '家中水管爆裂应急处理',
    category: '应急处置',
    audience: 'customer',
    tags: ['水管', '爆管', '应急'],
    author: 'S0004',
    reviewer: 'S0001',
    variants: ['水管爆了怎么办', '家里水管破裂喷水'],
    body: '<ol><li>立即关闭户内进水总阀（一般在厨房或卫生间水表旁）。</li><li>切断附近电器电源，防止触电。</li><li>拨打物业报修热线，维修师傅 30 分钟内到场。</li><li>如水已流到楼下，请告知物业，我们会通知楼下住户。</li></ol><p>户内管道维修按公示价目收费，公共管道免费维修。</p>',
  },
  {
    kind: 'procedure',
    title: '电梯困人应急救援流程',
    category: '电梯',
    audience: 'internal',
    scenario: '电梯困人',
    tags: ['电梯困人', '应急'],
    author: 'S0004',
    reviewer: 'S0001',
    body: '<ol><li>接警后 <strong>1 分钟内</strong>通过轿厢对讲安抚被困人员：不要扒门、不要跳动。</li><li>同时通知电梯维保单位（30 分钟内到场）和当班主管。</li><li>秩序维护员 5 分钟内到达电梯所在楼层，持续与被困人员通话。</li><li>救出后询问身体状况，必要时拨打 120；电梯停运检修并张贴告示。</li><li>事后 4 小时内提交事件报告，24 小时内回访被困人员。</li></ol>',
  },
  {
    kind: 'script',
    title: '电梯困人安抚话术',
    category: '电梯',
    audience: 'internal',
    scenario: '电梯困人',
    tags: ['电梯困人', '话术'],
    author: 'P0001',
    reviewer: 'S0003',
    body: '{客户称呼}您好，我是物业值班人员，我们已经知道您被困在电梯里了，请您不要着急。电梯有安全保护装置，轿厢里空气是流通的，请您不要扒门，也不要在轿厢里跳动。维保人员已经出发，预计{预计时间}前到达，我会一直在对讲这边陪着您。',
  },
  {
    kind: 'faq',
    title: '物业费怎么交？可以线上缴纳吗？',
    category: '收费与票据',
    audience: 'customer',
    tags: ['物业费', '缴费'],
    author: 'K0006',
    reviewer: 'S0002',
    variants: ['物业费能用微信付吗', '在哪里交管理费'],
    body: '<p>可以。物业费可通过“申城物业”APP、微信公众号在线缴纳，也可以到物业服务中心前台刷卡或扫码支付。支持按季度、半年或全年缴纳，全年一次性缴纳享 95 折。</p>',
  },
  {
    kind: 'faq',
    title: '交了物业费怎么开发票？',
    category: '收费与票据',
    audience: 'customer',
    tags: ['发票', '物业费', '电子发票'],
    author: 'K0006',
    reviewer: 'S0002',
    variants: ['物业费电子发票', '发票抬头开错了能重开吗'],
    body: '<p>在线缴费后，在 APP“缴费记录”中申请电子普通发票，填写抬头和税号，3 个工作日内发送到您的邮箱。需要增值税专用发票的，请携带营业执照复印件到前台申请。发票信息有误的，30 天内可申请红冲重开。</p>',
  },
  {
    kind: 'script',
    title: '物业费催缴话术（温和提醒）',
    category: '收费与票据',
    audience: 'internal',
    scenario: '物业费催缴',
    tags: ['物业费', '催缴', '话术'],
    author: 'K0006',
    reviewer: 'S0002',
    body: '{客户称呼}您好，我是申城物业客服{客服姓名}。打扰您一分钟，温馨提醒您家本年度的物业费还没有缴纳，您可以在“申城物业”APP 或公众号直接在线缴费，非常方便。如果您对账单有任何疑问，稍等，我帮您确认明细；如有困难，我们也可以为您申请分期。感谢您对我们工作的支持！',
  },
  {
    kind: 'faq',
    title: '门禁卡丢了怎么补办？',
    category: '门禁与停车',
    audience: 'customer',
    tags: ['门禁卡', '挂失', '补办'],
    author: 'F0001',
    reviewer: 'S0001',
    variants: ['门卡丢了', '门禁卡遗失'],
    body: '<p>请尽快联系物业挂失，防止他人冒用。补办需业主本人携带身份证到服务中心前台办理，工本费 20 元，新卡当场激活，原卡同时失效。</p>',
  },
  {
    kind: 'faq',
    title: '停车月卡怎么办理和续费？',
    category: '门禁与停车',
    audience: 'customer',
    tags: ['停车', '月卡', '续费'],
    author: 'F0001',
    reviewer: 'S0001',
    variants: ['地下车库月租多少钱', '月卡到期怎么续'],
    body: '<p>地下车库月租车位每月 300 元。新办理请携带行驶证和身份证（租户另需租赁合同）到前台；续费可在 APP“车辆服务”中直接办理，到期前 7 天会推送提醒。</p>',
  },
  {
    kind: 'faq',
    title: '快递可以放在物业代收吗？',
    category: '快递代收',
    audience: 'customer',
    tags: ['快递', '代收'],
    author: 'K0004',
    reviewer: 'S0002',
    variants: ['物业能帮忙收快递吗', '快递放前台了去哪拿'],
    body: '<p>可以。物业服务中心提供免费快递代收，到件后短信通知，凭取件码或身份证在前台领取，免费保管 7 天。生鲜和贵重物品建议本人签收。</p>',
  },
  {
    kind: 'article',
    title: '装修申请与押金退还',
    category: '装修管理',
    audience: 'customer',
    tags: ['装修', '装修押金'],
    author: 'K0005',
    reviewer: 'S0002',
    variants: ['装修要办什么手续', '装修押金什么时候退'],
    body: '<h2>申请</h2><p>装修前到服务中心办理备案：装修申请表、施工图纸、装修公司资质和施工人员名单，缴纳装修押金 2000 元。</p><h2>施工时间</h2><p>工作日 8:00–12:00、14:00–18:00；周末和法定节假日禁止电钻、切割等噪音施工。</p><h2>押金退还</h2><p>完工后申请验收，验收合格后 15 个工作日内退还押金。</p>',
  },
  {
    kind: 'script',
    title: '噪音扰民投诉受理话术',
    category: '服务规范与话术',
    audience: 'internal',
    scenario: '投诉受理',
    tags: ['噪音', '投诉', '话术'],
    author: 'K0002',
    reviewer: 'P0001',
    body: '{客户称呼}您好，非常理解您被噪音打扰休息的感受，这确实很让人烦心。我已经为您登记（工单号{工单号}），今晚值班人员会上门提醒相关住户。我们不会透露您的信息，处理结果明天上午之前给您回电。',
  },
  {
    kind: 'script',
    title: '投诉安抚与致歉标准话术',
    category: '服务规范与话术',
    audience: 'internal',
    scenario: '投诉受理',
    tags: ['投诉', '安抚', '致歉'],
    author: 'P0001',
    reviewer: 'S0003',
    body: '{客户称呼}您好，首先真诚地向您道歉，这次给您带来了不好的体验。您反映的情况我已经详细记录（工单号{工单号}），稍等，我帮您确认一下处理进度。我会亲自跟进，预计{预计时间}前给您明确答复，请您放心。',
  },
  {
    kind: 'script',
    title: '维修完工回访话术',
    category: '服务规范与话术',
    audience: 'internal',
    scenario: '回访',
    tags: ['回访', '话术', '满意度'],
    author: 'P0001',
    reviewer: 'S0003',
    body: '{客户称呼}您好，我是申城物业客服{客服姓名}，打扰您一分钟。关于您报修的问题（工单号{工单号}），{技师姓名}师傅已经上门处理，想跟您确认一下现在是否已经修好？您对这次服务还满意吗？如果还有任何问题，随时联系我们。',
  },
  {
    kind: 'article',
    title: '首问负责制',
    category: '服务规范与话术',
    audience: 'internal',
    tags: ['首问负责制', '服务规范'],
    author: 'P0001',
    reviewer: 'S0003',
    body: '<p>首位接待客户的员工是首问责任人，对客户的问题负责到底：能当场解答的当场解答；不能解答的，登记后转交负责部门，跟进进度并向客户反馈结果，<strong>不得推诿</strong>。</p>',
  },
  {
    kind: 'article',
    title: '服务禁语与替代说法',
    category: '服务规范与话术',
    audience: 'internal',
    tags: ['服务禁语', '话术'],
    author: 'P0001',
    reviewer: 'S0003',
    body: '<table><thead><tr><th>避免</th><th>改用</th></tr></thead><tbody><tr><td>不行 / 不能</td><td>稍等，我帮您确认一下</td></tr><tr><td>不知道</td><td>我马上为您联系负责的同事</td></tr><tr><td>这不归我管</td><td>这个问题我来帮您跟进</td></tr></tbody></table><p>确实无法满足的，说明原因并提供替代方案。</p>',
  },
  {
    kind: 'case',
    title: '案例：楼上卫生间防水失效引发的漏水纠纷',
    category: '案例库',
    audience: 'internal',
    tags: ['案例', '漏水', '邻里纠纷'],
    author: 'Q0001',
    reviewer: 'P0001',
    body: '<p>5 栋 502 业主反映卫生间天花板多次滴水，楼上 602 业主不认可是自家原因。维修班组做闭水试验确认 602 卫生间防水层老化，物业出具书面说明，组织双方协商：602 重做防水并承担 502 吊顶修复费用，纠纷当周解决。</p><p><strong>经验</strong>：先取证（照片、闭水试验）再调解，避免物业在未查明原因前表态。</p>',
  },
  {
    kind: 'faq',
    title: '电梯多久保养一次？',
    category: '电梯',
    audience: 'customer',
    tags: ['电梯', '维保'],
    author: 'K0003',
    reviewer: 'S0004',
    status: 'needs_update',
    reason: '维保单位更换，周期待确认',
    body: '<p>电梯每半月进行一次例行维保，维保期间在电梯厅张贴通知，单台停运一般不超过 2 小时。</p>',
  },
  {
    kind: 'faq',
    title: '小区垃圾分类投放时间',
    category: '社区生活',
    audience: 'customer',
    tags: ['垃圾分类'],
    author: 'K0002',
    reviewer: 'S0002',
    status: 'in_review',
    body: '<p>湿垃圾每天 7:00–9:00、18:00–20:00 在楼栋投放点投放；干垃圾、可回收物和有害垃圾可在全天开放的垃圾房投放。大件垃圾请在 APP 预约。</p>',
  },
];

/** Vocabulary an admin of 申城物业 added in 词典与同义词 (on top of the built-in lists). */
const VOCABULARY: { kind: 'word' | 'synonyms' | 'rule'; term: string; expansions: string[] }[] = [
  { kind: 'word', term: '二次供水', expansions: [] },
  { kind: 'synonyms', term: '水箱', expansions: ['水箱', '蓄水池', '二次供水'] },
  { kind: 'rule', term: '没热水', expansions: ['热水器', '故障'] },
  { kind: 'rule', term: '水黄', expansions: ['水质', '水箱'] },
];

function addDays(n: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Idempotent: a settings marker guards the load. Called by loadDemo after the staff exist. */
export async function loadDemoKb(database: Database): Promise<boolean> {
  return database.transaction(async (tx) => {
    const marked = await tx
      .insert(settings)
      .values({ key: 'demo.kb', value: { at: new Date().toISOString() } })
      .onConflictDoNothing()
      .returning();
    if (marked.length === 0) return false;
    const staffRows = await tx.select({ id: staff.id, no: staff.employeeNo }).from(staff);
    const byNo = new Map(staffRows.map((s) => [s.no, s.id]));
    const catIds = new Map<string, string>();
    const addCat = async (tx2: Tx, name: string, parentId: string | null, position: number, experts: string[]) => {
      const id = uuidv7();
      await tx2.insert(kbCategories).values({ id, name, parentId, position });
      const ids = experts.map((e) => byNo.get(e)).filter((x): x is string => !!x);
      if (ids.length) await tx2.insert(kbCategoryExperts).values(ids.map((staffId) => ({ categoryId: id, staffId })));
      catIds.set(name, id);
      return id;
    };
    for (const [i, c] of TREE.entries()) {
      const pid = await addCat(tx, c.name, null, i, c.experts);
      for (const [j, ch] of (c.children ?? []).entries()) await addCat(tx, ch.name, pid, j, ch.experts);
    }
    for (const it of ITEMS) {
      const id = uuidv7();
      const authorId = byNo.get(it.author) ?? null;
      const reviewerId = byNo.get(it.reviewer) ?? null;
      const status = it.status ?? 'published';
      const published = status === 'published' || status === 'needs_update';
      const categoryId = catIds.get(it.category)!;
      await tx.insert(kbItems).values({
        id,
        kind: it.kind,
        title: it.title,
        body: it.body,
        variants: it.variants ?? [],
        categoryId,
        tags: it.tags,
        scenario: it.scenario ?? null,
        audience: it.audience,
        status,
        statusReason: it.reason ?? null,
        ownerId: authorId,
        authorId,
        reviewDueOn: published ? addDays(150) : null,
        version: 1,
        publishedVersion: published ? 1 : null,
        publishedAt: published ? new Date() : null,
      });
      await tx.insert(kbVersions).values({
        id: uuidv7(),
        itemId: id,
        version: 1,
        kind: it.kind,
        title: it.title,
        body: it.body,
        variants: it.variants ?? [],
        tags: it.tags,
        categoryId,
        scenario: it.scenario ?? null,
        audience: it.audience,
        authorId,
      });
      if (published && reviewerId && authorId) {
        await tx.insert(kbReviews).values({ id: uuidv7(), itemId: id, version: 1, reviewerId, decision: 'approve', comment: '内容准确，同意发布' });
        await tx.insert(kbContributions).values({ staffId: authorId, itemId: id, version: 1, kind: 'created' });
      }
    }
    const admin = byNo.get('A0001') ?? null;
    for (const v of VOCABULARY)
      await tx
        .insert(kbVocabulary)
        .values({ id: uuidv7(), ...v, createdBy: admin })
        .onConflictDoNothing();
    return true;
  });
}

/** Which knowledge the demo agents used on which kind of request (subject keyword → item titles). */
const USED_FOR: [RegExp, string[]][] = [
  [/漏水/, ['漏水报修安抚与上门预约话术', '楼上漏水（天花板滴水）应急处理流程']],
  [/物业费缴费|物业费/, ['物业费怎么交？可以线上缴纳吗？']],
  [/车位月卡/, ['停车月卡怎么办理和续费？']],
  [/快递/, ['快递可以放在物业代收吗？']],
  [/装修/, ['装修申请与押金退还']],
  [/门禁卡/, ['门禁卡丢了怎么补办？']],
  [/噪音/, ['噪音扰民投诉受理话术']],
  [/迟到|态度/, ['投诉安抚与致歉标准话术']],
  [/漏水|楼道灯|空调|电梯异响/, ['维修完工回访话术']],
];

/**
 * Demo history of knowledge use (kb_usage), so the knowledge application rate is a realistic figure: on about half
 * of the resolved requests whose subject has matching knowledge, the owner used it (inserted the script or
 * opened the article) shortly before resolving; a few marks say 没帮助. Deterministic (hash of the ticket id), once
 * (settings `demo.kb_usage`). Runs after the demo history of loadDemoMeasures.
 */
export async function loadDemoKbUsage(database: Database): Promise<number> {
  const [marked] = await database.rows<{ key: string }>(
    sql`INSERT INTO settings (key, value) VALUES ('demo.kb_usage', ${JSON.stringify({ at: new Date().toISOString() })}::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
  );
  if (!marked) return 0;
  const items = await database.rows<{ id: string; title: string }>(sql`SELECT id, title FROM kb_items WHERE status IN ('published', 'needs_update')`);
  const byTitle = new Map(items.map((i) => [i.title, i.id]));
  const resolved = await database.rows<{ id: string; subject: string; owner_id: string | null; resolved_at: string }>(
    sql`SELECT id, subject, owner_id, resolved_at FROM tickets WHERE resolved_at IS NOT NULL AND merged_into_id IS NULL ORDER BY id`,
  );
  const hash = (s: string) => [...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const rows: { ticketId: string; itemId: string; kind: string; staffId: string | null; at: string }[] = [];
  for (const t of resolved) {
    const titles = [...new Set(USED_FOR.filter(([re]) => re.test(t.subject)).flatMap(([, list]) => list))];
    const ids = titles.map((x) => byTitle.get(x)).filter((x): x is string => !!x);
    if (ids.length === 0) continue;
    const h = hash(t.id);
    const at = new Date(new Date(t.resolved_at).getTime() - (10 + (h % 50)) * 60_000).toISOString();
    if (h % 100 < 48) {
      for (const [i, itemId] of ids.entries()) if (i === 0 || (h >> 3) % 2 === 0) rows.push({ ticketId: t.id, itemId, kind: 'used', staffId: t.owner_id, at });
    } else if (h % 100 < 54) rows.push({ ticketId: t.id, itemId: ids[0]!, kind: 'not_helpful', staffId: t.owner_id, at });
  }
  if (rows.length === 0) return 0;
  await database.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      await tx.execute(
        sql`INSERT INTO kb_usage (ticket_id, item_id, kind, staff_id, at) VALUES ${sql.join(
          chunk.map((r) => sql`(${r.ticketId}::uuid, ${r.itemId}::uuid, ${r.kind}, ${r.staffId}::uuid, ${r.at}::timestamptz)`),
          sql`, `,
        )} ON CONFLICT DO NOTHING`,
      );
    }
    await tx.execute(sql`UPDATE kb_items i SET used_count = u.used, not_helpful_count = u.nh
      FROM (SELECT item_id, count(*) FILTER (WHERE kind = 'used')::int AS used, count(*) FILTER (WHERE kind = 'not_helpful')::int AS nh FROM kb_usage GROUP BY item_id) u
      WHERE u.item_id = i.id`);
  });
  return rows.length;
}
