import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { forgetWechatTokens, plainSignature, templateData } from '../src/modules/channels/channels.wechat';
import { testApp, type TestApp } from './harness';
import { startSmtpSink, type SmtpSink } from './mail-harness';

/**
 * WeChat template messages (模板消息) and subscribe notifications (订阅通知) outside the 48-hour customer-service
 * window, and survey invitations by the customer's own channel (email / SMS / WeChat), counted at local fakes:
 * a fake WeChat platform (token, custom/send with the platform's 45015, template/send, subscribe/bizsend), a fake SMS
 * provider (Aliyun SendSms; its signature is verified in channels-sms.test.ts) and an SMTP sink.
 */
const APP_ID = 'wx00templates0001';
const APP_SECRET = 'tpl-secret-0123456789';
const TOKEN = 'chiduTpl2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

interface WxCall {
  path: string;
  body: { touser: string; template_id?: string; url?: string; page?: string; data?: Record<string, { value: string }>; text?: { content: string } };
}
interface Fakes {
  url: string;
  wx: WxCall[];
  sms: { phone: string; template: string; params: Record<string, string> }[];
  /** openids the platform says left the 48-hour window (custom/send → 45015) / unfollowed (template → 43004). */
  closed: Set<string>;
  unfollowed: Set<string>;
  close(): Promise<void>;
}

