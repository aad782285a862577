/**
 * The shipped zh-CN rule set (seeds 000 and 001: forbidden and negative phrasing with the suggested wording,
 * standard openings and closings, empathy on complaints), plus personal data sent to a customer and promises
 * without a time. The server seeds these into `qa_rules` once; administrators edit them there.
 */
import { rule } from './engine';
import type { InspectionRule } from './types';

/** A time expression that makes a promise concrete (今天下午、30分钟内、明天10点前、2个工作日、周三…). */
export const TIME_EXPRESSION =
  '(\\d+|[一二两三四五六七八九十半]+)\\s*(个)?\\s*(分钟|小时|钟头|天|日|个?工作日|周|点|刻)|' +
  '\\d{1,2}\\s*[:：]\\s*\\d{2}|' +
  '今天|今日|今晚|明天|明日|明早|后天|上午|下午|中午|傍晚|晚上|早上|当天|本周|下周|周[一二三四五六日天末]|星期[一二三四五六日天]|' +
  '\\d{1,2}\\s*月\\s*\\d{1,2}\\s*[日号]|\\d{1,2}\\s*[日号]前|(\\d+|[一二两三四五六七八九十]+)\\s*个?\\s*(分钟|小时|天|工作日)\\s*[内前后]';

/** Blaming the customer, in wordings a phrase list cannot enumerate (RE2). */
export const BLAME =
  // 您自己没看清 / 是你自己操作错误 / 您自己不注意 / 您当时没看清
  '(您|你)(们)?(自己|当时|当初|又|根本|压根|从来)[^，。！？,!?；;]{0,4}(错|失误|不当|造成|导致|弄坏|搞坏|' +
  '没(看|注意|留意|仔细|认真|听|按|检查|确认|问|关|锁|交|缴|填|带|保管|及时|按时|提前)|不(看|注意|留意|小心|仔细|认真|听|按|当心))|' +
  // 您当初就该看清楚 / 你们早该知道 / 都是因为您…
  '(您|你)(们)?(当初|当时)[^，。！？,!?；;]{0,10}(就该|就应该)|(您|你)(们)?早(就)?(该|应该)|(都|全|还不)是因为(您|你)|' +
  '(您|你)(们)?(个人|自己)?(使用|操作)(不当|失误|错误|有误)|(您|你)(们)?(得|只能)自己(负责|承担|担着|解决|想办法)|' +
  // 是您没按流程来 / 您是不是没看清 / 都说了要先…
  '是(您|你)(们)?(自己)?(没|未)(按|看|注意|留意|仔细|认真|听|关|锁|交|缴|填|带|及时|按时|提前)|' +
  '(您|你)(们)?(是不是)?没(仔细|认真|看清|听清)|都(说|讲|告诉过您|提醒过您)(过)?了|' +
  // 早就跟您说过了 / 早告诉过你 / 不是跟您说过了吗 / 跟您讲了好几遍
  '早(就|已)(跟|和|对|给|告诉|提醒|通知)(过)?(您|你)|早(告诉|提醒|通知)(过)?(您|你)|早(跟|和)(您|你)(们)?(说|讲)(过|了)|' +
  '(上次|上回|之前|以前|早先|当时)(就|都)(跟|和|对|告诉|提醒|通知)(过)?(您|你)|' +
  '不是(早就|早|已经|之前)?(跟|和|对|告诉|提醒)(过)?(您|你)(们)?(说|讲)?过?了?(吗|嘛)|' +
  '(跟|和|对|告诉|提醒)(过)?(您|你)(们)?(说|讲)?(了|过)?(多少|好几|好多|无数|几)(次|遍)|' +
  '(说|讲|提醒|告诉|强调)(过)?(了|过)(多少|好几|好多|无数)(次|遍)|' +
  '(跟|和)(您|你)(们)?(说|讲)过了|' +
  // 谁让您… / 怪您自己 / 这是您的问题
  '谁(让|叫)(您|你)|(怪|赖)(您|你)(们)?自己|(只能|要怪就)怪(您|你)|(这|那|这就|那就|都|全)是(您|你)(们)?(自己)?(的)?(问题|原因|责任|过错|失误)([，。！？,!?；;]|$)';

