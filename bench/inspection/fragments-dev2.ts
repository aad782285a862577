/**
 * A second development pool (`dev2`, written 2026-12-06 for issue #15 item 2's two weak rules, fresh — not taken from
 * the held-out pool). It covers the patterns behind the weak held-out figures and their near-misses:
 * - 没办法 said as blame (我也没办法 / 我们也没办法, labelled forbidden.blame only), 没办法 in a condition (如果没办法…,
 *   no refusal), and plain refusals that must still fire forbidden.cannot;
 * - promises without a time next to an unrelated time word in another sentence (祝您周末愉快, 试压24小时, 每天早上8点),
 *   and promises with their time in the same sentence (no hit);
 * - 欢迎 in a closing (欢迎随时来电) that is no opening, and openings that start with 欢迎.
 * The rules were improved against dev and dev2 only.
 */
import type { Pool } from './fragments';

export const dev2: Pool = {
  openings: ['您好，', '欢迎致电幸福里物业，', '刘先生您好，', '您好！这里是客服小林，', '欢迎您来到服务中心，'],
  bodies: {
    phone: [
      '业主来电反映单元门禁无法刷卡，已通知弱电班组检修。',
      '来电咨询装修押金退还流程，已告知需验收合格后办理。',
      '回访业主，阳台排水已疏通，业主表示满意。',
      '业主来电反映楼上漏水，已登记并安排管家上门查看。',
      '来电询问车位租赁价格，已说明地面和地下两种价格。',
    ],
    chat: [
      '您的访客预约已登记，访客到岗亭报手机号后四位即可进入。',
      '电动车充电桩在3号楼东侧，扫码即可使用。',
      '您家本月的电费账单已经生成，可以在小程序“缴费”里查看。',
      '大件垃圾请放到小区西门的临时堆放点。',
      '您申请的门禁人脸录入已通过，今晚起可以刷脸进门。',
    ],
    email: [
      '您申请的业主证明已开具，扫描件随邮件附上。',
      '关于公共区域改造方案，征求意见稿见附件。',
      '您反映的账单重复扣费已核实，多扣的费用已原路退回。',
      '您的租赁备案材料已收齐，备案编号见附件。',
    ],
    complaint: [
      '关于地库照明不足的问题，我们已增加了12盏灯。',
      '您反映的快递员进小区乱停车问题，我们已与快递站沟通。',
      '针对保安态度生硬一事，我们已约谈当班人员。',
      '关于楼道堆放杂物的问题，我们已张贴清理通知。',
    ],
    repair: [
      '燃气报警器已更换新电池，测试正常。',
      '卫生间地漏已更换为防臭地漏。',
      '入户门闭门器已调整，关门不再撞击。',
      '屋面防水修补完成，需要蓄水试验24小时。',
      '厨房插座已更换，通电测试正常。',
    ],
  },
  hardNegatives: [
    '如果没办法到场，可以委托家人代办。',
    '若没办法上传照片，也可以直接描述问题。',
    '系统每天早上8点自动生成账单。',
    '试压需要持续24小时才能确认。',
    '师傅今天下午4点前尽快赶到。',
    '我们明天中午前马上给您回电。',
    '您看明天上午行不行？',
    '如果这个时间不可以，请告诉我们。',
    '欢迎您对我们的服务提出建议。',
  ],
  empathy: ['实在抱歉给您添麻烦了，', '理解您的着急，', '让您久等了，非常抱歉，'],
  closings: ['欢迎随时来电咨询。', '祝您周末愉快！', '祝您节日快乐！', '欢迎您再次光临！', '谢谢您的耐心等待。', '如有其他问题请随时告诉我们。'],
  violations: [
    { text: '我也没办法，系统就是这么设置的。', rule: 'forbidden.blame', span: '我也没办法' },
    { text: '我们也没办法，开发商就是这么交的房。', rule: 'forbidden.blame', span: '我们也没办法' },
    { text: '这个我也没办法，您找开发商吧。', rule: 'forbidden.blame', span: '我也没办法' },
    { text: '这个月的账单没办法改。', rule: 'forbidden.cannot', span: '没办法' },
    { text: '夜间施工申请不能批。', rule: 'forbidden.cannot', span: '不能' },
    { text: '这种情况做不到。', rule: 'forbidden.cannot', span: '做不到' },
    { text: '回头我问问再告诉您。', rule: 'promise.no_time', span: '回头' },
    { text: '等会儿给您回复。', rule: 'promise.no_time', span: '等会儿' },
    { text: '师傅晚点过去看看。', rule: 'promise.no_time', span: '晚点' },
    { text: '我们会尽快安排维修。', rule: 'promise.no_time', span: '尽快' },
    { text: '结果出来后第一时间通知您。', rule: 'promise.no_time', span: '第一时间' },
    { text: '我们会尽早处理，祝您周末愉快！', rule: 'promise.no_time', span: '尽早' },
    { text: '跟你说过了，要先预约。', rule: 'forbidden.blame', span: '跟你说过了' },
    { text: '这个不归我管。', rule: 'forbidden.not_my_job', span: '不归我管' },
    { text: '我也说不清楚，您问别人。', rule: 'forbidden.dont_know', span: '不清楚' },
  ],
};
