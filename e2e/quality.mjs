#!/usr/bin/env node
/**
 * Browser journey for issue #15 (manual inspection, appeal, ruling, composite) in zh-CN.
 *
 *   node e2e/all.mjs quality            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs quality --no-build
 *
 * Agent K0003 answers a ticket. QA inspector Q0001 opens it on 质检工作台, scores the phone scorecard item by item
 * (the opening item "否" with the reply quoted as evidence; on a 390×844 phone, part of the reply selected and quoted
 * for 答复准确), writes the three sandwich fields and submits. The agent
 * sees the result on 我的质检 (390×844) and appeals; supervisor S0001 revises the score on 质检申诉; the agent's
 * composite on 绩效 shows the new QA numerator. On 质检看板 QA drills down from the most-failed item (the list counts
 * as the figure) and opens an inspection; S0001 sees the dashboard of their team at 1440×900 and 390×844.
 * Screenshots e2e/artifacts/quality-*.png.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, expectHidden, login, newWatchedPage, stepRunner, apiSession, pickOption, runDemoJourney } = createHarness({
  shotPrefix: 'quality-',
  stepTimeout: STEP_TIMEOUT,
});
const month = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
const REPLY = '您好，感谢您的来电，我是客服赵雪。车库月卡可以在物业服务中心或小程序续费，今天 17:00 前我会把续费链接发给您。';

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const agent = await apiSession(base, 'K0003');
  let ticket;
  let qaBefore;

  await step('agent K0003 answers a ticket (API)', async () => {
    const customers = await agent('GET', '/customers?limit=3');
    const created = await agent('POST', '/tickets', {
      customerId: customers.body.items[0].id,
      type: 'inquiry',
      channel: 'phone',
      subject: '咨询：车库月卡续费方式',
      description: 'e2e quality',
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    ticket = created.body;
    await agent('POST', `/tickets/${ticket.id}/take`);
    const r = await agent('POST', `/tickets/${ticket.id}/replies`, { body: REPLY, visibility: 'public' });
    if (r.status !== 201) fail(`reply: ${r.status} ${JSON.stringify(r.body)}`);
    const perf = await agent('GET', `/performance?month=${month()}`);
    qaBefore = perf.body.parts.qa;
  });

  const qa = await newWatchedPage(browser, 'Q0001', problems);
  current = qa;
  await step('QA Q0001 scores the ticket with evidence and sandwich feedback', async () => {
    await login(qa, base, 'Q0001');
    await qa.goto(`${base}/qa/workbench`);
    await expectVisible(qa.getByText('抽检队列'), 'the sampling queue');
    await shot(qa, 'workbench-zh');
    await pickOption(qa, qa.getByTestId('qa-scorecard'), '电话服务质检表');
    await pickOption(qa, qa.getByTestId('qa-ticket-search').locator('.ant-select'), ticket.number, ticket.number);
    await qa.getByTestId('qa-open').click();
    await expectVisible(qa.getByTestId('item-opening'), 'the scorecard beside the ticket');
    for (const key of ['answer-3-rings', 'restate', 'transfer', 'no-negative', 'closing', 'record'])
      await qa.getByTestId(`score-${key}`).getByText('是', { exact: true }).click();
    for (const key of ['tone', 'accuracy']) await qa.getByTestId(`score-${key}`).getByText('5', { exact: true }).click();
    await qa.getByTestId('score-opening').getByText('否', { exact: true }).click();
    await pickOption(qa, qa.getByTestId('evidence-opening'), '车库月卡可以');
    await shot(qa, 'inspect-zh');
  });

  const SPAN = '今天 17:00 前我会把续费链接发给您';
  await step('QA selects part of the reply on a 390×844 phone and quotes it as the evidence of 答复准确', async () => {
    await qa.setViewportSize({ width: 390, height: 844 });
    await expectVisible(qa.getByTestId('qa-selection'), 'the selection hint');
    // What a finger (or a mouse drag) leaves behind: a Range over part of the reply's text.
    const ok = await qa.evaluate((span) => {
      const el = [...document.querySelectorAll('[data-reply-body]')].find((e) => e.textContent.includes(span));
      const text = el?.firstChild;
      if (!text) return false;
      const at = text.data.indexOf(span);
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + span.length);
      document.getSelection().removeAllRanges();
      document.getSelection().addRange(range);
      return true;
    }, SPAN);
    if (!ok) fail('the reply body is not in the ticket pane');
    await expectVisible(qa.getByTestId('qa-selection').getByText(`已选中：“${SPAN}”`), 'the pending quote');
    await qa.getByTestId('quote-selection-accuracy').click();
    await expectVisible(qa.getByTestId('evidence-accuracy').getByText(`“${SPAN}”`), 'the quoted span as the evidence of the item');
    await expectHidden(qa.getByTestId('quote-selection-accuracy'), 'the quote button once used');
    const sideways = await qa.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 0) fail(`the scoring page is ${sideways}px wider than the 390px screen`);
    await shot(qa, 'inspect-quote-390');
    await qa.setViewportSize({ width: 1440, height: 900 });
  });

  await step('QA submits; the result shows the quoted span highlighted in its reply', async () => {
    await qa.getByTestId('feedback-strength').fill('答复准确，给出了明确的回复时间。');
    await qa.getByTestId('feedback-improvement').fill('开场白缺少“请问有什么可以帮您”，请按标准开场白。');
    await qa.getByTestId('feedback-encouragement').fill('整体很专业，补上开场白就是满分！');
    await expectVisible(qa.getByTestId('qa-preview').getByText('90 分'), 'the live score');
    await qa.getByTestId('qa-submit').click();
    await expectVisible(qa.getByTestId('qa-score').getByText('90 分'), 'the submitted score');
    await expectVisible(qa.getByTestId('qa-result').locator('..').getByText('车库月卡可以在物业服务中心').first(), 'the quoted evidence');
    // The part quoted: exactly the selected text, marked, with the reply before it cut to an ellipsis.
    const part = qa.getByTestId('qa-result').locator('..').locator('tr', { hasText: '答复准确' }).getByTestId('qa-quote');
    await expectVisible(part, 'the quoted span in context');
    const marked = await part.locator('mark').innerText();
    if (marked !== SPAN) fail(`the marked quote reads "${marked}", want "${SPAN}"`);
    if (!(await part.innerText()).startsWith('…')) fail(`the quote has no context before it: "${await part.innerText()}"`);
    await shot(qa, 'result-zh');
  });

  const ag = await newWatchedPage(browser, 'K0003', problems, { viewport: { width: 390, height: 844 } });
  current = ag;
  await step('agent K0003 sees the result on 我的质检 (390×844) and appeals', async () => {
    await login(ag, base, 'K0003');
    await ag.goto(`${base}/qa/mine`);
    await ag.getByTestId(`my-inspection-${ticket.number}`).click();
    await expectVisible(ag.getByTestId('qa-feedback').getByText('开场白缺少'), 'the sandwich feedback');
    // On the phone the quoted evidence sits under its item; the page never scrolls sideways.
    await expectVisible(ag.getByTestId('evidence-stacked-opening').getByText('车库月卡可以在物业服务中心'), 'the evidence under its item');
    const sideways = await ag.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 0) fail(`the inspection result is ${sideways}px wider than the 390px screen`);
    await ag.getByTestId('qa-appeal-reason').fill('录音第 3 秒我说了“请问有什么可以帮您”，开场白完整，请复核。');
    await shot(ag, 'agent-390');
    await ag.getByTestId('qa-appeal-submit').click();
    await expectVisible(ag.getByTestId('qa-appeal').getByText('待裁决'), 'the open appeal');
    await shot(ag, 'appealed-390');
  });

  const sup = await newWatchedPage(browser, 'S0001', problems);
  current = sup;
  await step('supervisor S0001 revises the score on 质检申诉', async () => {
    await login(sup, base, 'S0001');
    await sup.goto(`${base}/qa/appeals`);
    await expectVisible(sup.getByTestId(`rule-${ticket.number}`), 'the appeal in the list');
    await shot(sup, 'appeals-zh');
    await sup.getByTestId(`rule-${ticket.number}`).click();
    await sup.getByTestId('rule-decision').getByText('改判').click();
    await sup.locator('.ant-modal input#score').fill('100');
    await sup.getByTestId('rule-reason').fill('复听录音，开场白完整，改判 100 分。');
    await sup.getByTestId('rule-ok').click();
    await expectVisible(sup.getByText('已裁决').first(), 'ruled');
  });

  await step('the low 开场白 item gave a coaching task: S0001 coaches and records it on 辅导任务', async () => {
    await sup.goto(`${base}/qa/coaching`);
    const task = sup.getByTestId(`coaching-${ticket.number}`);
    await expectVisible(task.getByText('使用标准开场白'), 'the low item on the task');
    await shot(sup, 'coaching-zh');
    await sup.getByTestId(`coaching-complete-${ticket.number}`).click();
    await sup.getByTestId('coaching-note').fill('一对一复听录音，演练标准开场白三遍。');
    await sup.getByTestId('coaching-ok').click();
    await expectHidden(task, 'the task left the open list');
  });

  current = ag;
  await step('the composite on 绩效 shows the revised QA score', async () => {
    const after = (await agent('GET', `/performance?month=${month()}`)).body.parts.qa;
    const want = Math.round((qaBefore.numerator + 100) * 10) / 10;
    if (after.denominator !== qaBefore.denominator + 1 || Math.abs(after.numerator - want) > 0.05)
      fail(`qa part: before ${JSON.stringify(qaBefore)}, after ${JSON.stringify(after)}`);
    await ag.setViewportSize({ width: 1440, height: 900 });
    await ag.goto(`${base}/performance`);
    await expectVisible(ag.getByTestId('perf-part-qa').getByText(`质检得分合计 ${after.numerator} ÷ 质检次数 ${after.denominator}`), 'the QA part');
    await shot(ag, 'performance-zh');
    await ag.setViewportSize({ width: 390, height: 844 });
    await ag.waitForTimeout(500);
    await shot(ag, 'performance-390');
    await ag.goto(`${base}/qa/mine`);
    await expectVisible(ag.getByTestId(`coaching-${ticket.number}`).getByText('已辅导'), 'the agent sees the coaching done');
    await shot(ag, 'coaching-390');
  });

  current = qa;
  await step('QA sees the month on 质检看板 and the scorecards', async () => {
    await qa.goto(`${base}/qa/dashboard`);
    await expectVisible(qa.getByTestId('qa-most-failed').getByText('使用标准开场白').first(), 'the most-failed items');
    await shot(qa, 'dashboard-zh');
    await qa.goto(`${base}/qa/scorecards`);
    await expectVisible(qa.getByText('电话服务质检表').first(), 'the adopted scorecard');
    await shot(qa, 'scorecards-zh');
  });

  await step('QA drills down from the most-failed item to its inspections and opens one; exports the list', async () => {
    await qa.goto(`${base}/qa/dashboard`);
    const figure = qa.getByTestId('qa-most-failed').locator('tr', { hasText: '使用标准开场白' }).first().locator('[data-testid^="qa-drill-failed-"]');
    const text = await figure.innerText();
    const failed = Number(/（(\d+)\//.exec(text)?.[1] ?? NaN);
    if (!(failed >= 1)) fail(`the failed figure reads "${text}"`);
    await figure.click();
    const drawer = qa.getByTestId('qa-drill');
    await expectVisible(drawer.getByTestId('qa-drill-total').getByText(`共 ${failed} 条`), 'the drill-down count equal to the figure');
    await expectVisible(drawer.getByText('导出 CSV'), 'the export of the list');
    await expectVisible(qa.getByTestId('qa-agreement'), 'the calibration agreement card');
    await expectVisible(qa.getByTestId('qa-hit-rates'), 'the hit rates per rule');
    await shot(qa, 'dashboard-drill-zh');
    await drawer.getByRole('link', { name: '查看' }).first().click();
    await qa.waitForURL(/\/qa\/inspections\//);
    // The environment figure opens the checks behind it: as many rows as it counts.
    await qa.goto(`${base}/qa/dashboard`);
    const env = qa.getByTestId('qa-env-failedChecks');
    await expectVisible(env, 'the environment figures');
    await qa.waitForFunction(() => /\d/.test(document.querySelector('[data-testid="qa-env-failedChecks"] .ant-statistic-content-value')?.textContent ?? ''));
    const failedChecks = Number(await env.locator('.ant-statistic-content-value').innerText());
    await env.click();
    const rows = qa.getByTestId('qa-drill').locator('tr.ant-table-row');
    if (failedChecks > 0) await expectVisible(rows.first(), 'the failed environment checks');
    const shown = await rows.count();
    if (shown !== Math.min(failedChecks, 20)) fail(`failed environment checks: figure ${failedChecks}, list ${shown}`);
    await shot(qa, 'dashboard-env-drill-zh');
  });

  current = sup;
  await step('supervisor S0001 sees the dashboard of their team, also on a 390×844 phone', async () => {
    await sup.goto(`${base}/qa/dashboard`);
    await expectVisible(sup.getByTestId('qa-most-failed'), 'the dashboard');
    await sup.getByTestId('qa-drill-n').click();
    await expectVisible(sup.getByTestId('qa-drill').getByTestId('qa-drill-total'), 'the drill-down of all inspections');
    await shot(sup, 'dashboard-supervisor-drill-zh');
    await sup.setViewportSize({ width: 390, height: 844 });
    await sup.waitForTimeout(500);
    await shot(sup, 'dashboard-drill-390');
    await sup.keyboard.press('Escape');
    await sup.waitForTimeout(500);
    const sideways = await sup.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 0) fail(`the QA dashboard is ${sideways}px wider than the 390px screen`);
    await shot(sup, 'dashboard-390');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'quality-failure.png', tmpPrefix: 'chidu-e2e-quality-', journey });
