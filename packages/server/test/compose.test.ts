import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/demo/demo';
import { PLACEHOLDERS, placeholdersIn, renderScript } from '../src/modules/kb/placeholders';
import { kbSearchOf } from '../src/modules/kb/search-service';
import { testApp, type TestApp } from './harness';

/**
 * Issue #18 items 2 and 3 on the demo knowledge base: scripts are filled from everything Chidu knows, a public reply
 * with a blank {…} is refused (an internal note is not), suggestions stay on topic (阳台地漏反水 used to find 快递代收,
 * 电梯困人, 首问负责制 on the single character 后) and show nothing rather than noise, and the application rate is real.
 */
let t: TestApp;
let agent: { token: string; id: string; name: string; employeeNo: string };
let teamName: string;
let customerId: string;

const api = (m: 'GET' | 'POST', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
type Hit = { id: string; title: string; kind: string; used: boolean };

async function newTicket(subject: string, description: string, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/tickets', agent.token, { customerId, type: 'repair', channel: 'phone', priority: 'high', subject, description, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; number: string }>();
}
async function itemByTitle(title: string) {
  const hits = (await api('GET', `/kb/search?q=${encodeURIComponent(title)}&limit=5`, agent.token)).json().hits as { id: string; title: string }[];
  const hit = hits.find((h) => h.title === title);
  expect(hit, title).toBeTruthy();
  return hit!.id;
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  expect(await loadDemo(t.database, t.config)).toBe(true);
  await kbSearchOf(t.database)!.reloadAll(); // the app started before the demo rows existed
  const team = await t.team('维修受理组');
  teamName = team.name;
  const s = await t.as(['agent'], { teamId: team.id });
  agent = { token: s.token, id: s.staff.id, name: s.staff.name, employeeNo: s.staff.employeeNo };
  customerId = (await api('POST', '/customers', agent.token, { name: '李秀英（5栋502业主）', phone: '13800003333' })).json().id;
}, 300_000); // the whole demo (history included) loads first: minutes on a busy shared machine
afterAll(async () => {
  await t?.close();
});

