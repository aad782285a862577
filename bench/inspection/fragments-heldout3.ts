/**
 * heldout3 — a third held-out pool of Chinese staff-reply fragments for the inspection labelled set (issue #15 item 2).
 *
 * How it was written: BLIND, by the helper engineer on branch h-heldout3 on 2026-12-06, without reading the rule
 * engine or the shipped rules (packages/core/src/inspection/), any migration that seeds rules, docs/quality.md beyond
 * its first 33 lines, the other pools (fragments-dev2.ts, fragments-heldout2.ts, fragments.ts beyond its types) or
 * bench/inspection/data/, and without running the benchmark or the rules on these fragments. Labels are what a careful
 * human QA inspector (质检员) would mark, from the service standards in /work/shared/seeds/ and this description of
 * the rules (the only rule text read):
 *   forbidden.dont_know  — says they don't know / aren't clear instead of finding out (推诿式的“不知道/不清楚”)
 *   forbidden.not_my_job — disclaims responsibility, pushes the customer elsewhere (“不归我管”-style)
 *   forbidden.cannot     — flat refusal without an alternative (“不能/不行/办不了/没办法”-style)
 *   forbidden.blame      — blaming or reproaching the customer (“你自己…/早就告诉过你…”-style)
 *   forbidden.rude       — rude, impatient, contemptuous or threatening wording
 *   required.opening     — the first public reply opens with a greeting / self-introduction
 *   required.closing     — the last public reply closes politely (thanks, further help offer, wishes)
 *   empathy.complaint    — the first reply to a complaint shows apology or empathy
 *   pii.phone            — an unmasked mainland mobile number sent to a customer (masked / 400 / 95xxx are fine)
 *   pii.id_card          — an unmasked 18-digit ID-card number sent to a customer
 *   promise.no_time      — a vague promise (尽快/马上/稍后/回头…) with no concrete time in the same sentence
 *
 * Domains: property management, banking, retail / e-commerce, telecom, after-sales repair, restaurants and government
 * service windows. Bodies, hard negatives and closings carry no apology words (so a complaint reply without an empathy
 * sentence really lacks one), no greetings, and no vague promise; each violation fragment breaks exactly one rule, and
 * its `span` is the evidence a QA inspector would highlight. Phone-ticket bodies are internal phone logs (notes).
 * The ID-card numbers are made up (valid check digits); the mobile numbers are made up.
 */
import type { Pool } from './fragments';

