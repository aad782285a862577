import { drainInbound } from '../src/modules/channels/channels.inbound';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { forgetWechatTokens, plainSignature } from '../src/modules/channels/channels.wechat';
import { scanReactivation } from '../src/modules/loops/care';
import { forgetLoopSettings } from '../src/modules/loops/settings';
import { sendDueTouches } from '../src/modules/loops/touches';
import { testApp, type TestApp } from './harness';
import { startSmtpSink, type SmtpSink } from './mail-harness';

/**
 * Automatic care contacts and reactivation touches (docs/surveys.md §4/§5) sent through the customer's channel,
 * counted at local fakes: a fake WeChat platform (token, custom/send, template/send), a fake Aliyun SendSms and an
 * SMTP sink. Consent withdrawn → nothing sent, the task stays for a person with the reason.
 */
const TOKEN = 'chiduAuto2026';
interface Fakes {
  url: string;
  wx: { path: string; body: { touser: string; template_id?: string; text?: { content: string } } }[];
  sms: { phone: string; template: string; params: Record<string, string> }[];
  close(): Promise<void>;
}
async function startFakes(): Promise<Fakes> {
  const f: Fakes = { url: '', wx: [], sms: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (o: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const u = new URL(req.url ?? '/', 'http://fake');
      if (u.pathname === '/cgi-bin/token') return json({ access_token: 'AUTO-TOKEN', expires_in: 7200 });
      if (u.pathname.startsWith('/cgi-bin/message/')) {
        f.wx.push({ path: u.pathname, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Fakes['wx'][number]['body'] });
        return json({ errcode: 0, errmsg: 'ok', msgid: 1 });
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
let callbackPath: string;
let seq = 9000;
const api = (m: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

interface Task {
  id: string;
  ticketId: string | null;
  customerId: string;
  seq: number;
  state: string;
  mode: string;
  auto: { state: string; channel: string | null; sentAt: string | null; reason: string | null; delivery: string | null } | null;
}
const careTasks = async (ticketId: string) =>
  ((await api('GET', '/care-tasks?kind=care&state=all', admin)).json().items as Task[]).filter((x) => x.ticketId === ticketId).sort((a, b) => a.seq - b.seq);
const makeDue = (where: ReturnType<typeof sql>) => t.database.rows(sql`UPDATE care_tasks SET due_at = now() - interval '1 minute' WHERE ${where}`);
const drain = async () => {
  while ((await drainOutbox(t.database)) > 0);
};

async function wechatWrites(openid: string, content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const q = new URLSearchParams({ timestamp, nonce, signature: plainSignature(TOKEN, timestamp, nonce) });
  const xml = `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${++seq}</MsgId></xml>`;
  const res = await t.app.inject({ method: 'POST', url: `${callbackPath}?${q.toString()}`, headers: { 'content-type': 'text/xml' }, payload: xml });
  expect(res.statusCode).toBe(200);
  await drainInbound(t.database); // accept then ingest: the callback only queued the message
  const [row] = await t.database.rows<{ id: string; number: string; customer_id: string }>(
    sql`SELECT t.id, t.number, t.customer_id FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid} ORDER BY t.created_at DESC LIMIT 1`,
  );
  return row!;
}

beforeAll(async () => {
  fakes = await startFakes();
  sink = await startSmtpSink();
  process.env.CHIDU_CHANNELS_WORKER = '0';
  process.env.CHIDU_LOOPS_WORKER = '0';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  forgetWechatTokens();
  forgetLoopSettings();
  const wx = await api('POST', '/channels', admin, {
    kind: 'wechat_oa',
    name: '关怀服务号',
    config: {
      appId: 'wx00autotouch0001',
      appSecret: 'auto-secret-0123456789',
      token: TOKEN,
      encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      apiBase: fakes.url,
      templates: { ticket_update: { mode: 'template', templateId: 'TPL_UPDATE_AUTO', fields: { first: '回访', keyword1: '{number}', remark: '{text}' } } },
    },
  });
  expect(wx.statusCode, wx.body).toBe(201);
  callbackPath = new URL(wx.json().callbackUrl as string).pathname;
  const sms = await api('POST', '/channels', admin, {
    kind: 'sms_aliyun',
    name: '阿里云短信',
    config: { keyId: 'LTAIauto', keySecret: 'auto-sms-secret', signName: '尺度物业', templates: { care_touch: 'SMS_CARE' }, apiBase: fakes.url },
  });
  expect(sms.statusCode, sms.body).toBe(201);
  const mail = await api('POST', '/channels', admin, {
    kind: 'email',
    name: '客服邮箱',
    config: { address: 'service@auto.example', smtp: { host: '127.0.0.1', port: sink.port, secure: false } },
  });
  expect(mail.statusCode, mail.body).toBe(201);
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
  await sink?.stop();
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_LOOPS_WORKER;
});

describe('touch settings', () => {
  it('per contact: mode and text, aligned to the days with the default text; bad input → 400 naming the field', async () => {
    const got = (await api('GET', '/loops/settings', admin)).json();
    expect(got.care.touches).toHaveLength(3);
    expect(got.care.touches[0]).toMatchObject({ mode: 'task' });
    expect(got.care.touches[0].text).toContain('{name}');
    expect(got.reactivation.touches).toHaveLength(4);

    const unknown = await api('PUT', '/loops/settings', admin, { care: { touches: [{ mode: 'message', text: '{姓名}您好' }] } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().errors)).toContain('care.touches[0].text');
    const badMode = await api('PUT', '/loops/settings', admin, { reactivation: { touches: [{ mode: 'robot', text: 'x' }] } });
    expect(badMode.statusCode).toBe(400);
    expect(JSON.stringify(badMode.json().errors)).toContain('reactivation.touches[0].mode');
    const empty = await api('PUT', '/loops/settings', admin, { care: { touches: [{ mode: 'message', text: '  ' }] } });
    expect(empty.statusCode).toBe(400);
    const tooMany = await api('PUT', '/loops/settings', admin, {
      care: {
        contactDays: [1],
        touches: [
          { mode: 'message', text: 'a' },
          { mode: 'task', text: 'b' },
        ],
      },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(JSON.stringify(tooMany.json().errors)).toContain('care.touches');
    expect((await api('PUT', '/loops/settings', agent, { care: { touches: [] } })).statusCode).toBe(403);

    const ok = await api('PUT', '/loops/settings', admin, {
      care: { ticketTypes: ['after_sales', 'repair', 'inquiry'], touches: [{ mode: 'message', text: '{name}您好，{number} 的维修效果如何？直接回复即可。' }] },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().care.touches.map((x: { mode: string }) => x.mode)).toEqual(['message', 'task', 'task']);
  });
});

describe('automatic care contacts', () => {
  it("sent by e-mail / SMS / WeChat per the customer's channel; no consent → no send, a task with the reason; delivery recorded", async () => {
    const mkTicket = async (customer: Record<string, unknown>, channel: string, consent?: Record<string, boolean>) => {
      const c = await api('POST', '/customers', agent, customer);
      expect(c.statusCode, c.body).toBe(201);
      if (consent) expect((await api('PATCH', `/customers/${c.json().id}`, admin, { consent })).statusCode).toBe(200);
      const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'repair', channel, subject: '热水器不出热水', description: '点火失败' });
      expect(tk.statusCode, tk.body).toBe(201);
      return tk.json<{ id: string; number: string }>();
    };
    const mail = await mkTicket({ name: '邮件客户', email: 'care.mail@auto.example' }, 'email');
    const phone = await mkTicket({ name: '短信客户', phone: '13800001111' }, 'phone');
    const wx = await wechatWrites('oAuto_A_000100', '热水器坏了');
    const quiet = await mkTicket({ name: '不打扰客户', phone: '13800002222', email: 'quiet@auto.example' }, 'email', { email: false, sms: false });
    const ids = [mail.id, phone.id, wx.id, quiet.id];
    for (const id of ids) expect((await api('POST', `/tickets/${id}/resolve`, admin, { resolution: '更换点火器' })).statusCode).toBe(200);
    const before = await careTasks(mail.id);
    expect(before.map((x) => x.mode)).toEqual(['message', 'task', 'task']);
    expect(before[0]!.auto).toBeNull();

    // Not yet due: nothing goes.
    const early = await sendDueTouches(t.database);
    expect(early.sent).toBe(0);
    await makeDue(
      sql`seq = 1 AND ticket_id IN (${sql.join(
        ids.map((i) => sql`${i}::uuid`),
        sql`, `,
      )})`,
    );
    const wx0 = fakes.wx.length;
    const sms0 = fakes.sms.length;
    const mail0 = sink.messages.length;
    const res = await sendDueTouches(t.database);
    expect(res, JSON.stringify(await Promise.all(ids.map(async (i) => (await careTasks(i))[0]?.auto)))).toEqual({ sent: 3, fallback: 1 });
    await drain();
    await sink.waitFor(mail0 + 1);

    const mails = sink.messages.slice(mail0);
    expect(mails).toHaveLength(1);
    expect((mails[0]!.to as { text: string }).text).toContain('care.mail@auto.example');
    expect(mails[0]!.text).toContain(`邮件客户您好，${mail.number} 的维修效果如何？`);
    expect(fakes.sms.slice(sms0)).toEqual([{ phone: '13800001111', template: 'SMS_CARE', params: { name: '短信客户', number: phone.number } }]);
    const wxCalls = fakes.wx.slice(wx0);
    expect(wxCalls).toHaveLength(1);
    expect(wxCalls[0]!.path).toBe('/cgi-bin/message/custom/send');
    expect(wxCalls[0]!.body.text!.content).toContain(wx.number);

    for (const [id, channel] of [
      [mail.id, 'email'],
      [phone.id, 'sms'],
      [wx.id, 'wechat'],
    ] as const) {
      const [first] = await careTasks(id);
      expect(first).toMatchObject({ state: 'done', mode: 'message', auto: { state: 'queued', channel, delivery: 'sent', reason: null } });
      expect(first!.auto!.sentAt).toBeTruthy();
      const timeline = (await api('GET', `/tickets/${id}`, admin)).json().timeline as { kind: string; data: Record<string, unknown> }[];
      expect(timeline.find((e) => e.kind === 'care.contacted')!.data).toMatchObject({ auto: true, channel });
      // An automatic message is not a contact by a person: no ticket.revisited (the 3-contact care standard).
      expect(timeline.some((e) => e.kind === 'ticket.revisited')).toBe(false);
    }
    const [q] = await careTasks(quiet.id);
    expect(q).toMatchObject({ state: 'pending', mode: 'message', auto: { state: 'fallback', reason: 'no_consent', channel: null, delivery: null } });
    const none = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM channel_outbox WHERE recipient IN ('quiet@auto.example', '13800002222')`,
    );
    expect(none[0]!.n).toBe(0);
    // A fallen-back touch is not retried automatically: the person does it (completing it as usual).
    expect((await sendDueTouches(t.database)).fallback).toBe(0);
    expect((await api('POST', `/care-tasks/${q!.id}/complete`, admin, { result: 'reached', outcome: '电话回访，已正常' })).statusCode).toBe(200);

    // An SMS delivery receipt shows as delivered.
    await t.database.rows(sql`UPDATE channel_outbox SET receipt = 'delivered' WHERE recipient = '13800001111' AND kind = 'touch'`);
    expect((await careTasks(phone.id))[0]!.auto!.delivery).toBe('delivered');
  });

  it('WeChat outside the 48-hour window: the ticket_update template', async () => {
    const tk = await wechatWrites('oAuto_B_000200', '门锁坏了');
    expect((await api('POST', `/tickets/${tk.id}/resolve`, admin, { resolution: '已换锁' })).statusCode).toBe(200);
    await t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '3 days' WHERE value = 'oAuto_B_000200'`);
    await drain(); // the resolve's own update to the customer
    await makeDue(sql`seq = 1 AND ticket_id = ${tk.id}`);
    const n = fakes.wx.length;
    expect((await sendDueTouches(t.database)).sent).toBe(1);
    await drain();
    const calls = fakes.wx.slice(n);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe('/cgi-bin/message/template/send');
    expect(calls[0]!.body).toMatchObject({ touser: 'oAuto_B_000200', template_id: 'TPL_UPDATE_AUTO' });
  });

  it('two schedulers at once send each due touch once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await api('POST', '/customers', agent, { name: `并发客户${i}`, email: `race${i}@auto.example` });
      const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'repair', channel: 'email', subject: '漏水', description: '厨房漏水' });
      expect((await api('POST', `/tickets/${tk.json().id}/resolve`, admin, { resolution: '已修' })).statusCode).toBe(200);
      made.push(tk.json().id as string);
    }
    await makeDue(
      sql`seq = 1 AND ticket_id IN (${sql.join(
        made.map((i) => sql`${i}::uuid`),
        sql`, `,
      )})`,
    );
    const [a, b] = await Promise.all([sendDueTouches(t.database), sendDueTouches(t.database)]);
    expect(a.sent + b.sent).toBe(4);
    const rows = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM channel_outbox WHERE kind = 'touch' AND recipient LIKE 'race%@auto.example'`,
    );
    expect(rows[0]!.n).toBe(4);
  });
});

describe('automatic reactivation touches', () => {
  it('sent with marketing consent (the run goes on); without it → no send, a task with the reason', async () => {
    expect(
      (
        await api('PUT', '/loops/settings', admin, {
          reactivation: { touches: [{ mode: 'message', text: '{name}您好，好久不见！' }] },
        })
      ).statusCode,
    ).toBe(200);
    const silent = async (name: string, email: string) => {
      const c = await api('POST', '/customers', agent, { name, email });
      const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'inquiry', channel: 'email', subject: '咨询', description: '停车位' });
      await t.database.rows(
        sql`UPDATE tickets SET created_at = now() - interval '400 days', updated_at = now() - interval '400 days' WHERE id = ${tk.json().id}`,
      );
      return c.json().id as string;
    };
    const yes = await silent('愿意客户', 'yes@auto.example');
    const no = await silent('拒绝营销', 'nomarketing@auto.example');
    await scanReactivation(t.database);
    expect((await api('PATCH', `/customers/${no}`, admin, { consent: { marketing: false } })).statusCode).toBe(200);
    await drain();
    await sink.waitFor(sink.messages.length);
    const mail0 = sink.messages.length;
    await sendDueTouches(t.database);
    await drain();
    await sink.waitFor(mail0 + 1);
    const mails = sink.messages.slice(mail0);
    expect(mails).toHaveLength(1);
    expect((mails[0]!.to as { text: string }).text).toContain('yes@auto.example');
    expect(mails[0]!.text).toContain('愿意客户您好，好久不见！');

    const runOf = async (id: string) => (await api('GET', `/customers/${id}/reactivation`, admin)).json().items[0] as { state: string; tasks: Task[] };
    const y = await runOf(yes);
    expect(y.state).toBe('active');
    expect(y.tasks[0]).toMatchObject({ state: 'done', mode: 'message', auto: { state: 'queued', channel: 'email', delivery: 'sent' } });
    expect(y.tasks.slice(1).map((x) => x.state)).toEqual(['pending', 'pending', 'pending']);
    const n = await runOf(no);
    expect(n.tasks[0]).toMatchObject({ state: 'pending', auto: { state: 'fallback', reason: 'no_marketing_consent' } });
    const c360 = (await api('GET', `/customers/${yes}/360`, admin)).json();
    const touched = (c360.timeline as { kind: string; data: Record<string, unknown> }[]).find((e) => e.kind === 'reactivation.touched');
    expect(touched?.data).toMatchObject({ auto: true, channel: 'email' });
  });
});
