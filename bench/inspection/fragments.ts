/**
 * Hand-written fragments of Chinese staff replies for the inspection labelled set (generate.ts). Two disjoint pools:
 * `dev` (looked at while writing the shipped rules) and `heldOut` (written after the rules were frozen, never tuned on).
 * A violation fragment carries the rule it breaks and the exact words that break it (the gold span).
 */
export interface Violation {
  text: string;
  rule: string;
  /** the words inside `text` that are the evidence */
  span: string;
}
export interface Pool {
  openings: string[];
  bodies: Record<'phone' | 'chat' | 'email' | 'complaint' | 'repair', string[]>;
  /** clean sentences that contain words close to a rule's (hard negatives) */
  hardNegatives: string[];
  empathy: string[];
  closings: string[];
  violations: Violation[];
}

export const dev: Pool = {
  openings: ['您好，', '您好！', '尊敬的业主您好，', '王女士您好，', '李先生，您好。'],
  bodies: {
    phone: [
      '业主来电反映3栋2单元电梯异响，已登记并通知维保单位。',
      '来电咨询本月物业费明细，已逐项解释，业主表示认可。',
      '回访客户，确认漏水已修好，客户满意。',
      '客户来电要求更换门禁卡，已告知办理地点和所需材料。',
      '业主反映楼道灯不亮，已派单给电工班组。',
    ],
    chat: [
      '您反映的热水器问题我们已经收到，已为您登记维修单。',
      '您的快递已放在前台，凭取件码即可领取。',
      '停车月卡可以在小程序里直接续费，操作路径是“我的-车辆-续费”。',
      '您提交的装修申请已经审核通过，施工时间为每天8点到18点。',
      '关于您问的垃圾分类时间，早上7点到9点、晚上6点到8点可以投放。',
    ],
    email: [
      '附件是您申请的上季度费用明细，请查收。',
      '您的发票已开具，电子版已发送到您登记的邮箱。',
      '关于会议室预订，我们已为您保留周四下午的大会议室。',
      '您反馈的网络故障已由运营商排查，线路已恢复。',
      '根据您的要求，我们已更新了您的联系地址。',
    ],
    complaint: [
      '关于楼下噪音的问题，我们已联系该住户并提醒其注意休息时间。',
      '针对保洁不到位的情况，我们已安排主管重新检查并整改。',
      '您反映的维修人员迟到一事，我们已核实并对相关人员进行了批评教育。',
      '关于停车位被占用，我们已张贴通知并联系车主挪车。',
    ],
    repair: [
      '维修师傅已到现场，正在更换水龙头阀芯。',
      '空调外机已清洗完毕，制冷恢复正常。',
      '您家的下水管道已疏通，请您试用一下。',
      '配件已到货，师傅明天上午10点上门安装。',
      '电路检修完成，跳闸原因是插座受潮，已更换。',
    ],
  },
  hardNegatives: [
    '请问您明天上午能不能在家？',
    '如有不清楚的地方，请随时联系我们。',
    '我们会在今天下午5点前尽快给您回复。',
    '昨天不能及时回复您，非常抱歉。',
    '师傅电话138****5678，请保持畅通。',
    '您的订单号是2024031512345678。',
    '不知道您明天是否方便？',
    '师傅30分钟内马上到。',
  ],
  empathy: ['非常抱歉给您带来不便，', '我理解您的心情，', '对不起让您久等了，'],
  closings: ['祝您生活愉快！', '如有其他问题请随时联系我们。', '感谢您的理解与支持。', '还有其他需要帮助的吗？'],
  violations: [
    { text: '这个我不知道。', rule: 'forbidden.dont_know', span: '不知道' },
    { text: '具体情况我也不清楚。', rule: 'forbidden.dont_know', span: '不清楚' },
    { text: '这个政策我不了解。', rule: 'forbidden.dont_know', span: '不了解' },
    { text: '这不归我管。', rule: 'forbidden.not_my_job', span: '这不归我管' },
    { text: '这个不是我负责的。', rule: 'forbidden.not_my_job', span: '不是我负责' },
    { text: '这个不能退。', rule: 'forbidden.cannot', span: '不能' },
    { text: '今天不行。', rule: 'forbidden.cannot', span: '不行' },
    { text: '这个我们办不了。', rule: 'forbidden.cannot', span: '办不了' },
    { text: '跟你说过了，要先交费。', rule: 'forbidden.blame', span: '跟你说过了' },
    { text: '这是规定，没得商量。', rule: 'forbidden.blame', span: '这是规定' },
    { text: '你烦不烦啊。', rule: 'forbidden.rude', span: '你烦不烦' },
    { text: '有本事你去投诉。', rule: 'forbidden.rude', span: '有本事你去投诉' },
    { text: '师傅电话13812345678。', rule: 'pii.phone', span: '13812345678' },
    { text: '登记的身份证号是110101199003071234。', rule: 'pii.id_card', span: '110101199003071234' },
    { text: '我们会尽快处理。', rule: 'promise.no_time', span: '尽快' },
    { text: '稍后给您回电。', rule: 'promise.no_time', span: '稍后' },
  ],
};