async function startFakes(): Promise<Fakes> {
  const f: Fakes = { url: '', wx: [], sms: [], closed: new Set(), unfollowed: new Set(), close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (o: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const u = new URL(req.url ?? '/', 'http://fake');
      if (u.pathname === '/cgi-bin/token') return json({ access_token: 'TPL-TOKEN', expires_in: 7200 });
      if (u.pathname.startsWith('/cgi-bin/message/')) {
        if (u.searchParams.get('access_token') !== 'TPL-TOKEN') return json({ errcode: 40001, errmsg: 'invalid credential' });
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WxCall['body'];
        if (u.pathname === '/cgi-bin/message/custom/send' && f.closed.has(body.touser)) return json({ errcode: 45015, errmsg: 'response out of time limit' });
        if (u.pathname !== '/cgi-bin/message/custom/send' && f.unfollowed.has(body.touser)) return json({ errcode: 43004, errmsg: 'require subscribe' });
        f.wx.push({ path: u.pathname, body });
        return json({ errcode: 0, errmsg: 'ok', ...(u.pathname.endsWith('template/send') ? { msgid: 200228332 + f.wx.length } : {}) });
      }
      if (u.searchParams.get('Action') === 'SendSms') {
        f.sms.push({
          phone: u.searchParams.get('PhoneNumbers')!,
          template: u.searchParams.get('TemplateCode')!,
          params: JSON.parse(u.searchParams.get('TemplateParam') ?? '{}') as Record<string, string>,
        });
        return json({ Code: 'OK', Message: 'OK', BizId: `biz-${f.sms.length}`, RequestId: 'r' });
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  f.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  f.close = () => new Promise((r) => server.close(() => r()));
  return f;
}

let t: TestApp;
let fakes: Fakes;
let sink: SmtpSink;
let admin: string;
let agent: string;
let wxChannel: string;
let callbackPath: string;
let seq = 5000;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

const textXml = (openid: string, content: string) =>
  `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${++seq}</MsgId></xml>`;
async function wechatWrites(openid: string, content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const q = new URLSearchParams({ timestamp, nonce, signature: plainSignature(TOKEN, timestamp, nonce) });
  const res = await t.app.inject({
    method: 'POST',
    url: `${callbackPath}?${q.toString()}`,
    headers: { 'content-type': 'text/xml' },
    payload: textXml(openid, content),
  });
  expect(res.statusCode).toBe(200);
  await drainInbound(t.database); // accept then ingest: the ticket exists once the inbound queue is drained
  const [row] = await t.database.rows<{ id: string; number: string; customer_id: string }>(
    sql`SELECT t.id, t.number, t.customer_id FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid} ORDER BY t.created_at DESC LIMIT 1`,
  );
  return row!;
}
const closeWindow = (openid: string) => t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '3 days' WHERE value = ${openid}`);
const deliveries = async (id: string) =>
  (await api('GET', `/tickets/${id}/deliveries`, admin)).json().items as { status: string; kind: string; lastError: string | null }[];

const TEMPLATES = {
  ticket_update: {
    mode: 'template',
    templateId: 'TPL_UPDATE_001',
    fields: { first: '您的工单有新回复', keyword1: '{number}', keyword2: '{status}', remark: '{text}' },
  },
  survey_invite: { mode: 'template', templateId: 'TPL_SURVEY_001', fields: { first: '请为本次服务评价', keyword1: '{number}', keyword2: '{time}' } },
  visit_reminder: { mode: 'subscribe', templateId: 'SUB_VISIT_001', fields: { thing1: '{subject}', time2: '{time}', character_string3: '{number}' } },
};

beforeAll(async () => {
  fakes = await startFakes();
  sink = await startSmtpSink();
  process.env.CHIDU_CHANNELS_WORKER = '0';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  forgetWechatTokens();
  const wx = await api('POST', '/channels', admin, {
    kind: 'wechat_oa',
    name: '模板服务号',
    config: { appId: APP_ID, appSecret: APP_SECRET, token: TOKEN, encodingAesKey: AES_KEY, apiBase: fakes.url, templates: TEMPLATES },
  });
  expect(wx.statusCode, wx.body).toBe(201);
  wxChannel = wx.json().id;
  callbackPath = new URL(wx.json().callbackUrl as string).pathname;
  const sms = await api('POST', '/channels', admin, {
    kind: 'sms_aliyun',
    name: '阿里云短信',
    config: { keyId: 'LTAItpl', keySecret: 'tpl-sms-secret', signName: '尺度物业', templates: { survey_invite: 'SMS_SURVEY' }, apiBase: fakes.url },
  });
  expect(sms.statusCode, sms.body).toBe(201);
  const mail = await api('POST', '/channels', admin, {
    kind: 'email',
    name: '客服邮箱',
    config: { address: 'service@tpl.example', smtp: { host: '127.0.0.1', port: sink.port, secure: false } },
  });
  expect(mail.statusCode, mail.body).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
  await sink?.stop();
  delete process.env.CHIDU_CHANNELS_WORKER;
});

describe('WeChat template messages and subscribe notifications', () => {
  it('config: templates are validated (400 naming the field) and returned; fields filled and cut to the subscribe limits', async () => {
    const bad = await api('POST', '/channels', admin, {
      kind: 'wechat_oa',
      name: '坏模板',
      config: {
        appId: APP_ID,
        appSecret: APP_SECRET,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        templates: { survey_invite: { templateId: '', fields: { 'bad field': 'x' } } },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('config.templates.survey_invite');
    const got = (await api('GET', `/channels/${wxChannel}`, admin)).json();
    expect(got.config.templates).toEqual(TEMPLATES);
    expect(JSON.stringify(got)).not.toContain(APP_SECRET);
    const data = templateData(
      { mode: 'subscribe', templateId: 'x', fields: { thing1: '{subject}', character_string2: '{number}', keyword1: '{missing}' } },
      { subject: '一二三四五六七八九十一二三四五六七八九十超出', number: 'T-1' },
    );
    expect(data).toEqual({ thing1: { value: '一二三四五六七八九十一二三四五六七八九十' }, character_string2: { value: 'T-1' }, keyword1: { value: '' } });
  });

  it('inside the window: customer-service text; window closed: the ticket_update template with the fields filled; 45015 → template', async () => {
    const openid = 'oTpl_A_000100';
    const tk = await wechatWrites(openid, '楼道灯坏了');
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '已安排电工。', visibility: 'public' });
    const n = fakes.wx.length;
    await drainOutbox(t.database);
    expect(fakes.wx.slice(n).map((c) => c.path)).toEqual(['/cgi-bin/message/custom/send']);

    await closeWindow(openid);
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '电工明早 9 点到。', visibility: 'public' });
    await drainOutbox(t.database);
    const tpl = fakes.wx.slice(n + 1);
    expect(tpl).toHaveLength(1);
    expect(tpl[0]).toEqual({
      path: '/cgi-bin/message/template/send',
      body: {
        touser: openid,
        template_id: 'TPL_UPDATE_001',
        data: {
          first: { value: '您的工单有新回复' },
          keyword1: { value: tk.number },
          keyword2: { value: '客服已回复' },
          remark: { value: '电工明早 9 点到。' },
        },
      },
    });
    expect((await deliveries(tk.id))[0]).toMatchObject({ status: 'sent', kind: 'reply' });

    // Our record says the window is open, the platform says it is not (45015): the template goes instead.
    await wechatWrites(openid, '好的');
    fakes.closed.add(openid);
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '已完成。', visibility: 'public' });
    await drainOutbox(t.database);
    fakes.closed.delete(openid);
    expect(fakes.wx.at(-1)!.path).toBe('/cgi-bin/message/template/send');
    expect(fakes.wx.at(-1)!.body.data!.remark!.value).toBe('已完成。');

    // Unfollowed (43004): dead at once with the reason; consent withdrawn: never sent.
    await closeWindow(openid);
    fakes.unfollowed.add(openid);
    const before = fakes.wx.length;
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '再次回访。', visibility: 'public' });
    await drainOutbox(t.database);
    fakes.unfollowed.delete(openid);
    expect(fakes.wx.length).toBe(before);
    expect((await deliveries(tk.id))[0]).toMatchObject({ status: 'dead' });
    expect((await deliveries(tk.id))[0]!.lastError).toContain('not_subscribed');
    await api('PATCH', `/customers/${tk.customer_id}`, admin, { consent: { wechat: false } });
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '撤回后不应发送。', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fakes.wx.length).toBe(before);
  });

  it('visit reminders go as a subscribe notification (bizsend, page-less, thing cut to 20) when the window is closed', async () => {
    const { queueReminderWechat } = await import('../src/modules/channels/channels.wechat.senders');
    const openid = 'oTpl_B_000200';
    const tk = await wechatWrites(openid, '空调不制冷，请上门');
    await closeWindow(openid);
    const start = new Date(Date.now() + 86400_000);
    const outcome = await t.database.transaction((tx) =>
      queueReminderWechat(tx, {
        ticketId: tk.id,
        ticketNumber: tk.number,
        customerId: tk.customer_id,
        subject: '上门维修提醒：空调不制冷请保持家中有人谢谢配合',
        body: '师傅明天上门。',
        start,
        at: new Date(),
      } as Parameters<typeof queueReminderWechat>[1]),
    );
    expect(outcome).toBe('queued');
    const n = fakes.wx.length;
    await drainOutbox(t.database);
    const call = fakes.wx.slice(n);
    expect(call).toHaveLength(1);
    expect(call[0]!.path).toBe('/cgi-bin/message/subscribe/bizsend');
    expect(call[0]!.body.template_id).toBe('SUB_VISIT_001');
    expect([...call[0]!.body.data!.thing1!.value]).toHaveLength(20);
    expect(call[0]!.body.data!.character_string3!.value).toBe(tk.number);
    expect(call[0]!.body.data!.time2!.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });
});

describe("survey invitations by the customer's channel", () => {
  it('three customers (email, SMS, WeChat) resolved → one invitation each at the three fakes; no consent → nothing anywhere', async () => {
    const tpl = await api('POST', '/survey-templates', admin, {
      name: '按客户渠道回访',
      questions: [{ id: 'csat', kind: 'csat', label: '满意吗？', required: true }],
      rules: { triggers: ['ticket.resolved'], channel: 'customer' },
    });
    expect(tpl.statusCode, tpl.body).toBe(201);
    const mkTicket = async (customer: Record<string, unknown>, channel: string, consent?: Record<string, boolean>) => {
      const c = await api('POST', '/customers', agent, customer);
      expect(c.statusCode, c.body).toBe(201);
      if (consent) expect((await api('PATCH', `/customers/${c.json().id}`, admin, { consent })).statusCode).toBe(200);
      const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'inquiry', channel, subject: '水压低', description: '早上水压很低' });
      expect(tk.statusCode, tk.body).toBe(201);
      return tk.json<{ id: string; number: string }>();
    };
    const mail = await mkTicket({ name: '邮件客户', email: 'mail.customer@tpl.example' }, 'email');
    const sms = await mkTicket({ name: '短信客户', phone: '13700001234' }, 'phone');
    const wxTicket = await wechatWrites('oTpl_C_000300', '水压低');
    // A customer with every contact but no consent for any of them, and one who declined surveys.
    const none = await mkTicket({ name: '不打扰客户', phone: '13700005678', email: 'quiet@tpl.example' }, 'email', { email: false, sms: false });
    const noSurveys = await mkTicket({ name: '不参与调查', phone: '13700009999', email: 'nosurvey@tpl.example' }, 'phone', { surveys: false });

    const wx0 = fakes.wx.length;
    const sms0 = fakes.sms.length;
    const mail0 = sink.messages.length;
    for (const id of [mail.id, sms.id, wxTicket.id, none.id, noSurveys.id]) {
      const r = await api('POST', `/tickets/${id}/resolve`, admin, { resolution: '已调节水压' });
      expect(r.statusCode, r.body).toBe(200);
    }
    while ((await drainOutbox(t.database)) > 0);
    await sink.waitFor(mail0 + 1);

    const mails = sink.messages.slice(mail0);
    expect(mails).toHaveLength(1);
    expect((mails[0]!.to as { text: string }).text).toContain('mail.customer@tpl.example');
    expect(mails[0]!.text).toMatch(/\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}/);
    const texts = fakes.sms.slice(sms0);
    expect(texts).toEqual([expect.objectContaining({ phone: '13700001234', template: 'SMS_SURVEY', params: expect.objectContaining({ number: sms.number }) })]);
    const wx = fakes.wx.slice(wx0);
    expect(wx).toHaveLength(1);
    expect(wx[0]!.path).toBe('/cgi-bin/message/custom/send'); // the user just wrote: inside the window
    expect(wx[0]!.body.touser).toBe('oTpl_C_000300');
    expect(wx[0]!.body.text!.content).toContain(wxTicket.number);

    const survey = async (id: string) =>
      (await api('GET', `/tickets/${id}/survey`, admin)).json().invitation as { deliveries: { channel: string; state: string }[] } | null;
    expect((await survey(mail.id))!.deliveries).toEqual([expect.objectContaining({ channel: 'email', state: 'queued' })]);
    expect((await survey(sms.id))!.deliveries).toEqual([expect.objectContaining({ channel: 'sms', state: 'queued' })]);
    expect((await survey(wxTicket.id))!.deliveries).toEqual([expect.objectContaining({ channel: 'wechat', state: 'queued' })]);
    expect((await survey(none.id))!.deliveries).toEqual([expect.objectContaining({ state: 'no_gateway' })]);
    expect(await survey(noSurveys.id)).toBeNull();
    const outbox = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM channel_outbox WHERE kind = 'survey' AND recipient IN ('quiet@tpl.example', '13700005678', 'nosurvey@tpl.example', '13700009999')`,
    );
    expect(outbox[0]!.n).toBe(0);
  });

  it('a WeChat customer outside the window gets the invitation as the survey_invite template with the link as its URL', async () => {
    const tk = await wechatWrites('oTpl_D_000400', '门禁坏了');
    await closeWindow('oTpl_D_000400');
    const n = fakes.wx.length;
    expect((await api('POST', `/tickets/${tk.id}/resolve`, admin, { resolution: '已修好' })).statusCode).toBe(200);
    await drainOutbox(t.database);
    const call = fakes.wx.slice(n);
    expect(call).toHaveLength(1);
    expect(call[0]!.path).toBe('/cgi-bin/message/template/send');
    expect(call[0]!.body).toMatchObject({ touser: 'oTpl_D_000400', template_id: 'TPL_SURVEY_001', data: { keyword1: { value: tk.number } } });
    expect(call[0]!.body.url).toMatch(/\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
  });
});

