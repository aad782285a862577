#!/usr/bin/env node
/**
 * Browser journey for issue #14 (email channel finished).
 *
 *   node e2e/all.mjs channels            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs channels --no-build
 *
 * The administrator (A0001, zh-CN, 1440×900) configures an email channel on 渠道接入 — SMTP out to a local SMTP server
 * standing in for the customers' mailboxes, mail in through the built-in SMTP listener (SMTP_LISTEN), unknown senders
 * to the review queue — and presses 测试连接. A known customer's mail arrives and becomes a ticket; the reply typed on
 * the ticket page is delivered (the outbox says 已发送 and the local SMTP server holds the threaded mail). A stranger's
 * mail waits on 待审核邮件 and is made a ticket there. (IMAP IDLE against dovecot is covered by
 * packages/server/test/channels-idle.test.ts.) Then a 微信公众号 channel is added on the same page (its API base pointed at a
 * local stand-in for the token endpoint), the callback URL is shown to copy, 测试连接 fetches an access token, and a
 * signed WeChat text message posted to the callback URL becomes a ticket. One customer across channels: the WeChat user
 * writes the phone of a known customer (王丽); her 360 offers the WeChat customer under 疑似重复, the merge is made there;
 * 渠道身份 lists the openid (masked), the next WeChat message lands on her ticket, and withdrawing 微信联系 on the edit
 * form shows 微信联系：否 (only that flag written). A 微信客服 (企业微信) channel is created on the page and its callback URL shown.
 * Screenshots e2e/artifacts/channels-*.png.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { createServer } from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const h = createHarness({ shotPrefix: 'channels-', stepTimeout: STEP_TIMEOUT });
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, pickOption } = h;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** The customers' side: an SMTP server that keeps what Chidu sends. */
async function startSink() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => {
        messages.push(m);
        cb();
      }, cb);
    },
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { port, messages, stop: () => new Promise((r) => server.close(r)) };
}

async function sendMail(port, from, to, subject, text, extra = {}) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ from, to, subject, text, ...extra });
  } finally {
    t.close();
  }
}

async function until(probe, what, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const address = 'kefu@chidu.test';

/** The WeChat platform's token endpoint, standing in locally (the full fake is in packages/server/test/channels-wechat.test.ts). */
async function startWechatFake() {
  const calls = { token: 0 };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    res.writeHead(200, { 'content-type': 'application/json' });
    if (u.pathname === '/cgi-bin/token' && u.searchParams.get('secret') === 'e2e-app-secret') {
      calls.token++;
      res.end(JSON.stringify({ access_token: `E2E-TOKEN-${calls.token}`, expires_in: 7200 }));
    } else res.end(JSON.stringify({ errcode: 40125, errmsg: 'invalid appsecret' }));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, calls, stop: () => new Promise((r) => server.close(r)) };
}

/** DingTalk's token endpoint (/v1.0/oauth2/accessToken), standing in locally (the full fake: packages/server/test/dingtalk-fake.ts). */
async function startDingtalkFake() {
  const calls = { token: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const ok = req.url === '/v1.0/oauth2/accessToken' && body.appKey === 'dinge2eappkey' && body.appSecret === 'e2e-dingtalk-secret';
      if (ok) calls.token++;
      res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { accessToken: `E2E-DT-${calls.token}`, expireIn: 7200 } : { code: 'invalidClientIdOrSecret', message: 'bad' }));
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, calls, stop: () => new Promise((r) => server.close(r)) };
}

/**
 * Aliyun's SMS API (dysmsapi, RPC style), standing in locally: it checks the key id and that a signature is present
 * (the full fake recomputes the signature: packages/server/test/channels-sms.test.ts) and records what is sent.
 */