/** Disclaiming responsibility (RE2). */
export const NOT_MY_JOB =
  '不(是|归|属于|由)(我|我们|咱们|物业)(部门|这边|这里|科室|班组|公司|物业|客服|前台)?(的事|的职责|职责|的范围|工作范围|的工作范围|业务范围|的业务范围|的业务|业务|负责|管|处理)|' +
  '不在(我|我们|咱们)(的)?(服务|业务|职责|工作)?范围|(我|我们|咱们)(这边)?管不(了|着)|' +
  '(别|不要)(来)?找我|另找(别人|他人|人)|(问|找)错人|另请高明|' +
  '不归(我|我们|咱们)|(我|我们|咱们|物业|客服)(这边|部门)?不负责|(我|我们|咱们|物业)(这边)?不管(的|这|那)|' +
  '(你|您)(去)?找[^，。！？,!?；;]{1,6}去(吧|啊)?([，。！？,!?；;]|$)|' +
  '(与|跟|和)(我|我们|咱们)(部门|这边|物业|客服)?(无关|没关系|没有关系|没啥关系)|不关(我|我们|物业)(的|什么)?事|' +
  '(你|您)(们)?(自己)?去找(别人|别的|其他)';

/**
 * Refusing with verb + 不了 (退不了, 办不了, 改不了, 批不了…) — administrative acts, not a broken part (修不了) — or
 * 无法 + for you (无法为您办理; 电话无法接通 is a state).
 */
export const CANNOT = '(退|办|改|批|补|给|处理|办理|受理|解决)不了|无法(为您|给您|帮您|替您|处理|办理|受理|解决|满足)';

