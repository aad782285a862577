/**
 * 话术 placeholders: `{客户称呼}` etc., filled from the ticket, its customer and the acting agent. The names and the
 * filled text are content (scripts are Chinese text an admin writes and an agent sends to customers), not interface
 * texts: they are not translated. Times are formatted in the organisation's time zone.
 */
import { AppError } from '../../lib/errors';
import { orgTimeZone } from '../../lib/timezone';

/**
 * Every placeholder Chidu fills (documented in docs/kb.md#placeholders). Aliases name the same value the way
 * scripts written elsewhere say it (坐席 / 客服姓名, 小区 / 服务地址 …).
 */
export const PLACEHOLDERS = [
  '客户称呼',
  '客户姓名',
  '工单号',
  '工单标题',
  '预计时间',
  '技师姓名',
  '客服姓名',
  '坐席',
  '客服工号',
  '工号',
  '服务地址',
  '小区',
  '地址',
  '团队',
  '当前时间',
  '当前日期',
  '公司名称',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * The placeholder pattern: `{` + 1–20 Han characters, letters, digits or `_` + `}`. JSON and code in a reply
 * (`{"a": 1}`, `{ x }`, `function() {}`) do not match it: they contain quotes, spaces, colons or nothing between the
 * braces.
 */
const TOKEN = /\{([\u4e00-\u9fa5A-Za-z0-9_]{1,20})\}/g;

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[1]!))];
}

/**
 * A reply the customer will read must not carry a blank: `{客户称呼}您好` is refused with 400 naming the field `body`,
 * reason `reply_has_placeholders` and the placeholders (params.placeholders, and `placeholders` as a list). Internal
 * notes may keep braces.
 */
export function refuseUnfilledPlaceholders(body: string, path = 'body'): void {
  const names = placeholdersIn(body);
  if (names.length === 0) return;
  const list = names.map((n) => `{${n}}`);
  const message = `contains unfilled placeholders ${list.join(', ')}`;
  throw new AppError('validation_failed', `${path}: ${message}`, {
    errors: [{ path, message }],
    reason: 'reply_has_placeholders',
    params: { placeholders: list.join('、'), count: list.length },
    extra: { placeholders: names },
  });
}

export function formatLocal(at: Date, timeZone = orgTimeZone()): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/** Today's date in the organisation's time zone: `2026年12月5日`. */
export function formatDate(at: Date, timeZone = orgTimeZone()): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(at).map((x) => [x.type, x.value]),
  );
  return `${p.year}年${p.month}月${p.day}日`;
}

/**
 * The polite form of address used in scripts (客户称呼). The CRM record has no gender or salutation field yet, so:
 * a name that already carries a title (张女士, 王先生, 李总) is kept as it is; a name with a bracketed note loses the
 * note (李秀英（5栋502业主） → 李秀英); a masked or generated name (客户1234, 李*) gives no value, so the agent fills
 * the blank by hand.
 */
export function addressOf(name: string | null | undefined): string | null {
  // Drop a trailing note in brackets: 李秀英（5栋502业主） → 李秀英.
  const n = (name ?? '').replace(/\s*[（(][^）)]*[）)]\s*$/, '').trim();
  if (!n || /^客户\d|\*/.test(n)) return null;
  return n;
}

/** Replace known placeholders that have a value; others stay in the text and are reported as missing. */
export function renderScript(
  text: string,
  values: Partial<Record<string, string | null | undefined>>,
): { text: string; filled: Record<string, string>; missing: string[] } {
  const filled: Record<string, string> = {};
  const missing = new Set<string>();
  const out = text.replace(TOKEN, (m, key: string) => {
    const v = values[key];
    if (v === undefined || v === null || v === '') {
      missing.add(key);
      return m;
    }
    filled[key] = v;
    return v;
  });
  return { text: out, filled, missing: [...missing] };
}
