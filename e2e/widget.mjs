#!/usr/bin/env node
/**
 * Browser journey for the web chat widget (issue #14 item 3).
 *
 *   node e2e/all.mjs widget            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs widget --no-build
 *
 * A visitor on a phone (390×844) opens the demo company's website (/widget-demo, the `<script>` snippet of the demo
 * webchat channel), taps 在线客服, writes and sends a photo, then 验证手机号 with the code demo mode shows on screen.
 * The agent K0001 (1440×900, second browser) sees the conversation on 在线会话 with 已验证 手机 139****0000 (also on
 * the ticket page), takes it, answers on the ticket page with text and a photo; the visitor sees both. The visitor
 * closes the page, opens the site again later and sees the history. The agent resolves the ticket; the survey
 * invitation arrives in the widget and the visitor rates in the survey page it opens. Screenshots
 * e2e/artifacts/widget-*.png.
 */
import sharp from 'sharp';
import { createHarness } from './lib/harness.mjs';

const h = createHarness({ shotPrefix: 'widget-', stepTimeout: 30_000 });
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, runDemoJourney } = h;
const OPEN_MODAL = '.ant-modal-wrap:not([style*="display: none"]) .ant-modal';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const png = (r, g, b) =>
  sharp({ create: { width: 240, height: 160, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);

  const visitor = await newWatchedPage(browser, 'visitor', problems, PHONE);
  const frame = () => visitor.frameLocator('[data-testid=chidu-widget-frame]');
  current = visitor;
  await step('the visitor opens the demo website on a phone and taps 在线客服', async () => {
    await visitor.goto(`${base}/widget-demo`);
    await expectVisible(visitor.getByTestId('chidu-widget-launcher'), 'the 在线客服 launcher');
    await shot(visitor, 'host-page', { fullPage: false });
    await visitor.getByTestId('chidu-widget-launcher').tap();
    await expectVisible(frame().getByTestId('widget-greeting'), 'the greeting in the widget');
    await expectVisible(frame().getByText('客服在线'), 'agents on duty');
  });

  await step('the visitor writes and sends a photo', async () => {
    await frame().getByTestId('widget-input').fill('你好，我家卫生间天花板在漏水，能派人来看看吗？');
    await frame().getByTestId('widget-send').tap();
    await expectVisible(frame().getByTestId('widget-visitor-message').filter({ hasText: '天花板在漏水' }), 'the message, stored');
    await frame()
      .getByTestId('widget-photo')
      .setInputFiles({ name: '漏水.png', mimeType: 'image/png', buffer: await png(180, 200, 220) });
    await expectVisible(frame().getByTestId('widget-visitor-message').locator('img[src^="blob:"]'), 'the photo, stored');
    await shot(visitor, 'visitor-sent', { fullPage: false });
  });

  await step('the visitor verifies a mobile number with a one-time code (demo mode shows it on screen)', async () => {
    await frame().getByTestId('widget-verify').tap();
    await frame().getByTestId('widget-verify-phone').fill('13912340000');
    await frame().getByTestId('widget-verify-get-code').tap();
    const demo = frame().getByTestId('widget-demo-code');
    await expectVisible(demo, 'the demo code on screen');
    const code = ((await demo.textContent()) ?? '').replace(/\D/g, '');
    if (code.length !== 6) fail(`demo code not shown: ${code}`);
    await frame().getByTestId('widget-verify-code').fill(code);
    await frame().getByTestId('widget-verify-confirm').tap();
    await expectVisible(frame().getByTestId('widget-verified').filter({ hasText: '139****0000' }), '已验证 139****0000 in the widget');
    await shot(visitor, 'visitor-verified', { fullPage: false });
  });

  const agent = await newWatchedPage(browser, 'K0001', problems);
  current = agent;
  let ticketUrl = '';
  let reopened = null;
  await step('K0001 sees the conversation on 在线会话 and takes it', async () => {
    await login(agent, base, 'K0001');
    await agent.goto(`${base}/live-chat`);
    const row = agent.getByTestId('live-chat-table').locator('tr', { hasText: '天花板在漏水' });
    await expectVisible(row, 'the conversation on 在线会话');
    await expectVisible(row.locator('.ant-tag', { hasText: /秒|分钟/ }), 'how long the visitor has waited');
    await expectVisible(row.getByTestId('chat-visitor-verified').filter({ hasText: '已验证 手机 139****0000' }), 'the visitor verified (masked) on 在线会话');
    await shot(agent, 'live-chat');
    const take = row.getByTestId('live-chat-take');
    if (await take.count()) {
      await take.click();
      await expectVisible(row.getByText('李晓婷'), 'the conversation taken by K0001');
    }
    await row.getByTestId('live-chat-open').click();
    await agent.waitForURL(/\/tickets\//);
    ticketUrl = agent.url();
    await expectVisible(agent.getByTestId('replies').getByText('[图片]'), "the visitor's photo on the ticket");
    await expectVisible(agent.getByTestId('chat-visitor-verified').filter({ hasText: '139****0000' }), 'the visitor verified on the ticket page');
  });

  await step('K0001 answers with text and a photo (the visitor sees the agent typing)', async () => {
    await agent.getByTestId('reply-input').fill('您好，我是客服李晓婷。已收到照片，维修师傅今天下午 3 点前上门查看，请您家里留人。');
    await expectVisible(frame().getByTestId('widget-typing'), '客服正在输入… in the widget');
    await agent
      .getByTestId('reply-box')
      .locator('input[type=file]')
      .setInputFiles({ name: '维修安排.png', mimeType: 'image/png', buffer: await png(40, 120, 200) });
    await expectVisible(
      agent.getByTestId('reply-box').locator('.ant-upload-list-item-done, .ant-upload-list-item:not(.ant-upload-list-item-uploading)'),
      'the photo uploaded',
    );
    await agent.getByTestId('reply-submit').click();
    await expectVisible(agent.getByTestId('replies').getByText('维修师傅今天下午'), 'the answer on the ticket');
    await shot(agent, 'ticket');
  });

  current = visitor;
  await step('the visitor sees the answer and the photo', async () => {
    await expectVisible(frame().getByTestId('widget-agent-message').filter({ hasText: '维修师傅今天下午' }), 'the answer in the widget');
    await expectVisible(frame().getByTestId('widget-agent-message').locator('img[src^="blob:"]'), "the agent's photo in the widget");
    await shot(visitor, 'visitor-answered', { fullPage: false });
  });

  const agentPhone = await newWatchedPage(browser, 'K0001 (phone)', problems, PHONE);
  current = agentPhone;
  await step('在线会话 on a phone: the answered conversation', async () => {
    await login(agentPhone, base, 'K0001');
    await agentPhone.goto(`${base}/live-chat`);
    const card = agentPhone.getByTestId('live-chat-table').locator('.ant-card', { hasText: '天花板在漏水' });
    await expectVisible(card.getByText('已回复'), 'the conversation (a card on a phone), answered');
    await shot(agentPhone, 'live-chat-phone', { fullPage: false });
    await agentPhone.context().close();
  });

  current = visitor;
  await step('the visitor closes the page and comes back later: the history is there', async () => {
    const context = visitor.context();
    await visitor.close();
    const again = await context.newPage();
    current = again;
    await again.goto(`${base}/widget-demo`);
    await again.getByTestId('chidu-widget-launcher').tap();
    const f = again.frameLocator('[data-testid=chidu-widget-frame]');
    await expectVisible(f.getByTestId('widget-visitor-message').filter({ hasText: '天花板在漏水' }), 'the first message after reopening');
    await expectVisible(f.getByTestId('widget-agent-message').filter({ hasText: '维修师傅今天下午' }), 'the answer after reopening');
    await shot(again, 'visitor-history', { fullPage: false });
    reopened = again;
  });

  current = agent;
  await step('K0001 resolves the ticket', async () => {
    await agent.goto(ticketUrl);
    await agent.getByTestId('action-resolve').click();
    await agent.getByTestId('resolution-input').fill('已安排维修师傅上门，漏水点已处理。');
    await agent.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(agent.getByTestId('action-reopen'), 'the ticket resolved');
  });

  const back = reopened;
  current = back;
  await step('the survey invitation arrives in the widget and the visitor rates', async () => {
    const f = back.frameLocator('[data-testid=chidu-widget-frame]');
    await expectVisible(f.getByTestId('widget-survey'), 'the survey invitation in the widget');
    await shot(back, 'survey-invitation', { fullPage: false });
    const [survey] = await Promise.all([back.context().waitForEvent('page'), f.getByTestId('widget-survey-link').tap()]);
    current = survey;
    await expectVisible(survey.locator('.sv-star[data-star="5"]'), 'the survey page');
    await survey.locator('.sv-star[data-star="5"]').tap();
    await survey.locator('.sv-submit').tap();
    await expectVisible(survey.getByTestId('survey-thanks'), 'the thank-you page');
    await shot(survey, 'survey-rated', { fullPage: false });
  });

  const admin = await newWatchedPage(browser, 'A0001', problems);
  current = admin;
  await step('A0001: the web chat channel on 渠道接入 with its embed code; the settings form', async () => {
    await login(admin, base, 'A0001');
    await admin.goto(`${base}/channels`);
    await expectVisible(admin.getByTestId('webchat-snippet-copy'), 'the 嵌入代码 of the web chat channel');
    await shot(admin, 'admin-channels');
    await admin.getByTestId('channel-new-webchat').click();
    await expectVisible(admin.getByTestId('webchat-origins'), 'the 允许嵌入的网站 field');
    await shot(admin, 'admin-new-webchat', { fullPage: false });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'widget-failure.png', tmpPrefix: 'chidu-e2e-wc-', journey });