describe("the customer 360's timeline of every channel (GET /customers/{id}/messages)", () => {
  it('WeChat in, replies out (custom message and template) with their delivery, newest first, paged; another agent → 404', async () => {
    const openid = 'oTpl_E_000500';
    const tk = await wechatWrites(openid, '<b>电梯</b>困人了\u0007');
    await wechatWrites(openid, '在 3 号楼');
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '救援人员已出发。', visibility: 'public' });
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '内部：联系维保公司', visibility: 'internal' });
    await drainOutbox(t.database);
    await closeWindow(openid);
    await api('POST', `/tickets/${tk.id}/replies`, admin, { body: '已解救，设备检修中。', visibility: 'public' });
    await drainOutbox(t.database);

    const res = await api('GET', `/customers/${tk.customer_id}/messages`, admin);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as {
      kind: string;
      direction: string;
      text: string;
      channel: { kind: string; name: string | null };
      delivery: { status: string } | null;
      ticket: { number: string };
    }[];
    expect(items.map((i) => [i.kind, i.direction, i.text])).toEqual([
      ['reply', 'out', '已解救，设备检修中。'],
      ['reply', 'out', '救援人员已出发。'],
      ['reply', 'in', '在 3 号楼'],
      ['opening', 'in', '电梯困人了'],
    ]);
    expect(items[0]).toMatchObject({ channel: { kind: 'wechat_oa', name: '模板服务号' }, delivery: { status: 'sent' }, ticket: { number: tk.number } });
    expect(items[2]!.channel).toEqual({ kind: 'wechat_oa', name: '模板服务号' });
    expect(JSON.stringify(items)).not.toContain('内部：联系维保公司');

    const first = (await api('GET', `/customers/${tk.customer_id}/messages?limit=3`, admin)).json();
    expect(first.items).toHaveLength(3);
    const second = (await api('GET', `/customers/${tk.customer_id}/messages?limit=3&cursor=${first.nextCursor as string}`, admin)).json();
    expect(second).toMatchObject({ items: [{ kind: 'opening' }], nextCursor: null });

    // Another agent (not owner, not creator, not the ticket's team) sees nothing of it: 404.
    const other = (await t.as(['agent'])).token;
    expect((await api('GET', `/customers/${tk.customer_id}/messages`, other)).statusCode).toBe(404);
    expect((await api('GET', `/customers/${tk.customer_id}/messages?cursor=nope`, admin)).statusCode).toBe(400);
  });

  it('a survey invitation by SMS appears as a notification with their channel and delivery state', async () => {
    const c = await api('POST', '/customers', agent, { name: '时间线客户', phone: '13700004321', email: 'timeline@tpl.example' });
    const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'inquiry', channel: 'phone', subject: '停车位', description: '车位被占' });
    expect((await api('POST', `/tickets/${tk.json().id}/resolve`, admin, { resolution: '已处理' })).statusCode).toBe(200);
    while ((await drainOutbox(t.database)) > 0);
    const items = (await api('GET', `/customers/${c.json().id}/messages`, agent)).json().items as {
      kind: string;
      purpose: string | null;
      channel: { kind: string };
      delivery: { status: string } | null;
    }[];
    expect(items[0]).toMatchObject({ kind: 'notification', purpose: 'survey', channel: { kind: 'sms_aliyun' }, delivery: { status: 'sent' } });
    expect(items.at(-1)).toMatchObject({ kind: 'opening', channel: { kind: 'phone' } });
  });
});