export const heldout3: Pool = {
  openings: [
    '您好，这里是幸福里小区物业客服中心，我是管家小周。',
    '早上好，我是城东支行的客户经理刘婷。',
    '下午好，感谢您联系优选商城，我是客服阿杰。',
    '晚上好，王先生，我是营业厅的值班客服。',
    '李女士您好，我是家电售后服务中心的陈工。',
    '您好！欢迎光临老味道餐厅线上客服，很高兴为您服务。',
    '您好，这里是区政务服务中心综合受理窗口，我是工作人员小赵。',
    '尊敬的客户，您好！我是宽带客服1024号。',
    '张阿姨好，我是咱们小区3号楼的楼栋管家小林。',
    '亲，您好呀，我是店铺客服小美～',
  ],
  bodies: {
    phone: [
      '客户来电询问本月物业费账单明细，已按缴费记录逐项说明，客户表示清楚。',
      '业主来电反映地下车库B2层照明不亮，已派单给工程部，约定今天18点前修复。',
      '客户来电挂失借记卡，已核实身份并办理临时挂失，提醒其7日内持身份证到网点办理正式挂失。',
      '客户来电称网购的电饭煲收到时外箱破损，已登记订单号并发起换货申请。',
      '用户来电反映家中宽带晚上频繁掉线，远程测试光衰正常，已预约明天上午10点装维上门。',
      '客户来电预订周六晚上6点的8人包间，已登记并发送预订确认短信。',
      '市民来电咨询居住证办理所需材料，已逐项告知，并提示可在线上预约窗口号。',
      '客户来电催问空调维修进度，查询配件已到站点，师傅今天下午3点上门。',
      '客户来电要求修改收货地址，已在系统中更新，客户复核无误。',
      '客户来电咨询定期存款提前支取的利息计算，已按活期利率说明并告知所需证件。',
    ],
    chat: [
      '您的订单已经在今天上午11点发出，物流单号可以在“我的订单”里查看。',
      '信用卡的账单日是每月5日，还款日是每月23日，在还款日前全额还清就不会产生利息。',
      '这款套餐每月59元，包含30GB通用流量和200分钟国内通话。',
      '门禁卡补办需要带上身份证到物业服务中心一楼前台，工本费20元。',
      '我这边看到您的退款已经原路退回，一般1到3个工作日到账。',
      '您预约的是本周四下午2点的号，请提前10分钟到3号窗口取号。',
      '菜品的辣度可以选微辣、中辣和特辣，下单时在备注里写上就行。',
      '您的洗衣机保修期到明年3月，这次维修不收取费用。',
      '修改绑定手机号可以在App的“我的-安全设置”里操作，需要验证原手机号的短信。',
    ],
    email: [
      '关于您12月2日来信反映的电梯频繁停运问题，我们已联系维保单位全面检修，并更换了曳引机的制动部件。',
      '经核查，您账户11月28日的一笔扣款为信用卡年费，根据您的用卡情况，我们已为您提交减免申请。',
      '您反馈的商品质量问题已经登记，附件中是退货地址和填写说明，请按说明寄回。',
      '随信附上您申请的话费详单（10月1日至10月31日），如需加盖公章的纸质版，可到任一营业厅打印。',
      '您咨询的不动产登记材料清单已整理在附件中，请对照准备，原件和复印件各一份。',
      '您的维修单号为WX20261203015，维修结果和更换的零件清单见附件。',
      '关于您提到的宴会定制菜单，厨师长拟了两套方案，人均分别为168元和228元，供您选择。',
      '您的开户申请材料齐全，账户已于12月4日开通，网银登录方式见附件说明。',
    ],
    complaint: [
      '针对您反映的保洁人员未按时清理楼道的问题，我们已对当班人员进行了批评教育，并调整为每天上午和下午各清扫一次。',
      '您投诉的重复扣款已经核实，多扣的86元已于今天退回到您的原支付账户。',
      '关于配送员的服务态度问题，我们已调取了通话录音，并按规定对其进行了处理。',
      '您反映的营业员未经同意开通增值业务一事，我们已为您退订该业务，并全额退还已扣的45元。',
      '关于上次维修后故障复发，我们安排技术主管明天上午9点带队上门重新检测，本次不收取任何费用。',
      '您提到的菜品上错和等位时间过长的问题，门店已经开会整改，这一单我们为您全额免单。',
      '您反映的窗口工作人员中途离岗的情况，中心已查实并通报批评，同时增加了午间值守人员。',
      '关于您的车位被长期占用的问题，我们已在车位上加装地锁，钥匙放在物业前台供您领取。',
      '您投诉的理财产品风险提示不充分一事，我们已调取当时的双录视频，复核结果会在12月12日前书面答复您。',
    ],
    repair: [
      '您报修的厨房水龙头漏水，王师傅已接单，预计今天下午4点前上门。',
      '燃气灶打不着火的问题，师傅检查后确认是点火针老化，更换后已恢复正常。',
      '您家的空调外机需要加氟，费用150元，师傅上门时会出示收费标准。',
      '您报修的楼道声控灯已经换了新灯泡，请您晚上留意一下是否正常亮起。',
      '电视机主板需要从厂家调货，预计12月10日到货，到货当天会电话跟您约上门时间。',
      '光猫已更换为新设备，测速下行达到了500M，您可以重启路由器后再试一下。',
      '热水器维修已完成，本次更换了温控器，配件在保修期内免费。',
      '卫生间渗漏需要打开地面检测，我们先安排师傅12月8日上午上门查看范围，再出具维修方案。',
      '自助机吞卡的情况已经登记，卡片明天下午2点后可以在网点柜台领取，请带上身份证。',
    ],
  },
  hardNegatives: [
    '年终感恩回馈活动千万不能错过，截止到本月31日。',
    '单笔转账金额不能超过5万元，超出的部分可以分两笔办理。',
    '能否麻烦您提供一下订单截图？',
    '不知道您是否方便明天上午接听我们的回访电话？',
    '客户在电话里说“我不知道密码被谁改了”，已引导其通过人脸识别重置。',
    '业主原话是“这事不归你们管归谁管”，已如实记录并转项目经理。',
    '客户表示“你们就是办不了事”，情绪较激动，已转值班主管。',
    '如果收到自称客服的短信，请不要马上点击里面的链接。',
    '马上就到春节了，网点的营业时间会有调整，请留意门口的公告。',
    '我们会尽快处理，最迟今天下午5点前给您答复。',
    '师傅稍后到，大约15分钟后敲门。',
    '回头客凭小票可以享受九折优惠。',
    '如有疑问可以拨打客服热线400-820-1234咨询。',
    '银行的官方客服电话是95588，请认准官方号码。',
    '您的手机号138****5621已经绑定成功。',
    '登记的身份证号为3101**********2046，如有误请告知。',
    '物业服务中心座机是0571-86012345，工作日8:30到17:30有人值守。',
    '这款机型不支持电信卡，如需使用电信卡可以选择另一款型号。',
    '为了您的资金安全，验证码不能告诉任何人，包括我们的工作人员。',
    '药品类商品拆封后不能退换，未拆封的可以在签收后7天内无理由退货。',
    '您说得没错，这确实不是您的问题，是我们系统计费出了错。',
    '这件事由我负责跟进到底，您不用再找其他部门。',
    '这项业务不在我们网点办理，我已经帮您预约了分行明天上午10点的号。',
    '具体的赔付比例我现在还不清楚，我查一下保险条款，10分钟内回复您。',
    '您自己在App上也能查到办理进度，路径是“我的-办件查询”。',
    '您之前提到的漏水位置，师傅已经重点检查过了。',
    '以前您反映过一次，这次我们直接给您换了新件。',
    '辣度不够的话可以告诉服务员，厨房可以再给您加。',
    '没问题，这个业务今天就可以办。',
    '不管是工作日还是周末，您都可以在线预约。',
    '没关系，缺的那一份材料可以后补，先帮您受理。',
    '这种情况不用担心，不会影响您的征信。',
    '您的快递马上就要派送了，派送员已在您所在小区，预计20分钟内送达。',
    '报修后我们会第一时间派单，师傅会在30分钟内联系您。',
    '您的快递单号是SF1392045871263，可以在快递公司官网查询。',
    '尾号7890的借记卡已经解除冻结。',
    '这个问题问得好，很多客户都不知道这个功能在哪里。',
    '不行的话您也可以选择到店自提，门店地址已发到您的短信里。',
    '温馨提示：燃气热水器使用时不能关闭窗户，请保持通风。',
    '您也可以拨打12345市民服务热线反映。',
    '稍后您会收到一条验证短信，请在5分钟内输入。',
    '您说“早就告诉过你们了”，确实如此，上次的报修记录我们没有跟进到位。',
    '联系人电话139****0427已更新为您的新号码。',
  ],
  empathy: [
    '给您带来这么多麻烦，真的非常抱歉。',
    '听到您家被淹的情况，我们非常理解您现在的心情。',
    '让您跑了好几趟，实在对不起。',
    '换作是我遇到这种情况也会着急，您的感受我们完全理解。',
    '非常不好意思，这次是我们的配送出了差错。',
    '您反映的问题我们非常重视，先向您诚恳致歉。',
    '辛苦您等了这么久，这件事确实是我们做得不到位。',
    '菜品里出现异物是我们的严重失误，向您郑重道歉。',
    '我能体会到您反复打电话却没人处理的失望。',
    '这件事让您受委屈了，我代表网点向您赔个不是。',
  ],
  closings: [
    '感谢您的耐心，祝您生活愉快！',
    '如还有其他问题，欢迎随时联系我们。',
    '谢谢您的理解与支持，祝您一切顺利。',
    '请问还有什么可以帮您的吗？',
    '祝您用餐愉快，期待您再次光临！',
    '感谢您对我们工作的监督，祝您周末愉快。',
    '有任何需要，您在这个对话里留言就行，我们一直都在。',
    '再次感谢您的来信，顺祝商祺。',
    '感谢您选择我们的宽带服务，祝您上网愉快！',
    '谢谢您的配合，祝您和家人身体健康。',
    '以上就是本次的处理结果，感谢您的反馈，再见！',
    '麻烦您对本次服务做个评价，谢谢！',
  ],
  violations: [
    // forbidden.dont_know — gives up instead of finding out
    { rule: 'forbidden.dont_know', text: '您问的这个利率怎么算，我也不太清楚。', span: '我也不太清楚' },
    { rule: 'forbidden.dont_know', text: '这个我真不知道，没人跟我们说过。', span: '我真不知道' },
    { rule: 'forbidden.dont_know', text: '具体什么时候来水，我这边也不晓得。', span: '不晓得' },
    { rule: 'forbidden.dont_know', text: '维修师傅的排班我这边不了解。', span: '不了解' },
    { rule: 'forbidden.dont_know', text: '这个政策是怎么规定的，我也搞不明白。', span: '我也搞不明白' },
    { rule: 'forbidden.dont_know', text: '退款卡在哪一步了，我也说不上来。', span: '说不上来' },
    { rule: 'forbidden.dont_know', text: '那个满减活动的规则我没怎么看，不太清楚。', span: '不太清楚' },
    { rule: 'forbidden.dont_know', text: '您这种情况我们也没遇到过，不知道怎么弄。', span: '不知道怎么弄' },
    { rule: 'forbidden.dont_know', text: '补贴发没发下来我这儿看不到，也不清楚。', span: '也不清楚' },
    { rule: 'forbidden.dont_know', text: '反正技术上的东西我是不懂。', span: '我是不懂' },
    { rule: 'forbidden.dont_know', text: '这种专业问题您问我，我也答不上来。', span: '我也答不上来' },
    { rule: 'forbidden.dont_know', text: '那个网点还开不开，我这边不掌握情况。', span: '不掌握情况' },

    // forbidden.not_my_job — disclaims responsibility, sends the customer elsewhere
    { rule: 'forbidden.not_my_job', text: '这事不归我们客服管，您去找快递公司吧。', span: '不归我们客服管' },
    { rule: 'forbidden.not_my_job', text: '水管是开发商的质量问题，跟我们物业没关系。', span: '跟我们物业没关系' },
    { rule: 'forbidden.not_my_job', text: '信用卡的事得找信用卡中心，我们网点管不着。', span: '我们网点管不着' },
    { rule: 'forbidden.not_my_job', text: '这不是我负责的业务，您换个窗口问。', span: '这不是我负责的业务' },
    { rule: 'forbidden.not_my_job', text: '上菜慢那是厨房的事，我只管前台点单。', span: '我只管前台点单' },
    { rule: 'forbidden.not_my_job', text: '我们只负责卖货，售后得找厂家。', span: '我们只负责卖货' },
    { rule: 'forbidden.not_my_job', text: '宽带是装维那边的活儿，我们营业厅不管这个。', span: '我们营业厅不管这个' },
    { rule: 'forbidden.not_my_job', text: '社保的事不在我们窗口的职责范围，您去人社局问吧。', span: '不在我们窗口的职责范围' },
    { rule: 'forbidden.not_my_job', text: '这个找我没用，得商家自己处理。', span: '找我没用' },
    { rule: 'forbidden.not_my_job', text: '维修是外包给第三方的，出了问题您找他们去。', span: '您找他们去' },
    { rule: 'forbidden.not_my_job', text: '这个不是我们部门的事儿。', span: '不是我们部门的事儿' },
    { rule: 'forbidden.not_my_job', text: '停车场是承包出去的，收费的事我们不过问。', span: '我们不过问' },

    // forbidden.cannot — a flat refusal, no alternative offered
    { rule: 'forbidden.cannot', text: '这个订单退不了。', span: '退不了' },
    { rule: 'forbidden.cannot', text: '发票开出去了就改不了。', span: '改不了' },
    { rule: 'forbidden.cannot', text: '超过七天了，这边不给换。', span: '不给换' },
    { rule: 'forbidden.cannot', text: '您说的这个我们做不到。', span: '做不到' },
    { rule: 'forbidden.cannot', text: '周末上门维修是不可能的。', span: '不可能' },
    { rule: 'forbidden.cannot', text: '号已经约满了，没辙。', span: '没辙' },
    { rule: 'forbidden.cannot', text: '优惠券和会员折扣只能用一个，没得商量。', span: '没得商量' },
    { rule: 'forbidden.cannot', text: '您这个要求我们满足不了。', span: '满足不了' },
    { rule: 'forbidden.cannot', text: '积分过期了就补不回来了。', span: '补不回来' },
    { rule: 'forbidden.cannot', text: '号码已经销户，恢复不了。', span: '恢复不了' },
    { rule: 'forbidden.cannot', text: '不行，这个不能给您延期。', span: '不行，这个不能给您延期' },
    { rule: 'forbidden.cannot', text: '装修押金这边退不出来。', span: '退不出来' },
    { rule: 'forbidden.cannot', text: '这个月的账单我们没法给您拆开。', span: '没法给您拆开' },

    // forbidden.blame — reproaches the customer
    { rule: 'forbidden.blame', text: '您自己当时没看清条款就签了字。', span: '您自己当时没看清条款' },
    { rule: 'forbidden.blame', text: '我上次电话里就跟您说过要带户口本。', span: '我上次电话里就跟您说过' },
    { rule: 'forbidden.blame', text: '密码是您自己告诉别人的，这怪不到银行头上。', span: '密码是您自己告诉别人的' },
    { rule: 'forbidden.blame', text: '要是您早点报修，也不会漏成这样。', span: '要是您早点报修' },
    { rule: 'forbidden.blame', text: '页面上写得清清楚楚，是您没仔细看。', span: '是您没仔细看' },
    { rule: 'forbidden.blame', text: '地址是您填错的，包裹当然送不到。', span: '地址是您填错的' },
    { rule: 'forbidden.blame', text: '谁让您不按说明书操作的。', span: '谁让您不按说明书操作的' },
    { rule: 'forbidden.blame', text: '说到底还是您装修的时候乱改了线路。', span: '还是您装修的时候乱改了线路' },
    { rule: 'forbidden.blame', text: '提醒短信发了三遍，您自己不看怪谁。', span: '您自己不看怪谁' },
    { rule: 'forbidden.blame', text: '叫号的时候您人不在，过号了只能怪您自己。', span: '只能怪您自己' },
    { rule: 'forbidden.blame', text: '之前就提醒过您别用第三方充电器。', span: '之前就提醒过您' },
    { rule: 'forbidden.blame', text: '您是不是又没按我说的做？', span: '又没按我说的做' },

    // forbidden.rude — impatient, contemptuous or threatening
    { rule: 'forbidden.rude', text: '您能不能听清楚了再问？', span: '听清楚了再问' },
    { rule: 'forbidden.rude', text: '我都解释半天了，您怎么还不明白。', span: '您怎么还不明白' },
    { rule: 'forbidden.rude', text: '爱办不办，后面还有人排队呢。', span: '爱办不办' },
    { rule: 'forbidden.rude', text: '嫌贵您可以去别家。', span: '嫌贵您可以去别家' },
    { rule: 'forbidden.rude', text: '您再这样闹我就叫保安了。', span: '我就叫保安了' },
    { rule: 'forbidden.rude', text: '这么简单的操作都不会？', span: '这么简单的操作都不会' },
    { rule: 'forbidden.rude', text: '别催了，催也没用。', span: '催也没用' },
    { rule: 'forbidden.rude', text: '有完没完啊，同一个问题问了五遍。', span: '有完没完' },
    { rule: 'forbidden.rude', text: '您爱投诉就去投诉吧。', span: '您爱投诉就去投诉吧' },
    { rule: 'forbidden.rude', text: '跟您说了也是白说。', span: '跟您说了也是白说' },
    { rule: 'forbidden.rude', text: '吃不惯就别点啊。', span: '吃不惯就别点啊' },
    { rule: 'forbidden.rude', text: '自己看公告去，别什么都来问。', span: '别什么都来问' },

    // promise.no_time — a vague promise with no concrete time in the sentence
    { rule: 'promise.no_time', text: '我们会尽快安排师傅上门。', span: '尽快' },
    { rule: 'promise.no_time', text: '退款马上给您处理。', span: '马上' },
    { rule: 'promise.no_time', text: '这个问题我稍后给您回电话。', span: '稍后' },
    { rule: 'promise.no_time', text: '回头我让经理联系您。', span: '回头' },
    { rule: 'promise.no_time', text: '等系统恢复了第一时间通知您。', span: '第一时间' },
    { rule: 'promise.no_time', text: '资料审核完我们会及时反馈给您。', span: '及时' },
    { rule: 'promise.no_time', text: '我们已经在加急处理了，很快就有结果。', span: '很快' },
    { rule: 'promise.no_time', text: '工程师过一会儿再打给您。', span: '过一会儿' },
    { rule: 'promise.no_time', text: '快递单号晚点发您。', span: '晚点' },
    { rule: 'promise.no_time', text: '您的投诉我们会尽早给出处理意见。', span: '尽早' },
    { rule: 'promise.no_time', text: '线路故障正在抢修，争取早日恢复。', span: '早日' },
    { rule: 'promise.no_time', text: '等我们核实清楚，改天再联系您。', span: '改天' },
    { rule: 'promise.no_time', text: '少上的那份菜立马给您送过去。', span: '立马' },

    // pii.phone — an unmasked mobile number in a customer-facing reply
    { rule: 'pii.phone', text: '维修师傅的电话是13912345678，您直接联系他。', span: '13912345678' },
    { rule: 'pii.phone', text: '我们核对到您预留的手机号是15820194736，请确认是否正确。', span: '15820194736' },
    { rule: 'pii.phone', text: '您可以加店长微信，号码就是18665023147。', span: '18665023147' },
    { rule: 'pii.phone', text: '快递员刚才打的是17710938265这个号。', span: '17710938265' },
    { rule: 'pii.phone', text: '已登记联系人张女士，电话 13602487519。', span: '13602487519' },
    { rule: 'pii.phone', text: '如有变动请打我手机19955012846找我。', span: '19955012846' },
    { rule: 'pii.phone', text: '您业主群里留的号码是138 0571 2468，师傅会打这个号。', span: '138 0571 2468' },

    // pii.id_card — an unmasked 18-digit ID-card number in a customer-facing reply
    { rule: 'pii.id_card', text: '您提交的身份证号码11010519880612351X与系统登记的不一致。', span: '11010519880612351X' },
    { rule: 'pii.id_card', text: '开户人身份证：320583199002145611，请核对后签字。', span: '320583199002145611' },
    { rule: 'pii.id_card', text: '已用身份证号44030419751230002X为您查到两笔社保缴费记录。', span: '44030419751230002X' },
    { rule: 'pii.id_card', text: '预订人证件号码 510107199203154423，入住时请出示原件。', span: '510107199203154423' },
    { rule: 'pii.id_card', text: '您母亲的身份证号是330106195407081221，对吧？', span: '330106195407081221' },
    { rule: 'pii.id_card', text: '申请表上的身份证号是420106199006053115，和户口本一致。', span: '420106199006053115' },
  ],
};
