#!/usr/bin/env node
/**
 * Browser journey for issue #13 item 7, the process rules (std-rules).
 *
 *   node e2e/all.mjs std-rules          # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs std-rules --no-build
 *
 * F0001 (front desk) grants a ¥30 gift without approval (the hint shows the ¥50 gift limit), records that the customer
 * accepted it at the desk (到店), and is sent to approval for ¥200. K0001 offers a ¥50 coupon (待客户接受); the customer signs in to the portal (390×844), accepts it and
 * confirms the proposed solution (确认方案); K0001's ticket shows 客户已接受 and the timeline both events.
 * Then one-to-one help and the checklist: 周大爷 needs one-to-one help with K0001 as 专人; the front desk logs his
 * repair, which goes to K0001 (the timeline says why); K0001's ticket page shows the 一对一帮办 tag with her name and the
 * two checklist steps, and she records 报价已告知客户 (in time) — at 1440×900 and 390×844.
 * Screenshots e2e/artifacts/std-rules-*.png.
 */
import { createHarness } from './lib/harness.mjs';

const OPEN_MODAL = '.ant-modal-wrap:not([style*="display: none"]) .ant-modal';
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'std-rules-',
  stepTimeout: 30_000,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const agent = await apiSession(base, 'K0001');
  const front = await apiSession(base, 'F0001');
  const phoneNo = `1390${String(Date.now()).slice(-7)}`;
  const cust = await agent('POST', '/customers', { name: '孙阿姨', tier: 'regular', phone: phoneNo });
  if (cust.status !== 201) fail(`create customer: ${cust.status} ${JSON.stringify(cust.body)}`);
  const newTicket = async (as, type, subject) => {
    const r = await as('POST', '/tickets', { customerId: cust.body.id, type, channel: 'walk_in', priority: 'normal', subject, description: '业主到前台反映' });
    if (r.status !== 201) fail(`create ticket: ${r.status} ${JSON.stringify(r.body)}`);
    await as('POST', `/tickets/${r.body.id}/take`, {});
    return r.body.id;
  };

  const fd = await newWatchedPage(browser, 'F0001', problems);
  current = fd;
  await step('the front desk grants a ¥30 gift without approval; ¥200 goes to approval', async () => {
    const id = await newTicket(front, 'inquiry', '快递代收等候过久');
    await login(fd, base, 'F0001');
    const grant = async (yuan) => {
      await fd.getByTestId('action-compensate').click();
      const modal = fd.locator(OPEN_MODAL);
      await modal.getByText('礼品', { exact: true }).click();
      await expectVisible(modal.getByTestId('gift-limit-hint').getByText('前台可直接发放 ¥50.00 以内的常规礼品', { exact: false }), 'the gift limit hint');
      await modal.locator('[data-testid=compensation-amount] input, input[data-testid=compensation-amount]').first().fill(String(yuan));
      await modal.getByTestId('compensation-reason').fill('等候过久，赠送纸巾礼盒致歉');
      return modal;
    };
    await fd.goto(`${base}/tickets/${id}`);
    const m1 = await grant(30);
    await shot(fd, 'frontdesk-gift');
    await m1.getByTestId('compensation-submit').click();
    await expectVisible(fd.getByTestId('compensations').getByText('待客户接受'), 'the ¥30 gift granted, awaiting the customer');
    // the customer, at the desk, accepts it: recorded with the channel 到店
    await fd.getByTestId('compensation-answer').click();
    const answer = fd.locator(OPEN_MODAL);
    await answer.getByText('到店', { exact: true }).click();
    await answer.getByTestId('compensation-answer-ok').click();
    await expectVisible(fd.getByTestId('compensations').getByText('客户已接受'), 'the gift accepted at the desk');
    const m2 = await grant(200);
    await m2.getByTestId('compensation-submit').click();
    await expectVisible(fd.getByTestId('approval-filed'), 'the ¥200 gift sent to approval');
    await shot(fd, 'frontdesk-approval');
  });

  let ticketId = '';
  const k1 = await newWatchedPage(browser, 'K0001', problems);
  current = k1;
  await step('an agent offers a ¥50 coupon: 待客户接受', async () => {
    ticketId = await newTicket(agent, 'repair', '卫生间漏水维修迟到');
    const reply = await agent('POST', `/tickets/${ticketId}/replies`, {
      body: '您好，明天上午9点安排师傅上门更换止水阀，费用由物业承担。',
      visibility: 'public',
    });
    if (reply.status !== 201 && reply.status !== 200) fail(`reply: ${reply.status}`);
    const c = await agent('POST', `/tickets/${ticketId}/compensations`, { kind: 'coupon', amountFen: 5_000, reason: '维修迟到致歉' });
    if (c.status !== 201 || c.body.acceptance !== 'offered') fail(`compensation: ${c.status} ${JSON.stringify(c.body)}`);
    await login(k1, base, 'K0001');
    await k1.goto(`${base}/tickets/${ticketId}`);
    await expectVisible(k1.getByTestId('compensation-acceptance').getByText('待客户接受'), 'the offered compensation');
  });

  const phone = await newWatchedPage(browser, 'customer', problems, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  current = phone;
  await step('the customer accepts the compensation in the portal and confirms the solution', async () => {
    await phone.goto(`${base}/portal/login`);
    await phone.getByTestId('login-phone').fill(phoneNo);
    await phone.getByTestId('login-send-code').tap();
    const code = (await phone.getByTestId('demo-code').getAttribute('data-code')) ?? '';
    await phone.getByTestId('login-code').fill(code);
    await phone.waitForURL(`${base}/portal`);
    await phone.goto(`${base}/portal/requests/${ticketId}`);
    const offers = phone.getByTestId('portal-compensations');
    await expectVisible(offers.getByText('待您确认'), 'the compensation offered in the portal');
    await expectVisible(phone.getByTestId('solution-confirm'), 'the 确认方案 button');
    await shot(phone, 'portal-offer');
    await offers.getByTestId('portal-compensation-accept').tap();
    await expectVisible(offers.getByText('您已接受'), 'the compensation accepted');
    await phone.getByTestId('solution-confirm').tap();
    await phone.getByTestId('solution-confirm-box').waitFor({ state: 'detached' });
    await shot(phone, 'portal-accepted');
  });

  current = k1;
  await step('the ticket shows 客户已接受 and both events on the timeline', async () => {
    await k1.reload();
    await expectVisible(k1.getByTestId('compensation-acceptance').getByText('客户已接受'), 'the accepted compensation');
    await expectVisible(k1.getByTestId('ticket-timeline').getByText('客户已接受赔付（已发放）'), 'the acceptance on the timeline');
    await shot(k1, 'ticket-accepted');
  });

  await step('one-to-one help: the ticket goes to the designated helper; the page shows the tag and the checklist', async () => {
    const me = await agent('GET', '/me');
    const elder = await agent('POST', '/customers', { name: '周大爷', tier: 'regular' });
    const flag = await agent('PATCH', `/customers/${elder.body.id}`, {
      assistance: 'elderly',
      assistanceNote: '行动不便，需陪同办理',
      assistStaffId: me.body.id,
    });
    if (flag.status !== 200) fail(`flag customer: ${flag.status} ${JSON.stringify(flag.body)}`);
    const r = await front('POST', '/tickets', {
      customerId: elder.body.id,
      type: 'repair',
      channel: 'walk_in',
      priority: 'normal',
      subject: '厨房水龙头漏水',
      description: '周大爷到前台报修',
    });
    if (r.status !== 201 || r.body.ownerId !== me.body.id) fail(`routed ticket: ${r.status} owner ${r.body.ownerId} (want ${me.body.id})`);
    await k1.goto(`${base}/tickets/${r.body.id}`);
    await expectVisible(k1.getByTestId('assist-tag').getByText(`一对一帮办 · 专人 ${me.body.name}`), 'the 一对一帮办 tag with the helper');
    await expectVisible(k1.getByTestId('ticket-timeline').getByText('一对一帮办', { exact: false }).first(), 'the routing reason on the timeline');
    await expectVisible(k1.getByTestId('checklist-cost_quoted').getByText('报价已告知客户'), 'the cost_quoted step');
    await expectVisible(k1.getByTestId('checklist-work_explained').getByText('已说明作业、保修范围和收费'), 'the work_explained step');
    await k1.getByTestId('record-cost_quoted').click();
    await k1.locator('[data-testid=checklist-cost_quoted][data-in-time=true]').waitFor();
    await expectVisible(k1.getByTestId('checklist-cost_quoted').getByText(me.body.name, { exact: false }), 'who recorded the step');
    await shot(k1, 'assist-checklist');
    await k1.setViewportSize({ width: 390, height: 844 });
    await k1.reload();
    await expectVisible(k1.getByTestId('assist-tag'), 'the tag on a phone');
    await expectVisible(k1.getByTestId('ticket-checklist'), 'the checklist on a phone');
    await shot(k1, 'assist-checklist-phone');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'std-rules-failure.png', tmpPrefix: 'chidu-e2e-std-rules-', journey });
