#!/usr/bin/env node
/**
 * Browser journey for issue #15 item 2 (automatic inspection).
 *
 *   node e2e/all.mjs inspection            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs inspection --no-build
 *
 * Agent K0001 writes a reply with 不知道 on a new ticket: the composer warns with the suggested wording before sending;
 * sent anyway, the reply shows its hit (span highlighted, suggestion) within seconds. QA Q0001 adds 摸不着头脑 to the rule
 * on 质检规则 and the test box shows the change. Screenshots e2e/artifacts/inspection-*.png at 1440×900 and 390×844.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'inspection-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const agent = await apiSession(base, 'K0001');
  const page = await newWatchedPage(browser, 'K0001', problems);
  current = page;
  let ticketId;

  await step('the composer warns about 不知道 before sending; the agent sends anyway', async () => {
    const customers = await agent('GET', '/customers?limit=3');
    const created = await agent('POST', '/tickets', {
      customerId: customers.body.items[0].id,
      type: 'inquiry',
      channel: 'chat',
      subject: '咨询：车库月卡怎么续费',
      description: 'e2e inspection',
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    ticketId = created.body.id;
    await login(page, base, 'K0001');
    await page.goto(`${base}/tickets/${ticketId}`);
    await page.getByTestId('reply-input').fill('这个我不知道，您问问别人吧。');
    await expectVisible(page.getByTestId('composer-qa').getByText('忌语：不知道 / 不清楚'), 'the composer warning');
    await shot(page, 'composer-zh');
    await page.getByTestId('reply-submit').click();
    await expectVisible(page.getByTestId('reply-qa-hits').getByTestId('qa-suggestion').first(), 'the hit under the reply');
    await page.getByTestId('reply-qa-hits').first().scrollIntoViewIfNeeded();
    await shot(page, 'reply-hit-zh');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    await page.getByTestId('reply-qa-hits').first().scrollIntoViewIfNeeded();
    await shot(page, 'reply-hit-zh-390');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  const qa = await newWatchedPage(browser, 'Q0001', problems);
  current = qa;
  await step('QA adds 摸不着头脑 to the rule and the test box finds it', async () => {
    await login(qa, base, 'Q0001');
    await qa.goto(`${base}/qa/rules`);
    await qa.getByTestId('qa-test-input').fill('您好，这事我也摸不着头脑，谢谢。');
    await qa.getByTestId('qa-test-run').click();
    await expectVisible(qa.getByTestId('qa-test-result').getByText('没有命中任何规则'), 'no hit before the edit');
    await qa.getByTestId('edit-forbidden.dont_know').click();
    const phrases = qa.getByTestId('rule-phrases');
    await phrases.fill(`${await phrases.inputValue()}\n摸不着头脑`);
    await qa.getByTestId('rule-save').click();
    await expectVisible(qa.getByText('规则已保存'), 'saved');
    await qa.getByTestId('qa-test-run').click();
    await expectVisible(qa.getByTestId('qa-test-result').getByText('忌语：不知道 / 不清楚'), 'the hit after the edit');
    await shot(qa, 'rules-zh');
    await qa.setViewportSize({ width: 390, height: 844 });
    await qa.waitForTimeout(600);
    await shot(qa, 'rules-zh-390');
    await qa.setViewportSize({ width: 1440, height: 900 });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'inspection-failure.png', tmpPrefix: 'chidu-e2e-inspection-', journey });