describe('placeholders', () => {
  it('render fills every placeholder Chidu knows from the ticket, the customer, the agent and the organisation', async () => {
    const tk = await newTicket('厨房水管漏水', '水管接头一直滴水', { site: '翠湖苑5号楼502' });
    await api('POST', `/tickets/${tk.id}/take`, agent.token);
    const script = await itemByTitle('漏水报修安抚与上门预约话术');
    const res = await api('POST', `/tickets/${tk.id}/kb-render`, agent.token, { itemId: script });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.text.startsWith('李秀英您好，我是申城物业客服' + agent.name)).toBe(true);
    expect(r.filled).toMatchObject({ 客户称呼: '李秀英', 客服姓名: agent.name, 工单号: tk.number });
    expect(r.text).not.toContain('{客户称呼}');
    // Every other known placeholder: a synthetic script through the same renderer.
    expect(renderScript('{未知字段}', {}).missing).toEqual(['未知字段']);
    expect(PLACEHOLDERS).toEqual(expect.arrayContaining(['客户称呼', '客户姓名', '坐席', '工号', '工单号', '小区', '团队', '当前日期', '预计时间']));
  });

  it('fills site, team, agent number and today through kb-render (a script using them)', async () => {
    const tk = await newTicket('门禁失灵', '单元门禁刷卡没反应', { site: '锦绣园A区' });
    await api('POST', `/tickets/${tk.id}/take`, agent.token);
    const admin = (await t.as(['admin'])).token;
    const created = await api('POST', '/kb/articles', admin, {
      kind: 'script',
      title: '上门确认话术（测试）',
      category: '服务规范与话术',
      body: '{客户称呼}您好，{小区}的报修由{团队}{坐席}（工号{工号}）跟进，工单{工单号}，{当前日期}登记。{客户姓名}',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect((await api('POST', `/kb/articles/${id}/submit`, admin)).statusCode).toBe(200);
    expect((await api('POST', `/kb/articles/${id}/review`, admin, { decision: 'approve' })).statusCode).toBe(200);
    const r = (await api('POST', `/tickets/${tk.id}/kb-render`, agent.token, { itemId: id })).json();
    expect(r.missing).toEqual([]);
    expect(r.text).toContain(`锦绣园A区的报修由${teamName}${agent.name}（工号${agent.employeeNo}）跟进，工单${tk.number}`);
    expect(r.text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日登记。李秀英（5栋502业主）$/);
    expect(placeholdersIn(r.text)).toEqual([]);
  });

  it('a public reply with a {…} placeholder is refused with 400 naming body and the placeholders; a note may keep it', async () => {
    const tk = await newTicket('卫生间漏水', '楼上漏水');
    const res = await api('POST', `/tickets/${tk.id}/replies`, agent.token, { body: '李秀英您好，师傅预计{预计时间}前到达。', visibility: 'public' });
    expect(res.statusCode, res.body).toBe(400);
    const p = res.json();
    expect(p.reason).toBe('reply_has_placeholders');
    expect(p.errors[0].path).toBe('body');
    expect(p.placeholders).toEqual(['预计时间']);
    expect(p.params.placeholders).toBe('{预计时间}');
    expect(res.headers['content-type']).toContain('application/problem+json');
    const detail = (await api('GET', `/tickets/${tk.id}`, agent.token)).json();
    expect(detail.replies).toHaveLength(0);
    // an internal note keeps braces; JSON and code in a public reply are not placeholders
    expect((await api('POST', `/tickets/${tk.id}/replies`, agent.token, { body: '待确认{预计时间}', visibility: 'internal' })).statusCode).toBe(201);
    const json = await api('POST', `/tickets/${tk.id}/replies`, agent.token, {
      body: '设置为 {"mode": "auto"}，或 function f() { return 1 }',
      visibility: 'public',
    });
    expect(json.statusCode, json.body).toBe(201);
    expect((await api('POST', `/tickets/${tk.id}/replies`, agent.token, { body: '李秀英您好，师傅预计14:30前到达。', visibility: 'public' })).statusCode).toBe(
      201,
    );
  });
});

describe('suggestions', () => {
  it('阳台地漏反水 suggests the drain items, never 快递代收 / 电梯困人 / 首问负责制 matched on 后', async () => {
    const tk = await newTicket('阳台地漏反水', '业主反映阳台地漏反水，洗衣机排水后就往外冒，阳台地面全湿了。');
    const s = (await api('GET', `/tickets/${tk.id}/kb-suggestions`, agent.token)).json();
    const titles = [...s.items, ...s.scripts].map((h: Hit) => h.title);
    expect(titles[0]).toMatch(/地漏反水/);
    for (const off of ['快递', '电梯困人', '首问负责制', '门禁卡', '发票']) expect(titles.join('|')).not.toContain(off);
    expect(s.items.every((h: Hit) => h.used === false)).toBe(true);
  });

  it('shows nothing rather than noise for a ticket the knowledge base does not cover', async () => {
    const tk = await newTicket('表扬保安', '业主来电表扬东门保安小陈，昨天晚上帮她把买的米搬上楼，想让物业给他发个表扬信。', { type: 'suggestion' });
    const s = (await api('GET', `/tickets/${tk.id}/kb-suggestions`, agent.token)).json();
    expect(s.items).toEqual([]);
    expect(s.scripts).toEqual([]);
  });

  it('an item is not used until used; using it marks it and counts in the application rate', async () => {
    const demo = (await api('GET', '/kb/application-rate', agent.token)).json();
    // the demo history has knowledge use on a realistic share of resolved requests
    expect(demo.resolved).toBeGreaterThan(50);
    expect(demo.rate).toBeGreaterThan(0.1);
    expect(demo.rate).toBeLessThan(0.9);
    const tk = await newTicket('阳台地漏又反水', '洗衣机排水时阳台地漏往外冒水');
    const before = (await api('GET', `/tickets/${tk.id}/kb-suggestions`, agent.token)).json();
    const first = before.items[0] as Hit;
    expect(first.used).toBe(false);
    expect((await api('POST', `/tickets/${tk.id}/kb-usage`, agent.token, { itemId: first.id, kind: 'used' })).statusCode).toBe(201);
    const after = (await api('GET', `/tickets/${tk.id}/kb-suggestions`, agent.token)).json();
    expect(after.items.find((h: Hit) => h.id === first.id).used).toBe(true);
    expect((await api('POST', `/tickets/${tk.id}/resolve`, agent.token, { resolution: '已疏通立管' })).statusCode).toBe(200);
    const rate = (await api('GET', '/kb/application-rate', agent.token)).json();
    expect(rate.resolved).toBe(demo.resolved + 1);
    expect(rate.resolvedWithKnowledge).toBe(demo.resolvedWithKnowledge + 1);
  });
});
