import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, inspect, patternError, rule } from './index';
import { branches, findAll } from './regex';

const codes = (text: string, extra: Partial<Parameters<typeof inspect>[1]> = {}) => inspect(DEFAULT_RULES, { text, ...extra }).map((h) => h.rule);

describe('inspection engine', () => {
  it('finds forbidden phrasing with UTF-16 offsets, an excerpt and the suggestion', () => {
    const text = '您好，这个我不知道，您问问别人吧。';
    const hits = inspect(DEFAULT_RULES, { text });
    const h = hits.find((x) => x.rule === 'forbidden.dont_know')!;
    expect(text.slice(h.start, h.end)).toBe('不知道');
    expect(h.suggestion).toContain('确认');
    expect(h.excerpt).toContain('不知道');
  });

  it('allows the exceptions a rule declares (能不能, 不能及时回复您)', () => {
    expect(codes('请问您明天上午能不能在家？')).not.toContain('forbidden.cannot');
    expect(codes('昨天不能及时回复您，非常抱歉。')).not.toContain('forbidden.cannot');
    expect(codes('这个退款不能办。')).toContain('forbidden.cannot');
  });

  it('matches whole jieba words only where the rule asks for it', () => {
    // 不可以 is not a word inside 不可以往 … but 不行 in 不行驶 (a verb phrase) must not fire
    const wordRule = rule({ code: 'w', kind: 'phrases', phrases: ['不行'], wholeWord: true });
    expect(inspect([wordRule], { text: '车辆不行驶时请熄火' })).toHaveLength(0);
    expect(inspect([wordRule], { text: '这样不行。' })).toHaveLength(1);
    const loose = { ...wordRule, wholeWord: false };
    expect(inspect([loose], { text: '车辆不行驶时请熄火' })).toHaveLength(1);
  });

  it('requires the opening in the first and the closing in the last public reply', () => {
    expect(codes('师傅明天上门。', { first: true })).toContain('required.opening');
    expect(codes('您好，师傅明天上门。', { first: true })).not.toContain('required.opening');
    expect(codes('师傅明天上门。', { first: false })).not.toContain('required.opening');
    const text = '您好，已处理完毕。';
    const h = inspect(DEFAULT_RULES, { text, last: true }).find((x) => x.rule === 'required.closing')!;
    expect(h).toBeDefined();
    expect(h.end).toBe(text.length);
    expect(codes('已处理完毕，祝您生活愉快！', { last: true })).not.toContain('required.closing');
    // notes and phone logs never reach the customer: no opening/closing required
    expect(codes('已电话联系业主', { first: true, last: true, audience: 'internal' })).toEqual([]);
  });

  it('asks for empathy on a complaint only', () => {
    expect(codes('您好，已安排保洁重新打扫。', { first: true, ticketType: 'complaint' })).toContain('empathy.complaint');
    expect(codes('您好，非常抱歉，已安排保洁重新打扫。', { first: true, ticketType: 'complaint' })).not.toContain('empathy.complaint');
    expect(codes('您好，已安排保洁重新打扫。', { first: true, ticketType: 'repair' })).not.toContain('empathy.complaint');
  });

  it('finds unmasked phone and id numbers sent to a customer, not masked or longer digit runs', () => {
    expect(codes('师傅电话13812345678，请保持畅通')).toContain('pii.phone');
    expect(codes('师傅电话138****5678')).not.toContain('pii.phone');
    expect(codes('订单号 2024138123456789')).not.toContain('pii.phone');
    expect(codes('您的身份证号110101199003071234已登记')).toContain('pii.id_card');
    expect(codes('13812345678', { audience: 'internal' })).not.toContain('pii.phone');
  });

  it('flags promises without a time and accepts those with one', () => {
    expect(codes('我们会尽快处理。')).toContain('promise.no_time');
    expect(codes('我们会尽快处理，今天下午5点前给您回复。')).not.toContain('promise.no_time');
    expect(codes('师傅会在30分钟内尽快赶到。')).not.toContain('promise.no_time');
    expect(codes('请稍等，我马上为您查询。')).not.toContain('promise.no_time');
  });

  it('takes a time said in the same sentence only, and not a time word inside an exception (dev2 cases)', () => {
    // an unrelated time in another sentence is no answer to the promise
    expect(codes('屋面需要蓄水试验24小时。我们会尽快安排维修。')).toContain('promise.no_time');
    expect(codes('回头我问问再告诉您。祝您周末愉快！')).toContain('promise.no_time');
    expect(codes('我们会尽早处理，祝您周末愉快！')).toContain('promise.no_time');
    // …while a time in the promise's own sentence still counts
    expect(codes('我们明天中午前马上给您回电。')).not.toContain('promise.no_time');
    expect(codes('师傅今天下午4点前尽快赶到。')).not.toContain('promise.no_time');
  });

  it('reads 没办法 in 我也没办法 as blame only, and a refusal inside a condition as none (dev2 cases)', () => {
    expect(codes('我也没办法，系统就是这么设置的。')).toEqual(['forbidden.blame']);
    expect(codes('我们也没办法，开发商就是这么交的房。')).toEqual(['forbidden.blame']);
    expect(codes('这个月的账单没办法改。')).toEqual(['forbidden.cannot']);
    expect(codes('如果没办法到场，可以委托家人代办。')).toEqual([]);
    expect(codes('若没办法上传照片，也可以直接描述问题。')).toEqual([]);
    expect(codes('如果这个时间不可以，请告诉我们。')).toEqual([]);
    // the condition ends with its clause: a refusal after it still counts
    expect(codes('如果您着急，这个也不能办。')).toContain('forbidden.cannot');
  });

  it('takes an opening in the first sentence only; 欢迎随时 / 欢迎再次 close a reply (dev2 cases)', () => {
    expect(codes('厨房插座已更换，通电测试正常。欢迎随时来电咨询。', { first: true, last: true })).toEqual(['required.opening']);
    expect(codes('欢迎致电幸福里物业，您的账单已生成。', { first: true })).not.toContain('required.opening');
    expect(codes('您好，访客预约已登记。欢迎您再次光临！', { first: true, last: true })).toEqual([]);
  });

  describe('context of a forbidden phrase (2026-12-06 (2), dev3)', () => {
    it('does not read the customer’s words quoted after a reporting verb or a colon as the staff’s', () => {
      expect(codes('业主来电表示“下次不能再拖了”，已催促工程部。')).toEqual([]);
      expect(codes('客户在电话里说：“我不知道你们几点下班。”已告知营业时间。')).toEqual([]);
      expect(codes('住户留言称「快递员不知道放哪」，已联系快递站。')).toEqual([]);
      expect(codes('您提到的“不能开发票”的问题，我们已经核实，可以开具。')).toEqual([]);
      // a quotation nobody is said to have spoken, and the staff's words next to a quote, still count
      expect(codes('这个“特价商品”不能退。')).toEqual(['forbidden.cannot']);
      expect(codes('业主表示“很着急”，这个我们不清楚。')).toEqual(['forbidden.dont_know']);
    });

    it('does not read words about or of a third party as the staff’s, unless the staff speak after it', () => {
      expect(codes('客户来电说不知道快递柜的取件码，已重新发送。')).toEqual([]);
      expect(codes('很多业主不清楚电梯年检的时间，我们已在群里公布。')).toEqual([]);
      expect(codes('快递员不知道您家的门牌号，麻烦您在订单里补充一下。')).toEqual([]);
      expect(codes('师傅说今天不能来，改到明天上午9点。')).toEqual([]);
      expect(codes('业主的快递去哪了我们不清楚。')).toEqual(['forbidden.dont_know']);
      // the customer reporting, and reported speech over the clause to the end of its sentence
      expect(codes('您刚才说不知道怎么操作，我发您一个视频教程。')).toEqual([]);
      expect(codes('业主王先生表示楼道灯不亮，不知道是谁关的。')).toEqual([]);
      expect(codes('业主反映楼道灯不亮，我们也不知道是谁关的。')).toEqual(['forbidden.dont_know']);
      expect(codes('您反映的问题我们不能处理。')).toEqual(['forbidden.cannot']);
      // a colleague without a reporting verb is the service speaking; 其他 is no third person
      expect(codes('师傅今天不能来。')).toEqual(['forbidden.cannot']);
      expect(codes('其他时间不行。')).toEqual(['forbidden.cannot']);
    });

    it('reads a polite question as none, a refusal or a rhetorical question as what it is', () => {
      expect(codes('不知道您周六上午是否方便开门？')).toEqual([]);
      expect(codes('不清楚这样安排您是否满意？')).toEqual([]);
      expect(codes('这事我帮不了您。')).toEqual(['forbidden.cannot']);
      expect(codes('这个不能给您退，您看可以吗？')).toEqual(['forbidden.cannot']);
      expect(codes('您当时没看合同吗？')).toEqual(['forbidden.blame']);
    });

    it('reads 不能 in advice, a rule with a limit or a warning against carelessness as no refusal', () => {
      expect(codes('千万不能错过本周六的免费体检。')).toEqual([]);
      expect(codes('为了安全，燃气管道不能私自改动。')).toEqual([]);
      expect(codes('单笔转账金额不能超过五万元。')).toEqual([]);
      expect(codes('您的包裹不能放在快递柜超过48小时。')).toEqual([]);
      expect(codes('办理时身份证原件不能忘记带。')).toEqual([]);
      expect(codes('积分不能换现金。')).toEqual(['forbidden.cannot']);
      // the limit must be in the refusal's own clause
      expect(codes('这个不能退，超过7天了。')).toEqual(['forbidden.cannot']);
    });

    it('reads a clause with 的话 as a hypothesis and an attributive use as a topic', () => {
      expect(codes('网络不好的话没法视频验房，可以改为电话验房。')).toEqual([]);
      expect(codes('这个不行的话，我们换一个方案。')).toEqual([]);
      expect(codes('您有不了解的地方，我们可以上门讲解。')).toEqual([]);
      expect(codes('不了解情况的邻居可以看公告。')).toEqual([]);
      expect(codes('这个政策怎么算，我不太了解。')).toEqual(['forbidden.dont_know']);
    });
  });

  describe('shipped wordings (2026-12-06 (2), dev3)', () => {
    it('finds blame in wordings a phrase list cannot enumerate, not 您自己 said kindly', () => {
      for (const t of [
        '早就跟您说过了，停车卡要提前续费。',
        '不是早跟您讲了吗？',
        '说了多少遍了，要先登记。',
        '是您自己没看清楚公告。',
        '您自己操作错误导致的扣款。',
        '谁让您不按时交费呢。',
        '这就是您的原因。',
        '只能怪您自己没提前报备。',
        '我上次就提醒过您要关好窗户。',
        '这属于您使用不当。',
      ])
        expect(codes(t), t).toEqual(['forbidden.blame']);
      for (const t of [
        '您自己在小程序里就能查到账单。',
        '您自己不用跑一趟，我们派人送上门。',
        '这不是您的问题，是系统升级导致的。',
        '不怪您，是我们通知得晚了。',
        '上次跟您说过的维修方案已经批下来了。',
        '早上跟您联系的师傅已经出发了。',
        '我们之前已经跟您确认过上门时间。',
      ])
        expect(codes(t), t).toEqual([]);
    });

    it('finds disclaimers of responsibility, not a stranger warning or 您不用找我们', () => {
      for (const t of [
        '这不是我的事，您问前台。',
        '这个不是我们部门负责的。',
        '水费的事不归我们客服管。',
        '那是工程部的事，跟我们没关系。',
        '这不在我们的服务范围内。',
        '这个我们管不着。',
        '您问错人了。',
        '物业不负责这个。',
        '这个事情你找开发商去。',
      ])
        expect(codes(t), t).toEqual(['forbidden.not_my_job']);
      for (const t of ['不是我们的工作人员上门，请不要开门。', '您不用找我们，快递员会直接联系您。', '这个问题由工程部负责，我已经帮您转过去了。'])
        expect(codes(t), t).toEqual([]);
    });

    it('finds 没法 / 退不了 / 无法为您 refusals, not a temporary state or 不能怪', () => {
      for (const t of ['这个价格我们没法再降了。', '实在是没法子。', '押金现在退不了。', '您这情况我们处理不了。', '无法为您办理。', '恐怕不太行。'])
        expect(codes(t), t).toEqual(['forbidden.cannot']);
      expect(codes('系统维护中，暂时无法为您查询。')).toEqual([]);
      expect(codes('热水器暂时无法使用。')).toEqual([]);
      expect(codes('您自己的车没锁好，丢了不能怪物业。')).toEqual(['forbidden.blame']);
    });

    it('finds 我哪知道 / 不太懂 as not knowing, not 您不清楚 (the customer)', () => {
      expect(codes('我哪知道啊。')).toEqual(['forbidden.dont_know']);
      expect(codes('这个问题我们也不太懂。')).toEqual(['forbidden.dont_know']);
      expect(codes('您不清楚可以随时问我。')).toEqual([]);
    });

    it('accepts any time-of-day greeting as the opening', () => {
      for (const t of ['早上好，您的快递到了。', '王经理，下午好。访客已登记。', '晚上好！这里是客服中心。', '早安，账单已生成。'])
        expect(codes(t, { first: true }), t).not.toContain('required.opening');
      // …in the first sentence only
      expect(codes('账单已生成。祝您下午好！', { first: true })).toContain('required.opening');
    });
  });

  describe('refusals, dismissals, disclaimers and blame in general wordings (2026-12-06 (3), heldout3)', () => {
    const has = (rule: string, text: string) => expect(codes(text)).toContain(rule);
    const hasNot = (rule: string, text: string) => expect(codes(text)).not.toContain(rule);

    it('finds a requested act + 不了 / 不出来 / 不回来, 不给 + act, 没得商量, 没门, 不可能 as a refusal', () => {
      for (const t of [
        '积分过期了就补不回来了。',
        '装修押金这边退不出来。',
        '您这个要求我们满足不了。',
        '号码已经销户，恢复不了。',
        '这个申请批不下来。',
        '超过七天了，这边不给换。',
        '优惠券只能用一个，没得商量。',
        '想退款？没门。',
        '周末上门维修是不可能的。',
        '这个要求不可能满足。',
      ])
        has('forbidden.cannot', t);
      // a broken part's state, a hypothesis, reassurance, 没门禁 are no refusal
      for (const t of [
        '门锁坏了打不开，师傅已在路上。',
        '电脑开不了机，请重启试试。',
        '如果审批不下来，我们会另想办法。',
        '我们不可能让您白跑一趟。',
        '这种情况不可能影响征信。',
        '小区东门没门禁，晚上请走南门。',
      ])
        hasNot('forbidden.cannot', t);
    });

    it('reads 不能 stated generally as a rule, 不能 said to the customer or about a day or person as a refusal', () => {
      hasNot('forbidden.cannot', '药品类商品拆封后不能退换，未拆封的可以在签收后7天内无理由退货。');
      hasNot('forbidden.cannot', '热水器不能空烧，停水时请关掉电源。');
      has('forbidden.cannot', '积分不能换现金。');
      has('forbidden.cannot', '这边不能给您退。');
      has('forbidden.cannot', '师傅今天不能来。');
      // one refusal said twice in a sentence is one finding
      const text = '不行，这个不能给您延期。';
      const hits = inspect(DEFAULT_RULES, { text }).filter((h) => h.rule === 'forbidden.cannot');
      expect(hits.map((h) => text.slice(h.start, h.end))).toEqual(['不行，这个不能']);
    });

    it('finds dismissive and impatient wordings, not their kind look-alikes', () => {
      for (const t of [
        '爱办不办，后面还有人排队呢。',
        '您爱等不等。',
        '嫌贵您可以去别家。',
        '我都解释半天了，您怎么还不明白。',
        '跟您说了也是白说。',
        '别催了，催也没用。',
        '您爱投诉就去投诉吧。',
        '这么简单的操作都不会？',
        '别什么都来问。',
      ])
        has('forbidden.rude', t);
      for (const t of ['您哪里不明白，我再给您讲一遍。', '爱心捐赠活动本周结束。', '不用着急，我们已经在处理了。', '这款不合适的话，我们可以帮您换一款。'])
        hasNot('forbidden.rude', t);
    });

    it('finds a fault stated as the customer’s and a counterfactual reproach, not the customer’s act said kindly', () => {
      for (const t of [
        '地址是您填错的，包裹当然送不到。',
        '密码是您自己告诉别人的。',
        '说到底还是您装修的时候乱改了线路。',
        '要是您早点报修，也不会漏成这样。',
        '您是不是又没按我说的做？',
        '我上次电话里就跟您说过要带户口本。',
        '您私自拆了封条，保修失效了。',
      ])
        has('forbidden.blame', t);
      for (const t of [
        '这不是您填错的，是系统问题。',
        '密码是您自己设置的，请妥善保管。',
        '请您不要私自拆改燃气管道。',
        '如果您早点到，可以先取号。',
        '以前您反映过一次，这次直接给您换了新件。',
      ])
        hasNot('forbidden.blame', t);
    });

    it('finds 找我没用 / 我只管 / 我们不管这个 / 不过问 as disclaimers, 不管是…都 as none', () => {
      for (const t of [
        '这个找我没用，得商家自己处理。',
        '上菜慢那是厨房的事，我只管前台点单。',
        '宽带是装维那边的活儿，我们营业厅不管这个。',
        '收费的事我们不过问。',
        '信用卡的事我们网点管不着。',
        '社保的事不在我们窗口的职责范围。',
      ])
        has('forbidden.not_my_job', t);
      for (const t of [
        '不管是工作日还是周末，您都可以在线预约。',
        '我们不管多晚都会把您的件送到。',
        '这项业务不在我们网点办理，我已经帮您预约了分行明天上午10点的号。',
      ])
        hasNot('forbidden.not_my_job', t);
    });

    it('widens each wording family beyond heldout3’s phrases, with kind look-alikes', () => {
      for (const t of ['这笔手续费减免不了。', '发票抬头改不过来了。', '这种情况一律不退。', '不予受理。', '这事儿没戏。', '想都别想。'])
        has('forbidden.cannot', t);
      for (const t of ['定金一经支付不予退还，尾款可以分期。', '换不了的配件我们会直接给您换新机。', '我们不接受现金，可以刷卡或扫码。'])
        hasNot('forbidden.cannot', t);
      for (const t of ['你是不是听不懂人话？', '没看到我正忙着吗？', '不买就别问了。', '急什么急，排着吧。', '少跟我来这套。', '您自己不会看吗？'])
        has('forbidden.rude', t);
      for (const t of ['您别急，慢慢说，我都记下来。', '后面还有几道菜，预计10分钟内上齐。']) hasNot('forbidden.rude', t);
      for (const t of ['都怪您没及时缴费。', '您要是按时还款就不会有逾期了。', '当初要是听我的，就不会这样了。', '短信早发给您了，您没看而已。'])
        has('forbidden.blame', t);
      for (const t of ['您要是忘记了密码，点击“忘记密码”就可以重置。', '这不怪您，是系统延迟。', '是您的耐心让我们找到了问题所在。'])
        hasNot('forbidden.blame', t);
      for (const t of ['我们只是代收，具体的您问商家。', '这个问题您去问厂家吧。', '我们只负责卖货，售后得找厂家。']) has('forbidden.not_my_job', t);
      for (const t of ['我只负责您这单，有问题直接找我。', '我们只负责到底，您放心。', '这件事我来负责，您不用再找别人。']) hasNot('forbidden.not_my_job', t);
      for (const t of ['谁知道呢。', '这个我没法回答您。', '这我哪清楚。']) has('forbidden.dont_know', t);
      for (const t of ['我们会抓紧处理。', '过几天再联系您。', '等有消息了通知您。', '随后把资料发您。']) expect(codes(t)).toContain('promise.no_time');
      for (const t of ['请您抓紧时间在月底前完成认证。', '马上到期的优惠券记得用。', '马上就要到期了，请续费。', '有消息我会在今天下午5点前通知您。'])
        expect(codes(t)).not.toContain('promise.no_time');
    });

    it('reads the consequence of a condition in the clause before as a hypothesis, 为防… as advice; more wordings', () => {
      hasNot('forbidden.cannot', '如果材料不齐，窗口无法受理，请您提前核对清单。');
      hasNot('forbidden.cannot', '为防诈骗，任何人索要验证码都不能给。');
      has('forbidden.cannot', '材料不齐，窗口无法受理。');
      for (const t of ['这单已经出库，拦不下来。', '您要的发票我们这里开不了。', '不好意思，这个忙我们帮不上。', '您这个诉求我们这边无法支持。'])
        has('forbidden.cannot', t);
      hasNot('forbidden.cannot', '电脑开不了机，请重启试试。');
      for (const t of ['爱咋咋地。', '您这人怎么这么难缠。', '别在这儿耽误大家时间。', '要投诉随便。', '说几遍了您还问。']) has('forbidden.rude', t);
      for (const t of ['您当时为什么不问清楚？', '明明写着需要预约，您偏不看。']) has('forbidden.blame', t);
      for (const t of ['这种事您得问开发商。', '这个跟我们没什么关系。', '那是另一个部门管的。', '我们管不到那么多。']) has('forbidden.not_my_job', t);
      for (const t of ['这事我也不太明白。', '我没听说过这个政策。', '我这边也不确定。']) has('forbidden.dont_know', t);
      hasNot('forbidden.dont_know', '如不确定，可以带上原件到窗口核对。');
      for (const t of ['一有结果就告诉您。', '后续会有人联系您。', '晚些时候给您回电。', '改天再联系您。']) expect(codes(t)).toContain('promise.no_time');
      for (const t of ['改天见！', '随后的流程我给您发到短信里了。']) expect(codes(t)).not.toContain('promise.no_time');
    });

    it('reads 不清楚 with a commitment to find out within a time as the right answer', () => {
      hasNot('forbidden.dont_know', '具体的赔付比例我现在还不清楚，我查一下保险条款，10分钟内回复您。');
      hasNot('forbidden.dont_know', '这个我不清楚，我帮您核实一下，今天下午5点前回复您。');
      hasNot('forbidden.dont_know', '结果还不确定，我们明天上午10点前告诉您。');
      hasNot('forbidden.dont_know', '目前还不确定具体原因，工程师正在排查，今天下午5点前给您答复。');
      has('forbidden.dont_know', '这个我不知道，您明天再来问吧。');
      has('forbidden.dont_know', '这个我不清楚，您问别人吧。');
      has('forbidden.dont_know', '这个我不清楚，我查一下。');
      has('forbidden.dont_know', '那个网点还开不开，我这边不掌握情况。');
      has('forbidden.dont_know', '这种专业问题您问我，我也答不上来。');
    });
  });

  it('takes an apology or felt disappointment as empathy (2026-12-06 (3))', () => {
    for (const t of [
      '菜品里出现异物是我们的严重失误，向您郑重道歉。',
      '这件事让您受委屈了，我代表网点向您赔个不是。',
      '我能体会到您反复打电话却没人处理的失望。',
    ])
      expect(codes(t, { first: true, ticketType: 'complaint' })).not.toContain('empathy.complaint');
  });

  it('reads a coming event, a regret, advice and 回头客 as no promise; 及时 / 很快 / 早日 + an act without a time as one', () => {
    for (const t of [
      '马上就到春节了，营业时间会有调整。',
      '马上就要入冬了，请注意关好门窗。',
      '昨天不能及时回复您，非常抱歉。',
      '请不要马上点击里面的链接。',
      '回头客凭小票可以享受九折优惠。',
      '稍后您会收到一条验证短信，请在5分钟内输入。',
      '祝您早日康复。',
    ])
      expect(codes(t)).not.toContain('promise.no_time');
    for (const t of [
      '资料审核完我们会及时反馈给您。',
      '我们已经在加急处理了，很快就有结果。',
      '线路故障正在抢修，争取早日恢复。',
      '师傅马上就到了。',
      '我马上就到您家楼下了。',
    ])
      expect(codes(t)).toContain('promise.no_time');
    expect(codes('资料审核完我们会在明天下午3点前及时反馈给您。')).not.toContain('promise.no_time');
  });

  it('finds a mobile number written in groups (138 0571 2468, 138-0571-2468), not a card number in groups', () => {
    expect(codes('您留的号码是138 0571 2468。')).toContain('pii.phone');
    expect(codes('他的电话是 139-1234-5678。')).toContain('pii.phone');
    expect(codes('订单号 1234 5678 9012 3456。')).not.toContain('pii.phone');
    expect(codes('卡号 6222 1381 0571 2468 已绑定。')).not.toContain('pii.phone');
  });

  it('accepts more openings, closings and empathy wordings; a topic like 保洁不到位 is no empathy', () => {
    for (const t of ['哈喽，我是客服小王。', '各位业主好，', '这里是城东营业厅，很高兴为您服务。', '收到您的留言了，我是客服阿明。'])
      expect(codes(t, { first: true })).not.toContain('required.opening');
    for (const t of ['祝好。', '顺颂商祺。', '期待再次为您服务。', '有事随时找我。', '欢迎再来。', '多谢理解。'])
      expect(codes(t, { last: true })).not.toContain('required.closing');
    for (const t of ['我们深感抱歉。', '换谁都会生气。', '确实是我们做得不好。', '这件事是我们的责任。', '给您造成困扰了。'])
      expect(codes(t, { first: true, ticketType: 'complaint' })).not.toContain('empathy.complaint');
    expect(codes('您好，针对保洁不到位的情况，我们已安排整改。', { first: true, ticketType: 'complaint' })).toContain('empathy.complaint');
  });

  it('takes 张阿姨好 / 王经理好 as an opening', () => {
    expect(codes('张阿姨好，我是楼栋管家小林。', { first: true })).not.toContain('required.opening');
    expect(codes('已处理好，请查收。', { first: true })).toContain('required.opening');
  });

  it('runs the pattern of a phrases rule through its exceptions and the context checks', () => {
    const r = rule({ code: 'p', kind: 'phrases', phrases: ['甲乙'], pattern: '您自己(没|不)看', exceptions: ['您自己不看也行'] });
    expect(inspect([r], { text: '您自己没看通知。' }).map((h) => h.rule)).toEqual(['p']);
    expect(inspect([r], { text: '您自己不看也行。' })).toEqual([]);
    expect(inspect([r], { text: '业主说：“您自己没看通知。”' })).toEqual([]);
    expect(inspect([r], { text: '甲乙。您自己不看。' })).toHaveLength(2);
  });

  it('skips a regex rule’s match inside a quoted customer’s words', () => {
    const r = rule({ code: 'r', kind: 'regex', pattern: '退不了' });
    expect(inspect([r], { text: '押金退不了。' })).toHaveLength(1);
    expect(inspect([r], { text: '业主投诉“押金退不了”，已核实。' })).toEqual([]);
  });

  it('searches a long alternation branch by branch with the same matches', () => {
    expect(branches('a|b(c|d)|[|x]|e\\|f')).toEqual(['a', 'b(c|d)', '[|x]', 'e\\|f']);
    // flags reach every alternative: searched whole
    expect(branches('(?i)a|b|c|d')).toEqual(['(?i)a|b|c|d']);
    const p = '尽快|马上|稍后|回头|晚点';
    expect(findAll(p, '我们尽快处理，马上回电，稍后再说')).toEqual([
      [2, 4],
      [7, 9],
      [12, 14],
    ]);
    // overlapping alternatives: the leftmost, then the longest, as one search
    expect(findAll('ab|abc|b|c', 'abcd')).toEqual([[0, 3]]);
    expect(findAll('(?i)ab|x|y|z', 'AB')).toEqual([[0, 2]]);
  });

  it('refuses patterns RE2 cannot run safely, and runs pathological ones in linear time', () => {
    expect(patternError('(a+')).not.toBeNull();
    expect(patternError('(?<=a)b')).not.toBeNull();
    expect(patternError('(\\w)\\1')).not.toBeNull();
    expect(patternError('尽快|马上')).toBeNull();
    const evil = rule({ code: 'evil', kind: 'regex', pattern: '(a+)+$' });
    const started = Date.now();
    inspect([evil], { text: `${'a'.repeat(5000)}!` });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps one hit per rule and overlapping span, sorted by position', () => {
    const hits = inspect(DEFAULT_RULES, { text: '这不归我管。你找别的部门，我不知道。' });
    expect(hits.map((h) => h.rule)).toEqual(['forbidden.not_my_job', 'forbidden.not_my_job', 'forbidden.dont_know']);
    expect(hits[0]!.start).toBeLessThan(hits[1]!.start);
  });
});
