#!/usr/bin/env node
/**
 * Browser journey for issue #16 items 2, 3, 8 (appointments, dispatch proposals, the dispatch board).
 *
 *   node e2e/all.mjs field-dispatch            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs field-dispatch --no-build
 *
 * A customer on a 390×844 phone (zh-CN) signs in to the portal with a new number, reports a repair and books a free
 * 2-hour slot on the request page; dispatch proposes technicians for the visit (ranked, with reasons) and the
 * proposed technician accepts it; the supervisor (S0001) sees it on the dispatch board at 1440×900 and opens its
 * proposals. Screenshots e2e/artifacts/field-dispatch-*.png.
 */
import { bookSlot, portalSignIn, reportRepair, technicianNo } from './lib/field-booking.mjs';
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'field-dispatch-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const sup = await apiSession(base, 'S0001');
  const phoneNumber = `137${String(Date.now()).slice(-8)}`;
  let ticketId = '';
  let visit = null;

  const phone = await newWatchedPage(browser, 'customer', problems, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  current = phone;

  await step('the customer signs in to the portal and reports a repair', async () => {
    await portalSignIn(phone, base, phoneNumber, STEP_TIMEOUT);
    ticketId = await reportRepair(phone, { fail, expectVisible }, '卫生间热水器不出热水', '打开热水阀只有冷水，热水器显示 E1。');
  });

  await step('预约上门: free 2-hour slots on the request page, pick one and book it', async () => {
    await bookSlot(phone, { fail, expectVisible, shot }, { nth: 1, shotName: 'slots-zh-390' });
    const booked = phone.getByTestId('slot-booked');
    await booked.scrollIntoViewIfNeeded();
    await shot(phone, 'booked-zh-390', { fullPage: false });
  });

  await step('dispatch proposes technicians with reasons; the proposed one accepts', async () => {
    const visits = await sup('GET', `/tickets/${ticketId}/visits`);
    visit = visits.body?.items?.[0];
    if (!visit?.technicianId) fail(`no booked visit: ${visits.status} ${JSON.stringify(visits.body)}`);
    const props = await sup('GET', `/visits/${visit.id}/proposals`);
    const first = props.body?.items?.[0];
    if (first?.technicianId !== visit.technicianId || !first.eligible) fail(`the booked technician is not the first proposal: ${JSON.stringify(props.body)}`);
    if (!first.reasons.includes('该时段空闲')) fail(`reasons: ${first.reasons}`);
    const dry = await sup('POST', `/visits/${visit.id}/dispatch`, { dryRun: true });
    if (dry.status !== 200 || dry.body.chosen?.technicianId !== visit.technicianId) fail(`dry run: ${dry.status} ${JSON.stringify(dry.body)}`);
    const no = await technicianNo(sup, visit.technicianId);
    if (!no) fail(`the booked technician ${visit.technicianName} is not a demo technician`);
    const tech = await apiSession(base, no);
    const acc = await tech('POST', `/visits/${visit.id}/accept`);
    if (acc.status !== 200 || acc.body.state !== 'accepted') fail(`accept: ${acc.status} ${JSON.stringify(acc.body)}`);
  });

  const desk = await newWatchedPage(browser, 'S0001', problems);
  current = desk;
  await step('调度看板 at 1440×900: the accepted visit on its technician’s row; its proposals', async () => {
    await login(desk, base, 'S0001');
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(visit.start));
    await desk.goto(`${base}/field/board`);
    await expectVisible(desk.getByRole('heading', { name: '调度看板' }), 'the board title');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    if (day !== today) {
      await desk.getByLabel('日期').click();
      await desk.getByLabel('日期').fill(day);
      await desk.keyboard.press('Enter');
    }
    const number = (await sup('GET', `/tickets/${ticketId}`)).body.number;
    const mine = desk.locator(`[data-testid="board-visit"][data-number="${number}"]`);
    await expectVisible(mine, 'the visit on the board');
    await expectVisible(mine.getByText(/已接单/), 'state 已接单');
    await shot(desk, 'board-zh', { fullPage: false });
    await mine.focus();
    await desk.keyboard.press('Enter');
    await expectVisible(desk.getByTestId('proposal').first(), 'the proposals');
    await expectVisible(desk.getByText(/该时段空闲/).first(), 'a reason');
    await shot(desk, 'proposals-zh', { fullPage: false });
  });

  await step('提醒设置: the supervisor (field.manage) sets the evening reminder to 20:00; the rule sentence follows', async () => {
    await desk.keyboard.press('Escape');
    await desk.getByRole('button', { name: '提醒设置' }).click();
    await expectVisible(desk.getByText('上门提醒设置'), 'the reminder settings drawer');
    const rule = desk.getByTestId('reminder-rule');
    await expectVisible(rule.getByText(/前一天 18:00/), 'the rule at the default 18:00');
    await desk.getByLabel('上门前一天提醒时间').fill('20');
    await expectVisible(rule.getByText(/前一天 20:00/), 'the rule at 20:00 as typed');
    await shot(desk, 'reminder-settings-zh', { fullPage: false });
    await desk.getByRole('button', { name: /保\s*存/ }).click();
    await expectVisible(desk.getByText('上门提醒设置已保存'), 'saved');
    const saved = await sup('GET', '/field/reminder-settings');
    if (saved.status !== 200 || saved.body.eveningHour !== 20 || saved.body.leadHours !== 2) fail(`settings: ${saved.status} ${JSON.stringify(saved.body)}`);
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'field-dispatch-failure.png', tmpPrefix: 'chidu-e2e-field-dispatch-', journey });