export const heldOut: Pool = {
  openings: ['您好，', '张阿姨您好，', '您好，这里是物业客服中心，', '陈女士您好！'],
  bodies: {
    phone: [
      '业主来电称地下车库积水，已通知工程部抽水。',
      '来电询问快递柜故障，已报修并告知临时领取方式。',
      '回访业主，窗户密封条已更换，业主确认没有漏风。',
      '业主来电预约入户检测燃气，已约定时间。',
    ],
    chat: [
      '您家的水表读数已核对，本月用水量为12吨。',
      '小区游泳池本周六开放，开放时间为9点到21点。',
      '您申请的临时车位已办好，有效期到月底。',
      '宠物登记可以在前台办理，需要带上疫苗本。',
    ],
    email: ['您申请的场地使用证明已盖章，扫描件见附件。', '关于年度维修基金的使用情况，详细报表见附件。', '我们已收到您的书面意见，会在业主大会上统一答复。'],
    complaint: [
      '关于绿化带被破坏的情况，我们已调取监控并补种了苗木。',
      '您反映的夜间施工扰民问题，我们已要求施工方停止夜间作业。',
      '针对电梯多次停运，我们已要求维保公司全面检修。',
    ],
    repair: ['防水层已重新做好，需要闭水试验48小时。', '门锁已更换，新钥匙三把已交给您家人。', '热水器主板已更换，试机正常。'],
  },
  hardNegatives: [
    '您看改到周三可不可以？',
    '师傅会在30分钟内尽快赶到。',
    '抱歉让您久等了。',
    '如您不清楚操作步骤，可以来前台找我们。',
    '业主电话已核实为139****0001。',
    '维修单号202411301398765432已生成。',
    '麻烦您确认一下行不行得通。',
    '我们明天10点前第一时间给您答复。',
  ],
  empathy: ['很抱歉给您添麻烦了，', '您的感受我完全理解，', '辛苦您了，'],
  closings: ['祝您周末愉快！', '如有疑问欢迎随时联系。', '谢谢您的配合。'],
  violations: [
    { text: '这事我真不晓得。', rule: 'forbidden.dont_know', span: '不晓得' },
    { text: '收费标准我不清楚。', rule: 'forbidden.dont_know', span: '不清楚' },
    { text: '这个不归我们管。', rule: 'forbidden.not_my_job', span: '不归我们管' },
    { text: '你去找物业公司总部吧。', rule: 'forbidden.not_my_job', span: '你去找物业' },
    { text: '周末上门不行。', rule: 'forbidden.cannot', span: '不行' },
    { text: '这个没办法给您改。', rule: 'forbidden.cannot', span: '没办法' },
    { text: '这个时间段不可以预约。', rule: 'forbidden.cannot', span: '不可以' },
    { text: '早就告诉你要带证件。', rule: 'forbidden.blame', span: '早就告诉你' },
    { text: '我也没办法，上面定的。', rule: 'forbidden.blame', span: '我也没办法' },
    { text: '爱找谁找谁。', rule: 'forbidden.rude', span: '爱找谁找谁' },
    { text: '随便你怎么想。', rule: 'forbidden.rude', span: '随便你' },
    { text: '维修工手机15900001111。', rule: 'pii.phone', span: '15900001111' },
    { text: '您的证件号32010219851212003X已录入。', rule: 'pii.id_card', span: '32010219851212003X' },
    { text: '回头再联系您。', rule: 'promise.no_time', span: '回头' },
    { text: '师傅会尽早安排。', rule: 'promise.no_time', span: '尽早' },
  ],
};
