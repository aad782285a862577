#!/usr/bin/env node
/**
 * Browser journey for issue #15 item 6 (calibration, 校准) in zh-CN.
 *
 *   node e2e/all.mjs calibration            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs calibration --no-build
 *
 * Agent K0003 answers two tickets; the admin A0001 (a QA lead) starts a session on them for QA Q0001 and supervisor
 * S0001. Q0001 scores both tickets on 校准 (desktop) and sees no one else's scores; S0001 scores them on a 390×844
 * phone, the last score closes the session, and the results (range, σ, consensus, the deviation chart) show on the
 * phone and on the desktop. Then peer review (互评): S0001 starts a round for the team, agent K0003 scores a colleague's
 * anonymised ticket on 我的质检 (390×844), S0001 sees the progress. Screenshots e2e/artifacts/calibration-*.png.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'calibration-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const agent = await apiSession(base, 'K0003');
  const admin = await apiSession(base, 'A0001');
  const tickets = [];
  let session;
  let card;

  await step('agent K0003 answers two tickets; A0001 starts a calibration for Q0001 and S0001 (API)', async () => {
    const customers = await agent('GET', '/customers?limit=3');
    for (const subject of ['咨询：车库月卡续费方式', '咨询：门禁卡补办流程']) {
      const created = await agent('POST', '/tickets', {
        customerId: customers.body.items[0].id,
        type: 'inquiry',
        channel: 'phone',
        subject,
        description: 'e2e calibration',
      });
      if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
      await agent('POST', `/tickets/${created.body.id}/take`);
      await agent('POST', `/tickets/${created.body.id}/replies`, { body: '您好，感谢您的来电，我是客服赵雪，今天 17:00 前给您答复。', visibility: 'public' });
      tickets.push(created.body);
    }
    let cards = (await admin('GET', '/qa/scorecards')).body.items.filter((c) => c.active);
    if (!cards.length) {
      await admin('POST', '/qa/scorecard-templates/phone/adopt');
      cards = (await admin('GET', '/qa/scorecards')).body.items.filter((c) => c.active);
    }
    card = cards[0];
    const staff = (await admin('GET', '/staff?limit=200')).body.items;
    const id = (no) => staff.find((s) => s.employeeNo === no)?.id;
    const res = await admin('POST', '/qa/calibrations', {
      name: '十二月电话校准',
      scorecardId: card.id,
      ticketIds: tickets.map((t) => t.id),
      inspectorIds: [id('Q0001'), id('S0001')],
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    if (res.status !== 201) fail(`create session: ${res.status} ${JSON.stringify(res.body)}`);
    session = res.body;
  });

  /** Scores every item of both tickets by clicking the n-th option of each row. */
  async function scoreAll(page, nth, last) {
    for (const [i, t] of tickets.entries()) {
      for (const it of card.items) await page.getByTestId(`calib-${t.number}-${it.key}`).locator('.ant-radio-button-wrapper').nth(nth).click();
      await page.getByTestId(`calib-save-${t.number}`).click();
      // The session's last score closes it: the scoring cards give way to the results.
      if (last && i === tickets.length - 1) await expectVisible(page.getByTestId('calib-state').getByText('已结束'), 'closed by the last score');
      else await expectVisible(page.getByTestId(`calib-ticket-${t.number}`).getByText('我已评'), `saved ${t.number}`);
    }
  }

  const qa = await newWatchedPage(browser, 'Q0001', problems);
  current = qa;
  await step('Q0001 scores both tickets blind on 校准', async () => {
    await login(qa, base, 'Q0001');
    await qa.goto(`${base}/qa/calibrations`);
    await qa.getByTestId(`calib-open-${session.name}`).click();
    await expectVisible(qa.getByText('盲评进行中'), 'the blind notice');
    await scoreAll(qa, 0, false);
    await expectVisible(qa.getByTestId('calib-state').getByText('进行中'), 'still open');
    if (await qa.getByTestId('calib-mad').count()) fail('results shown while the session is open');
    await shot(qa, 'blind-zh');
  });

  const sup = await newWatchedPage(browser, 'S0001', problems, { viewport: { width: 390, height: 844 } });
  current = sup;
  await step('S0001 scores on a 390×844 phone; the last score closes the session and shows the results', async () => {
    await login(sup, base, 'S0001');
    await sup.goto(`${base}/qa/calibrations/${session.id}`);
    await expectVisible(sup.getByText('盲评进行中'), 'the blind notice on the phone');
    await shot(sup, 'score-390');
    await scoreAll(sup, 1, true);
    await expectVisible(sup.getByTestId('calib-state').getByText('已结束'), 'closed by the last score');
    await expectVisible(sup.getByTestId('calib-mad'), 'the agreement figure');
    await expectVisible(sup.getByTestId('calib-deviation-chart').locator('canvas'), 'the deviation chart');
    const width = await sup.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) fail(`the page is ${width}px wide at 390`);
    await shot(sup, 'results-390');
  });

  current = qa;
  await step('Q0001 sees the results with the spread highlighted; the session is on the agreement trend', async () => {
    await qa.goto(`${base}/qa/calibrations/${session.id}`);
    await expectVisible(qa.getByTestId('calib-mad'), 'the agreement figure');
    await shot(qa, 'results-zh');
    await qa.goto(`${base}/qa/calibrations`);
    await expectVisible(qa.getByTestId('calib-trend').locator('canvas'), 'the agreement trend');
    await shot(qa, 'list-zh');
  });

  const supApi = await apiSession(base, 'S0001');
  let round;
  await step('S0001 starts a peer review round for the team (API)', async () => {
    const me = (await supApi('GET', '/me')).body;
    const res = await supApi('POST', '/qa/peer-rounds', {
      name: '十二月互评',
      teamId: me.teamId,
      perAgent: 2,
      from: new Date(Date.now() - 60 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 86_400_000).toISOString(),
      items: [
        { key: 'attitude', label: '服务态度' },
        { key: 'solve', label: '解决问题' },
      ],
    });
    if (res.status !== 201) fail(`start round: ${res.status} ${JSON.stringify(res.body)}`);
    round = res.body;
  });

  const ag = await newWatchedPage(browser, 'K0003', problems, { viewport: { width: 390, height: 844 } });
  current = ag;
  await step('agent K0003 scores a colleague’s anonymised ticket on 我的质检 (390×844)', async () => {
    await login(ag, base, 'K0003');
    await ag.goto(`${base}/qa/mine`);
    const card = ag.getByTestId('peer-mine');
    await expectVisible(card.getByText('互评（待评 2）'), 'two tickets to score');
    await card.locator('.ant-collapse-header').first().click();
    for (const key of ['attitude', 'solve']) await card.getByTestId(`peer-rate-${key}`).locator('.ant-rate-star').nth(3).click();
    await shot(ag, 'peer-390');
    await card.getByTestId('peer-submit').click();
    await expectVisible(card.getByText('互评（待评 1）'), 'one left');
  });

  current = sup;
  await step('S0001 sees the round’s progress on 互评', async () => {
    await sup.setViewportSize({ width: 1440, height: 900 });
    await sup.goto(`${base}/qa/peer`);
    await expectVisible(sup.getByText(`已评 1/${round.assigned}`), 'the progress');
    await shot(sup, 'peer-rounds-zh');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'calibration-failure.png', tmpPrefix: 'chidu-e2e-calibration-', journey });