export const DEFAULT_RULES: readonly InspectionRule[] = [
  rule({
    code: 'forbidden.dont_know',
    kind: 'phrases',
    severity: 'major',
    phrases: ['不知道', '不清楚', '不晓得', '不了解', '我也不懂', '不太清楚', '不大清楚', '不太了解', '不太懂', '我哪知道', '我怎么知道'],
    exceptions: [
      '不知道您',
      '您不知道',
      '您不清楚',
      '您不了解',
      '您不太清楚',
      '您不太了解',
      '如您不清楚',
      '如有不清楚',
      '有不清楚的',
      '不清楚的地方',
      '如果不清楚',
      '若不清楚',
      '是否清楚',
    ],
    suggestion: '这个问题我马上帮您确认，30分钟内给您答复。',
  }),
  rule({
    code: 'forbidden.not_my_job',
    kind: 'phrases',
    severity: 'major',
    phrases: [
      '不归我管',
      '不是我负责',
      '不关我的事',
      '不是我们的事',
      '不是我们管的',
      '不归我们管',
      '找别人去',
      '你找别的部门',
      '你去找物业',
      '不是我们部门的事',
      '不是我的事',
    ],
    // 不是/不归/不属于 + 我(们)(部门) + 的事/负责/管…, 与我们无关, 不关我的事, 您去找别的部门
    pattern: NOT_MY_JOB,
    suggestion: '这个问题由相关部门负责，我帮您联系并跟进，处理进展会及时告诉您。',
  }),
  rule({
    code: 'forbidden.cannot',
    kind: 'phrases',
    severity: 'minor',
    wholeWord: true,
    phrases: ['不能', '不行', '不太行', '办不了', '做不到', '没办法', '不可以', '没法', '没法子', '没辙', '办不到', '做不了', '帮不了'],
    pattern: CANNOT,
    exceptions: [
      '能不能',
      '行不行',
      '可不可以',
      '不能及时',
      '不能第一时间',
      '不能按时',
      '不能让您',
      '不能再让',
      '是否能',
      '不行的话',
      '请不要',
      '不能为空',
      '如果不行',
      '若不行',
      '是不是不能',
      '不能正常',
      '不能使用',
      '不能用了',
      '不能打开',
      '不能出水',
      '不能启动',
      '没办法及时',
      '没法及时',
      // a temporary state (系统维护中，暂时无法为您查询), and 不能怪 is blame's
      '暂时无法为您',
      '暂时无法给您',
      '暂时无法处理',
      '暂时无法办理',
      '暂时无法受理',
      '不能怪',
      '实在没办法联系',
      '是否不能',
    ],
    suggestion: '稍等，我帮您确认一下可以怎么处理。',
  }),
  rule({
    code: 'forbidden.blame',
    kind: 'phrases',
    severity: 'major',
    phrases: [
      '你自己',
      '你怎么不',
      '您怎么不',
      '您应该早点',
      '您听不懂吗',
      '这是规定',
      '公司规定的',
      '我也没办法',
      '我们也没办法',
      '无能为力',
      '你听不懂吗',
      '跟你说过了',
      '早就告诉你',
      '你自己看',
      '你应该早点',
      '谁让你',
    ],
    // 您自己/你自己 + a fault (没看清, 操作错误), 早就跟您说过了, 谁让您…, 这是您的问题
    pattern: BLAME,
    exceptions: ['你自己的隐私'],
    suggestion: '请您放心，我来帮您一起处理。',
  }),
  rule({
    code: 'forbidden.rude',
    kind: 'phrases',
    severity: 'critical',
    phrases: [
      '爱找谁找谁',
      '不想办就算了',
      '你烦不烦',
      '随便你',
      '有本事你去投诉',
      '你去投诉吧',
      '投诉也没用',
      '爱投诉就投诉',
      '别烦我',
      '你有病',
      '别再打电话',
      '别再打来',
      '不要再打电话来',
      '别再问了',
      '有完没完',
      '烦死了',
      '你到底想怎么样',
      '您到底想怎么样',
    ],
    suggestion: '非常理解您的心情，我会尽全力帮您解决，也欢迎您随时提出意见。',
  }),
  rule({
    code: 'required.opening',
    kind: 'required',
    severity: 'minor',
    audience: 'customer',
    position: 'first',
    phrases: ['您好', '你好', '尊敬的', '感谢致电', '感谢您的来电', '欢迎', '亲爱的'],
    // any time-of-day greeting opens a reply (早上好, 下午好, 晚上好…)
    pattern: '(早上|上午|中午|下午|傍晚|晚上)好|早安|大家好',
    suggestion: '您好，我是客服小周，很高兴为您服务。',
  }),
  rule({
    code: 'required.closing',
    kind: 'required',
    severity: 'minor',
    audience: 'customer',
    position: 'last',
    phrases: [
      '祝您',
      '还有其他',
      '还有什么',
      '如有问题',
      '如有疑问',
      '如有其他',
      '随时联系',
      '随时告诉',
      '感谢您的',
      '感谢您',
      '再见',
      '谢谢您',
      '谢谢',
      '欢迎随时',
      '欢迎您随时',
      '欢迎再次',
      '欢迎您再次',
    ],
    suggestion: '感谢您的耐心，还有其他需要帮助的吗？祝您生活愉快！',
  }),
  rule({
    code: 'empathy.complaint',
    kind: 'empathy',
    severity: 'major',
    audience: 'customer',
    position: 'first',
    ticketTypes: ['complaint'],
    phrases: ['理解您', '理解你', '抱歉', '对不起', '歉意', '给您带来', '给您添麻烦', '您的感受', '您的心情', '让您久等', '辛苦您', '委屈', '不便'],
    suggestion: '非常抱歉给您带来不便，我理解您的心情，请允许我帮您解决。',
  }),
  rule({
    code: 'pii.phone',
    kind: 'pii',
    severity: 'critical',
    audience: 'customer',
    pattern: '1[3-9]\\d{9}',
    suggestion: '手机号请隐去中间四位，如 138****1234。',
  }),
  rule({
    code: 'pii.id_card',
    kind: 'pii',
    severity: 'critical',
    audience: 'customer',
    pattern: '[1-9]\\d{5}(18|19|20)\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]',
    suggestion: '身份证号请只保留前三位和后四位，如 110***********1234。',
  }),
  rule({
    code: 'promise.no_time',
    kind: 'promise',
    severity: 'minor',
    audience: 'customer',
    phrases: ['尽快', '马上', '稍后', '晚点', '回头', '等会儿', '过会儿', '尽早', '第一时间'],
    pattern: TIME_EXPRESSION,
    window: 15,
    exceptions: [
      '马上为您查',
      '马上为您转接',
      '马上为您处理',
      '马上帮您查',
      '请您稍后',
      '稍后再试',
      '回头看',
      '第一时间联系我们',
      '尽快就医',
      '尽快撤离',
      '尽快关闭',
      // not a time of the promise (the engine ignores a time word inside an exception)
      '周末愉快',
      '周末快乐',
    ],
    suggestion: '给出明确时间，例如“我们会在今天下午5点前给您回复”。',
  }),
];
