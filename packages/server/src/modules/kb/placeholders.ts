/** 话术 placeholders: `{客户称呼}` etc., filled from the ticket, its customer and the acting agent. */

export const PLACEHOLDERS = ['客户称呼', '客户姓名', '工单号', '工单标题', '预计时间', '技师姓名', '客服姓名', '客服工号', '服务地址', '当前时间', '公司名称'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const TOKEN = /\{([\u4e00-\u9fa5A-Za-z0-9_]{1,20})\}/g;

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[1]!))];
}

export function formatLocal(at: Date, timeZone = 'Asia/Shanghai'): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('zh-CN', { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/**
 * The polite form of address used in scripts: a name that already carries a title (张女士, 王先生, 李总) is kept;
 * otherwise the full name is used as is (the agent can still edit the text before sending).
 */
export function addressOf(name: string | null | undefined): string | null {
  // Drop a trailing note in brackets: 李秀英（5栋502业主） → 李秀英.
  const n = (name ?? '').replace(/\s*[（(][^）)]*[）)]\s*$/, '').trim();
  if (!n || /^客户\d|\*/.test(n)) return null;
  return n;
}

/** Replace known placeholders that have a value; others stay in the text and are reported as missing. */
export function renderScript(text: string, values: Partial<Record<string, string | null | undefined>>): { text: string; filled: Record<string, string>; missing: string[] } {
  const filled: Record<string, string> = {};
  const missing = new Set<string>();
  const out = text.replace(TOKEN, (m, key: string) => {
    const v = values[key];
    if (v === undefined || v === null || v === '') { missing.add(key); return m; }
    filled[key] = v;
    return v;
  });
  return { text: out, filled, missing: [...missing] };
}