async function startAliyunSmsFake() {
  const sent = [];
  const calls = { statistics: 0 };
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://fake').searchParams;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (q.get('AccessKeyId') !== 'LTAI5tE2eKeyId' || !q.get('Signature') || q.get('SignatureMethod') !== 'HMAC-SHA1') {
      res.end(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' }));
    } else if (q.get('Action') === 'QuerySendStatistics') {
      calls.statistics++;
      res.end(JSON.stringify({ Code: 'OK', Message: 'OK', Data: { TotalSize: 0, TargetList: [] } }));
    } else if (q.get('Action') === 'SendSms') {
      sent.push({ phone: q.get('PhoneNumbers'), template: q.get('TemplateCode'), sign: q.get('SignName'), param: q.get('TemplateParam') });
      res.end(JSON.stringify({ Code: 'OK', Message: 'OK', BizId: `e2e-${sent.length}`, RequestId: `req-${sent.length}` }));
    } else res.end(JSON.stringify({ Code: 'InvalidAction' }));
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, sent, calls, stop: () => new Promise((r) => server.close(r)) };
}

async function journey(browser, base, listenPort, sink) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const customerEmail = 'wang.li@customer.example';
  let wxCallbackUrl = '';
  let wxTicket = null;
  let wxNonce = 20261206;
  /** A text message from the WeChat user oE2eUser000001, signed as the platform signs it, to the channel's callback URL. */
  const sendWechat = async (text, msgId) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(wxNonce++);
    const signature = createHash('sha1').update(['chiduE2Etoken', timestamp, nonce].sort().join('')).digest('hex');
    const xml = `<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[oE2eUser000001]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`;
    const res = await fetch(`${wxCallbackUrl}?${new URLSearchParams({ signature, timestamp, nonce })}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: xml,
    });
    if (res.status !== 200 || (await res.text()) !== 'success') fail(`WeChat callback answered ${res.status}`);
  };
  const findTicket = async (subject) =>
    (await admin('GET', `/tickets?limit=50&q=${encodeURIComponent(subject)}`)).body.items?.find((x) => x.subject === subject);

  await step('a known customer with an e-mail address', async () => {
    const c = await admin('POST', '/customers', { name: '王丽', email: customerEmail, phone: '13900001111' });
    if (c.status !== 201) fail(`POST /customers: ${c.status} ${JSON.stringify(c.body)}`);
  });

  const desk = await newWatchedPage(browser, 'A0001', problems);
  current = desk;
  await step('渠道接入: the administrator configures the email channel and tests the connection', async () => {
    await login(desk, base, 'A0001');
    await desk.goto(`${base}/channels`);
    await expectVisible(desk.getByRole('heading', { name: '渠道接入' }), 'the page title');
    await desk.getByTestId('channel-new').click();
    await desk.locator('#name').fill('物业客服邮箱');
    await desk.locator('#address').fill(address);
    await desk.locator('#smtp_host').fill('127.0.0.1');
    await desk.locator('#smtp_port').fill(String(sink.port));
    if ((await desk.locator('#smtp_secure').getAttribute('aria-checked')) === 'true') await desk.locator('#smtp_secure').click(); // a local server without TLS
    await pickOption(desk, desk.locator('#unknownSender').locator('xpath=ancestor::div[contains(@class,"ant-select")][1]'), '进入待审核队列');
    await shot(desk, 'configure-zh');
    await desk.getByTestId('channel-save').click();
    await expectVisible(desk.getByText('已保存').first(), 'saved');
    await desk.keyboard.press('Escape');
    await desk.getByTestId('channel-test').first().click();
    await expectVisible(desk.getByText(/SMTP：连接成功/).first(), 'the connection test result');
    await shot(desk, 'channel-zh');
  });

  let ticket;
  await step("the customer's mail arrives through the SMTP listener and becomes a ticket", async () => {
    await sendMail(listenPort, `王丽 <${customerEmail}>`, address, '小区东门门禁坏了', '您好，东门门禁刷卡没有反应，麻烦尽快修理。\n\n-- \n王丽');
    ticket = await until(() => findTicket('小区东门门禁坏了'), 'the ticket of the mail');
  });

  await step('the agent replies on the ticket page; the threaded mail is delivered', async () => {
    await desk.goto(`${base}/tickets/${ticket.id}`);
    await expectVisible(desk.getByText('小区东门门禁坏了').first(), 'the ticket');
    const input = desk.getByTestId('reply-input');
    await input.fill('王女士您好，维修师傅今天下午会到东门处理门禁，修好后告知您。');
    await desk.getByTestId('reply-submit').click();
    await expectVisible(desk.locator('[data-testid=reply][data-visibility=public]', { hasText: '维修师傅今天下午' }), 'the public reply');
    const mail = await until(() => sink.messages.find((m) => (m.text ?? '').includes('维修师傅今天下午')), 'the reply at the customer mailbox');
    if (!mail.subject?.includes(`[#${ticket.number}]`) || !mail.inReplyTo) fail(`reply not threaded: ${mail.subject} / ${mail.inReplyTo}`);
    await expectVisible(desk.getByTestId('email-deliveries').getByText('已发送'), 'the delivery state 已发送');
    await shot(desk, 'ticket-reply-zh');
  });

  await step("a stranger's mail waits on 待审核邮件 and is made a ticket there", async () => {
    await sendMail(listenPort, '陌生住户 <new.owner@else.example>', address, '车位租赁咨询', '请问地下车位还有出租的吗？月租多少？');
    await desk.goto(`${base}/channels/review`);
    await expectVisible(desk.getByRole('heading', { name: '待审核邮件' }), 'the review page title');
    const item = desk.getByTestId('mail-review-item').filter({ hasText: '车位租赁咨询' });
    await expectVisible(item.getByText('陌生发件人'), 'the reason tag');
    await shot(desk, 'review-zh');
    await item.getByTestId('review-make-ticket').click();
    await expectVisible(desk.getByText(/已建工单/).first(), 'the ticket made');
    await until(() => findTicket('车位租赁咨询'), 'the ticket from the review queue');
    await expectVisible(desk.getByText('没有待审核的邮件'), 'the empty queue');
  });

  await step('渠道接入: the administrator adds a 微信公众号 channel, copies the callback URL, tests it; a WeChat message becomes a ticket', async () => {
    const wx = await startWechatFake();
    try {
      await desk.goto(`${base}/channels`);
      await desk.getByTestId('channel-new-wechat').click();
      await desk.locator('#name').fill('物业服务号');
      await desk.locator('#appId').fill('wx00e2e0000000abcd');
      await desk.locator('#appSecret').fill('e2e-app-secret');
      await desk.locator('#token').fill('chiduE2Etoken');
      await desk.locator('#encodingAesKey').fill('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
      await desk.getByText('高级设置').click();
      await desk.locator('#apiBase').fill(wx.url);
      await shot(desk, 'wechat-configure-zh');
      await desk.getByTestId('wechat-save').click();
      const urlText = desk.getByTestId('wechat-created-url');
      await expectVisible(urlText, 'the callback URL to paste into the WeChat console');
      const callbackUrl = (await urlText.innerText()).trim();
      wxCallbackUrl = callbackUrl;
      if (!/\/api\/v1\/public\/channels\/wechat\/[0-9a-f-]{36}$/.test(callbackUrl)) fail(`unexpected callback URL ${callbackUrl}`);
      await shot(desk, 'wechat-callback-zh');
      await desk.locator('.ant-modal-confirm-btns button').click();
      const card = desk.locator('.ant-card').filter({ hasText: '物业服务号' });
      await expectVisible(card.getByTestId('wechat-callback-url'), 'the callback URL on the channel card');
      await card.getByTestId('channel-test').click();
      await expectVisible(desk.getByText(/获取 access_token：连接成功/).first(), 'the WeChat connection test result');
      if (wx.calls.token < 1) fail('the test connection did not ask the token endpoint');
      await shot(desk, 'wechat-channel-zh');

      const text = '微信留言：楼道灯坏了，麻烦来修一下';
      await sendWechat(text, '7100000000000000001');
      const made = await until(() => findTicket(text), 'the ticket from the WeChat message');
      if (made.channel !== 'wechat') fail(`ticket channel ${made.channel}`);
      wxTicket = made;
    } finally {
      await wx.stop();
    }
  });

  await step('渠道接入: the administrator adds an Aliyun SMS channel with its templates and tests it; a portal sign-in code goes out by SMS', async () => {
    const sms = await startAliyunSmsFake();
    try {
      await desk.goto(`${base}/channels`);
      await desk.getByTestId('channel-new-sms').click();
      const form = desk.getByTestId('sms-form');
      await form.locator('#name').fill('阿里云短信');
      await form.locator('#keyId').fill('LTAI5tE2eKeyId');
      await form.locator('#keySecret').fill('e2e-sms-secret');
      await form.locator('#signName').fill('申城物业');
      await desk.getByTestId('sms-template-login_code').fill('SMS_900000001');
      await desk.getByTestId('sms-template-visit_reminder').fill('SMS_900000002');
      await desk.getByTestId('sms-template-survey_invite').fill('SMS_900000003');
      await form.getByText('高级设置').click();
      await form.locator('#apiBase').fill(sms.url);
      await shot(desk, 'sms-configure-zh');
      await desk.getByTestId('sms-save').click();
      // The receipt (状态报告) URL to paste into the provider's console, shown once on creation.
      await expectVisible(
        desk.locator('.ant-modal-confirm').getByText(/\/api\/v1\/public\/channels\/sms\/[0-9a-f-]{36}\/receipt\?token=/),
        'the SMS receipt URL',
      );
      await shot(desk, 'sms-receipt-url-zh');
      await desk.locator('.ant-modal-confirm-btns button').click();
      const card = desk.locator('.ant-card').filter({ hasText: '阿里云短信' });
      await expectVisible(card.getByText('【申城物业】'), 'the SMS channel card with its 签名');
      await card.getByTestId('channel-test').click();
      await expectVisible(desk.getByText(/连接成功/).first(), 'the SMS connection test result');
      if (sms.calls.statistics < 1) fail('the SMS connection test did not reach the provider');
      await shot(desk, 'sms-channel-zh');
      const phone = '13900002222';
      const res = await fetch(`${base}/api/v1/portal/auth/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone }),
      });
      if (res.status !== 200 && res.status !== 201 && res.status !== 202) fail(`portal code: ${res.status} ${await res.text()}`);
      const got = await until(() => sms.sent.find((m) => m.phone === phone), 'the sign-in code at the SMS provider');
      if (got.template !== 'SMS_900000001' || got.sign !== '申城物业') fail(`SMS sent as ${JSON.stringify(got)}`);
    } finally {
      await sms.stop();
    }
  });

  await step('渠道接入: the administrator adds a 微信客服 (企业微信) channel and sees its callback URL', async () => {
    await desk.goto(`${base}/channels`);
    await desk.getByTestId('channel-new-wecom').click();
    const form = desk.getByTestId('wecom-form');
    await form.locator('#name').fill('物业微信客服');
    await form.locator('#corpId').fill('wwE2e0000000abcd');
    await form.locator('#openKfId').fill('wkE2eKf000001');
    await form.locator('#secret').fill('e2e-kf-secret');
    await form.locator('#token').fill('chiduE2Ewecom');
    await form.locator('#encodingAesKey').fill('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    await shot(desk, 'wecom-configure-zh');
    await desk.getByTestId('wecom-save').click();
    const urlText = desk.getByTestId('wecom-created-url');
    await expectVisible(urlText, 'the callback URL to paste into the WeCom console');
    const url = (await urlText.innerText()).trim();
    if (!/\/api\/v1\/public\/channels\/wecom\/[0-9a-f-]{36}$/.test(url)) fail(`unexpected WeCom callback URL ${url}`);
    await shot(desk, 'wecom-callback-zh');
    await desk.locator('.ant-modal-confirm-btns button').click();
    const card = desk.locator('.ant-card').filter({ hasText: '物业微信客服' });
    await expectVisible(card.getByText('微信客服（企业微信） · wwE2e0000000abcd'), 'the WeCom channel card');
    await expectVisible(card.getByTestId('wecom-callback-url'), 'the callback URL on the WeCom channel card');
    await desk.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await shot(desk, 'wecom-channel-mobile-zh');
    await desk.setViewportSize({ width: 1440, height: 900 });
    // 通知设置: the administrator turns on 企业微信应用消息 with their WeCom userid (stored: the API reads it back).
    await desk.goto(`${base}/notifications/settings`);
    await desk.getByTestId('nset-wecom').click();
    await desk.getByTestId('nset-wecom-userid').fill('ZhangSan');
    await desk.getByTestId('nset-save').click();
    await until(async () => (await admin('GET', '/notifications/preferences')).body.wecom?.userId === 'ZhangSan', 'the WeCom userid saved');
    await shot(desk, 'wecom-notify-settings-zh');
  });

  await step(
    '渠道接入: the administrator adds a 钉钉机器人 channel (HTTP mode), copies the URL, tests it; a signed DingTalk message becomes a ticket; a staff userid is mapped',
    async () => {
      const dt = await startDingtalkFake();
      try {
        await desk.goto(`${base}/channels`);
        await desk.getByTestId('channel-new-dingtalk').click();
        const form = desk.getByTestId('dingtalk-form');
        await form.locator('#name').fill('钉钉服务机器人');
        await form.locator('#appKey').fill('dinge2eappkey');
        await form.locator('#appSecret').fill('e2e-dingtalk-secret');
        await form.locator('#robotCode').fill('dinge2eappkey');
        await form.locator('#agentId').fill('3001');
        await form.getByText('高级设置').click();
        await form.locator('#apiBase').fill(dt.url);
        await shot(desk, 'dingtalk-configure-zh');
        await desk.getByTestId('dingtalk-save').click();
        const urlText = desk.getByTestId('dingtalk-created-url');
        await expectVisible(urlText, 'the message receiving URL to paste into the DingTalk console');
        const callbackUrl = (await urlText.innerText()).trim();
        if (!/\/api\/v1\/public\/channels\/dingtalk\/[0-9a-f-]{36}$/.test(callbackUrl)) fail(`unexpected callback URL ${callbackUrl}`);
        await shot(desk, 'dingtalk-callback-zh');
        await desk.locator('.ant-modal-confirm-btns button').click();
        const card = desk.locator('.ant-card').filter({ hasText: '钉钉服务机器人' });
        await expectVisible(card.getByText(/HTTP 回调/), 'the DingTalk channel card');
        await card.getByTestId('channel-test').click();
        await expectVisible(desk.getByText(/获取 access_token：连接成功/).first(), 'the DingTalk connection test result');
        if (dt.calls.token < 1) fail('the test connection did not ask the DingTalk token endpoint');
        await shot(desk, 'dingtalk-channel-zh');

        const text = '钉钉留言：会议室投影仪无法开机';
        const timestamp = String(Date.now());
        const sign = createHmac('sha256', 'e2e-dingtalk-secret').update(`${timestamp}\ne2e-dingtalk-secret`).digest('base64');
        const msg = {
          msgId: `msgE2E${timestamp}`,
          msgtype: 'text',
          text: { content: text },
          conversationId: 'cidE2E',
          conversationType: '1',
          senderId: '$:LWCP_v1:$e2e',
          senderStaffId: 'e2euser01',
          senderNick: '钉钉访客',
          senderCorpId: 'dingpartner',
          robotCode: 'dinge2eappkey',
          sessionWebhook: `${dt.url}/robot/sendBySession?session=e2e`,
          sessionWebhookExpiredTime: Date.now() + 3600_000,
        };
        const res = await fetch(`${base}${new URL(callbackUrl).pathname}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', timestamp, sign },
          body: JSON.stringify(msg),
        });
        if (res.status !== 200) fail(`DingTalk callback: ${res.status} ${await res.text()}`);
        const made = await until(() => findTicket(text), 'the ticket from the DingTalk message');
        if (made.channel !== 'dingtalk') fail(`ticket channel ${made.channel}`);
        const forged = await fetch(`${base}${new URL(callbackUrl).pathname}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', timestamp, sign: 'forged' },
          body: JSON.stringify({ ...msg, msgId: 'forged' }),
        });
        if (forged.status !== 403) fail(`a forged DingTalk callback answered ${forged.status}`);

        // 员工钉钉账号: map the administrator to a DingTalk userid for 工作通知.
        await desk.getByTestId('dingtalk-staff-open').click();
        const table = desk.getByTestId('dingtalk-staff');
        await expectVisible(table, 'the staff DingTalk accounts');
        const row = table
          .locator('tr')
          .filter({ has: desk.locator('input') })
          .first();
        await row.locator('input').first().fill('manager01');
        await row.getByRole('button', { name: '保存' }).click();
        await expectVisible(desk.getByText('已保存').first(), 'the mapping saved');
        const mapped = (await admin('GET', '/channels/dingtalk/staff')).body.items.filter((i) => i.userid === 'manager01');
        if (mapped.length !== 1) fail(`mapped staff: ${JSON.stringify(mapped)}`);
        await shot(desk, 'dingtalk-staff-zh');
        await desk.setViewportSize({ width: 390, height: 844 });
        await expectVisible(table, 'the staff DingTalk accounts on a phone');
        await shot(desk, 'dingtalk-staff-mobile-zh');
        await desk.setViewportSize({ width: 1440, height: 900 });
        await desk.keyboard.press('Escape');
      } finally {
        await dt.stop();
      }
    },
  );

  await step(
    "one customer across channels: the WeChat user writes 王丽's phone → 王丽's 360 suggests the merge → merged; identities and WeChat consent on the 360",
    async () => {
      if (!wxTicket) fail('no WeChat ticket from the previous step');
      await sendWechat('我的电话是 13900001111，师傅来之前请先打电话', '7100000000000000002');
      const wang = (await admin('GET', `/customers?q=${encodeURIComponent('王丽')}`)).body.items.find((c) => c.name === '王丽');
      await desk.goto(`${base}/customers/${wang.id}`);
      await desk.getByRole('tab', { name: '疑似重复（1）' }).click();
      const row = desk.locator('.ant-table-row').filter({ hasText: '微信用户' });
      await expectVisible(row.getByText('手机号'), 'the WeChat customer suggested, matched on the phone');
      await shot(desk, 'merge-suggestion-zh');
      await row.getByRole('button', { name: /合并到当前客户/ }).click();
      await desk
        .locator('.ant-popconfirm')
        .getByRole('button', { name: /^合\s*并$/ })
        .click();
      await expectVisible(desk.getByText('已合并，转移了 1 张工单'), 'the merge result');
      await desk.getByRole('tab', { name: /渠道身份/ }).click();
      const ids = desk.getByTestId('customer-identities');
      await expectVisible(ids.getByText('微信 OpenID'), "the openid among 王丽's identities");
      await expectVisible(ids.getByText('oE2e***0001'), 'the openid masked');
      await shot(desk, 'identities-zh');

      // The next WeChat message lands on 王丽's ticket.
      await sendWechat('师傅到了吗？', '7100000000000000003');
      await until(async () => {
        const tk = (await admin('GET', `/tickets/${wxTicket.id}`)).body;
        return tk.customerId === wang.id && JSON.stringify(tk).includes('师傅到了吗？') ? tk : null;
      }, "the next WeChat message on 王丽's ticket");

      // Withdraw WeChat consent on the edit form.
      await desk.getByRole('tab', { name: '档案' }).click();
      await expectVisible(desk.getByTestId('consent-wechat').getByText('微信联系：是'), 'WeChat consent shown');
      await desk.getByTestId('customer-edit').click();
      await desk.getByRole('checkbox', { name: '微信联系' }).uncheck();
      await desk.getByTestId('customer-save').click();
      await expectVisible(desk.getByTestId('consent-wechat').getByText('微信联系：否'), 'WeChat consent withdrawn');
      const after = (await admin('GET', `/customers/${wang.id}/360`)).body.profile;
      if (after.consent.wechat !== false) fail(`consent after the edit: ${JSON.stringify(after.consent)}`);
      if ('surveys' in after.consent || 'email' in after.consent) fail(`untouched consents were written: ${JSON.stringify(after.consent)}`);
      await shot(desk, 'consent-zh');
    },
  );

  await step('渠道接入: the administrator sets the survey invitation template (模板消息) of the WeChat channel; it is stored', async () => {
    await desk.goto(`${base}/channels`);
    const card = desk.locator('.ant-card').filter({ hasText: '物业服务号' });
    await card.getByRole('button', { name: '编辑' }).click();
    const form = desk.getByTestId('wechat-form');
    await form.getByText('模板消息 / 订阅通知（48 小时外的通知）').click();
    const tpl = desk.getByTestId('wx-tpl-survey_invite');
    await tpl.locator('input').last().fill('TPL_E2E_SURVEY');
    await tpl.locator('textarea').fill('first=请为本次服务评价\nkeyword1={number}\nkeyword2={time}');
    await shot(desk, 'wechat-templates-zh', { fullPage: false });
    await desk.getByTestId('wechat-save').click();
    await expectVisible(desk.getByText('已保存').first(), 'saved');
    const ch = (await admin('GET', '/channels')).body.items.find((c) => c.name === '物业服务号');
    const got = ch?.config?.templates?.survey_invite;
    if (got?.templateId !== 'TPL_E2E_SURVEY' || got?.fields?.keyword1 !== '{number}' || got?.mode !== 'template')
      fail(`stored template: ${JSON.stringify(ch?.config?.templates)}`);
  });

  await step("the customer 360's 全部消息 tab: the mail, the agent's reply (已发送) and the WeChat messages in one timeline; on a phone too", async () => {
    const wang = (await admin('GET', `/customers?q=${encodeURIComponent('王丽')}`)).body.items.find((c) => c.name === '王丽');
    await desk.goto(`${base}/customers/${wang.id}`);
    await desk.getByRole('tab', { name: '全部消息' }).click();
    const list = desk.getByTestId('customer-messages');
    await expectVisible(list.getByText('东门门禁刷卡没有反应'), 'the opening mail in the timeline');
    await expectVisible(list.getByText('维修师傅今天下午'), "the agent's reply in the timeline");
    await expectVisible(list.getByText('已发送').first(), 'the delivery state of the reply');
    await expectVisible(list.getByText('微信公众号').first(), 'a WeChat message tagged with its channel');
    await expectVisible(list.getByText('邮件').first(), 'a mail tagged with its channel');
    await shot(desk, 'customer-messages-zh');
    await desk.setViewportSize({ width: 390, height: 844 });
    await expectVisible(list.getByText('维修师傅今天下午'), 'the timeline on a phone');
    await shot(desk, 'customer-messages-phone-zh');
    await desk.setViewportSize({ width: 1440, height: 900 });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

h.runMain(async () => {
  h.prepare('channels-failure.png');
  h.buildWeb();
  const sink = await startSink();
  const listenPort = await freePort();
  try {
    await h.serveAndRun({
      startMessage: 'starting the demo server with the SMTP listener',
      server: {
        tmpPrefix: 'chidu-e2e-channels-',
        env: { CHIDU_DEMO: '1', SMTP_LISTEN: `127.0.0.1:${listenPort}`, CHIDU_OUTBOUND_ALLOW: '127.0.0.1', CHIDU_CHANNELS_POLL_MS: '500' },
        webDistFromEnv: true,
        healthzTimeoutMs: 180_000,
      },
      run: (browser, server) => journey(browser, server.base, listenPort, sink),
    });
  } finally {
    await sink.stop();
  }
});
