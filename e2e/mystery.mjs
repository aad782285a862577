#!/usr/bin/env node
/**
 * Browser journey for issue #15 item 7 (mystery shopper & open inspection, 神秘顾客 / 明查暗访).
 *
 *   node e2e/all.mjs mystery            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs mystery --no-build
 *
 * 罗晓梅 (Q0001, 质检员) at 1440×900 plans the month for 翠湖苑 (2 unannounced counter visits, 前台办理停车卡);
 * 赵雪 (K0003, agent) cannot see the planned visit (API 404, the page says so). On a 390×844 phone 罗晓梅 records the
 * visit: steps ticked, the counter scorecard item by item with 10 秒内问候 failed, a photo, 赵雪 as the staff who
 * served. Afterwards 赵雪 finds it on 我的质检 (phone) with the failed item; the month view shows 翠湖苑 done 1.
 * Screenshots e2e/artifacts/mystery-*.png.
 */
import sharp from 'sharp';
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney, pickOption } = createHarness({
  shotPrefix: 'mystery-',
  stepTimeout: STEP_TIMEOUT,
});
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const qaApi = await apiSession(base, 'Q0001');
  const agentApi = await apiSession(base, 'K0003');
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);

  const desk = await newWatchedPage(browser, 'Q0001', problems);
  current = desk;
  await step('the inspector plans the month: 翠湖苑, two unannounced counter visits', async () => {
    await login(desk, base, 'Q0001');
    await desk.goto(`${base}/qa/mystery`);
    await expectVisible(desk.getByRole('heading', { name: '神秘顾客与明查暗访' }), 'the page title');
    await desk.getByRole('tab', { name: '情景脚本' }).click();
    await expectVisible(desk.getByText('前台办理停车卡').first(), 'the seeded counter script');
    await shot(desk, 'scripts-zh-1440');
    await desk.getByRole('tab', { name: '制定计划' }).click();
    await pickOption(desk, desk.getByTestId('plan-sites'), /^翠湖苑$/);
    await desk.keyboard.press('Escape');
    await pickOption(desk, desk.getByTestId('plan-shoppers'), '罗晓梅', '罗晓梅');
    await desk.keyboard.press('Escape');
    await desk.getByTestId('plan-submit').click();
    await expectVisible(desk.getByText(`已为 ${month} 安排 2 次检查`), 'the plan confirmation');
  });

  let visitId;
  await step('the planned unannounced visit is hidden from the site agent', async () => {
    const list = await qaApi('GET', `/qa/mystery/visits?month=${month}&mine=true`);
    const v = list.body.items?.find((x) => x.site.name === '翠湖苑' && x.channel === 'walk_in' && x.kind === 'mystery' && x.state === 'planned');
    if (!v) fail(`no planned visit: ${JSON.stringify(list.body)}`);
    visitId = v.id;
    const seen = await agentApi('GET', `/qa/mystery/visits/${visitId}`);
    if (seen.status !== 404) fail(`the agent sees the unannounced visit before submission: ${seen.status}`);
    const all = await agentApi('GET', `/qa/mystery/visits?month=${month}`);
    if (all.body.items.some((x) => x.id === visitId)) fail('the agent lists the unannounced visit');
  });

  const agent = await newWatchedPage(browser, 'K0003', problems, PHONE);
  current = agent;
  await step('the agent opening its address sees nothing of it', async () => {
    await login(agent, base, 'K0003');
    await agent.goto(`${base}/qa/mystery/visits/${visitId}`);
    await expectVisible(agent.getByText('未找到该检查'), 'not found for the agent');
    await shot(agent, 'agent-before-zh-390', { fullPage: false });
  });

  const phone = await newWatchedPage(browser, 'Q0001', problems, PHONE);
  current = phone;
  await step('the inspector records the visit on a phone: steps, scores with a failed item, a photo, the staff served', async () => {
    await login(phone, base, 'Q0001');
    await phone.goto(`${base}/qa/mystery/visits/${visitId}`);
    await expectVisible(phone.getByText('前台办理停车卡').first(), 'the script title');
    for (const i of [0, 1, 2, 3, 4]) await phone.getByTestId(`visit-step-${i}`).click();
    const score = (key, label) => phone.getByTestId(`score-${key}`).getByText(label, { exact: true }).click();
    await score('greet-10s', '否');
    await score('eye-smile', '5');
    await score('appearance', '3');
    await score('listen', '5');
    await score('first-ask', '是');
    await score('answer', '5');
    await score('farewell', '是');
    await score('register', '不适用');
    await expectVisible(phone.getByTestId('visit-live').getByText('当前得分 88.9 分'), 'the live score');
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8aa' } })
      .png()
      .toBuffer();
    await phone.locator('input[type=file]').setInputFiles({ name: '前台.png', mimeType: 'image/png', buffer: png });
    await expectVisible(phone.locator('.ant-upload-list-item-done, .ant-upload-list-item:not(.ant-upload-list-item-uploading)').first(), 'the uploaded photo');
    await pickOption(phone, phone.getByTestId('visit-served'), '赵雪', '赵雪');
    await phone.keyboard.press('Escape');
    await shot(phone, 'record-zh-390');
    await phone.getByTestId('visit-submit').click();
    await expectVisible(phone.getByTestId('visit-score').getByText('88.9 分'), 'the recorded score');
    await expectVisible(phone.getByText('接待人员：赵雪'), 'the staff served');
    await shot(phone, 'result-zh-390');
  });

  current = agent;
  await step('after submission the agent finds it on 我的质检 with the failed item', async () => {
    await agent.goto(`${base}/qa/mine`);
    await expectVisible(agent.getByTestId(`my-visit-${visitId}`), 'the visit on 我的质检');
    await agent.getByTestId(`my-visit-${visitId}`).click();
    await expectVisible(agent.getByTestId('visit-item-greet-10s').getByText('0 / 1'), 'the failed greeting item');
    if ((await agent.getByText('检查员 罗晓梅').count()) !== 0) fail('the shopper is named to the agent');
    await shot(agent, 'agent-after-zh-390');
  });

  current = desk;
  await step('the month view shows the visit done', async () => {
    await desk.goto(`${base}/qa/mystery`);
    await expectVisible(desk.getByTestId('mystery-done-翠湖苑').getByText('1', { exact: true }), '翠湖苑 done 1');
    await shot(desk, 'month-zh-1440');
    const small = await newWatchedPage(browser, 'Q0001', problems, PHONE);
    current = small;
    await login(small, base, 'Q0001');
    await small.goto(`${base}/qa/mystery`);
    await expectVisible(small.getByTestId('mystery-done-翠湖苑'), 'the month view on a phone');
    await shot(small, 'month-zh-390');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'mystery-failure.png', tmpPrefix: 'chidu-e2e-mystery-', journey });
