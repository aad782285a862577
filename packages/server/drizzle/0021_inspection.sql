CREATE TABLE "qa_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"audience" text DEFAULT 'any' NOT NULL,
	"phrases" text[] DEFAULT '{}'::text[] NOT NULL,
	"pattern" text,
	"whole_word" boolean DEFAULT false NOT NULL,
	"exceptions" text[] DEFAULT '{}'::text[] NOT NULL,
	"suggestion" text,
	"channels" text[] DEFAULT '{}'::text[] NOT NULL,
	"ticket_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"position" text DEFAULT 'any' NOT NULL,
	"window" integer DEFAULT 12 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"reply_id" uuid,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "qa_hits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"reply_id" uuid NOT NULL,
	"author_id" uuid,
	"rule" text NOT NULL,
	"rule_version" integer DEFAULT 1 NOT NULL,
	"severity" text NOT NULL,
	"start_offset" integer NOT NULL,
	"end_offset" integer NOT NULL,
	"excerpt" text NOT NULL,
	"suggestion" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "qa_rules_code_key" ON "qa_rules" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "qa_hits_reply_rule_key" ON "qa_hits" USING btree ("reply_id","rule","start_offset");--> statement-breakpoint
CREATE INDEX "qa_hits_ticket_idx" ON "qa_hits" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "qa_hits_created_idx" ON "qa_hits" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "qa_hits_author_idx" ON "qa_hits" USING btree ("author_id","created_at");--> statement-breakpoint
INSERT INTO "qa_rules" ("id", "code", "name", "kind", "severity", "enabled", "audience", "phrases", "pattern", "whole_word", "exceptions", "suggestion", "channels", "ticket_types", "position", "window", "builtin") VALUES
  ('019aa000-0000-7000-8000-000000000001', 'forbidden.dont_know', '忌语：不知道 / 不清楚', 'phrases', 'major', true, 'any', ARRAY['不知道', '不清楚', '不晓得', '不了解', '我也不懂']::text[], NULL, false, ARRAY['不知道您', '您不知道', '如您不清楚', '如有不清楚', '有不清楚的', '不清楚的地方', '如果不清楚', '若不清楚', '是否清楚']::text[], '这个问题我马上帮您确认，30分钟内给您答复。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000002', 'forbidden.not_my_job', '忌语：推诿（不归我管）', 'phrases', 'major', true, 'any', ARRAY['不归我管', '不是我负责', '不关我的事', '不是我们的事', '不是我们管的', '不归我们管', '找别人去', '你找别的部门', '你去找物业', '不是我们部门的事']::text[], NULL, false, ARRAY[]::text[], '这个问题由相关部门负责，我帮您联系并跟进，处理进展会及时告诉您。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000003', 'forbidden.cannot', '否定句式：不能 / 不行', 'phrases', 'minor', true, 'any', ARRAY['不能', '不行', '办不了', '做不到', '没办法', '不可以']::text[], NULL, true, ARRAY['能不能', '行不行', '可不可以', '不能及时', '不能第一时间', '不能按时', '不能让您', '不能再让', '是否能', '不行的话', '请不要', '不能为空', '如果不行', '若不行', '是不是不能', '不能正常', '不能使用', '不能用了', '不能打开', '不能出水', '不能启动', '没办法及时', '实在没办法联系', '是否不能']::text[], '稍等，我帮您确认一下可以怎么处理。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000004', 'forbidden.blame', '指责客户 / 搬出规定', 'phrases', 'major', true, 'any', ARRAY['你自己', '你怎么不', '这是规定', '公司规定的', '我也没办法', '我无能为力', '你听不懂吗', '跟你说过了', '早就告诉你', '你自己看', '你应该早点', '谁让你']::text[], NULL, false, ARRAY['你自己的隐私', '您自己']::text[], '请您放心，我来帮您一起处理。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000005', 'forbidden.rude', '辱骂与顶撞（一票否决）', 'phrases', 'critical', true, 'any', ARRAY['爱找谁找谁', '不想办就算了', '你烦不烦', '随便你', '有本事你去投诉', '你去投诉吧', '投诉也没用', '爱投诉就投诉', '别烦我', '你有病']::text[], NULL, false, ARRAY[]::text[], '非常理解您的心情，我会尽全力帮您解决，也欢迎您随时提出意见。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000006', 'required.opening', '开场白（首次回复）', 'required', 'minor', true, 'customer', ARRAY['您好', '你好', '尊敬的', '感谢致电', '感谢您的来电', '欢迎', '亲爱的']::text[], NULL, false, ARRAY[]::text[], '您好，我是客服小周，很高兴为您服务。', ARRAY[]::text[], ARRAY[]::text[], 'first', 12, true),
  ('019aa000-0000-7000-8000-000000000007', 'required.closing', '结束语（最后一次回复）', 'required', 'minor', true, 'customer', ARRAY['祝您', '还有其他', '还有什么', '如有问题', '如有疑问', '如有其他', '随时联系', '随时告诉', '感谢您的', '感谢您', '再见', '谢谢您', '谢谢']::text[], NULL, false, ARRAY[]::text[], '感谢您的耐心，还有其他需要帮助的吗？祝您生活愉快！', ARRAY[]::text[], ARRAY[]::text[], 'last', 12, true),
  ('019aa000-0000-7000-8000-000000000008', 'empathy.complaint', '投诉未表达歉意与理解', 'empathy', 'major', true, 'customer', ARRAY['理解您', '理解你', '抱歉', '对不起', '歉意', '给您带来', '给您添麻烦', '您的感受', '您的心情', '让您久等', '辛苦您', '委屈', '不便']::text[], NULL, false, ARRAY[]::text[], '非常抱歉给您带来不便，我理解您的心情，请允许我帮您解决。', ARRAY[]::text[], ARRAY['complaint']::text[], 'first', 12, true),
  ('019aa000-0000-7000-8000-000000000009', 'pii.phone', '发送未脱敏手机号', 'pii', 'critical', true, 'customer', ARRAY[]::text[], '1[3-9]\d{9}', false, ARRAY[]::text[], '手机号请隐去中间四位，如 138****1234。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000010', 'pii.id_card', '发送未脱敏身份证号', 'pii', 'critical', true, 'customer', ARRAY[]::text[], '[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]', false, ARRAY[]::text[], '身份证号请只保留前三位和后四位，如 110***********1234。', ARRAY[]::text[], ARRAY[]::text[], 'any', 12, true),
  ('019aa000-0000-7000-8000-000000000011', 'promise.no_time', '承诺未给出时间', 'promise', 'minor', true, 'customer', ARRAY['尽快', '马上', '稍后', '晚点', '回头', '等会儿', '过会儿', '尽早', '第一时间']::text[], '(\d+|[一二两三四五六七八九十半]+)\s*(个)?\s*(分钟|小时|钟头|天|日|个?工作日|周|点|刻)|\d{1,2}\s*[:：]\s*\d{2}|今天|今日|今晚|明天|明日|明早|后天|上午|下午|中午|傍晚|晚上|早上|当天|本周|下周|周[一二三四五六日天末]|星期[一二三四五六日天]|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{1,2}\s*[日号]前|(\d+|[一二两三四五六七八九十]+)\s*个?\s*(分钟|小时|天|工作日)\s*[内前后]', false, ARRAY['马上为您查', '马上为您转接', '马上为您处理', '马上帮您查', '请您稍后', '稍后再试', '回头看', '第一时间联系我们', '尽快就医', '尽快撤离', '尽快关闭']::text[], '给出明确时间，例如“我们会在今天下午5点前给您回复”。', ARRAY[]::text[], ARRAY[]::text[], 'any', 15, true)
ON CONFLICT ("code") DO NOTHING;
