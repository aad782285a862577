#!/usr/bin/env node
/**
 * Browser journey through surveys and the closed loops (满意度调查与闭环).
 *
 *   node e2e/surveys.mjs              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/surveys.mjs --no-build   # reuse the existing packages/web/dist
 *
 * Starts `npx tsx packages/server/src/main.ts` with CHIDU_DEMO=1 on a free port and a fresh temporary DATA_DIR, then:
 *   K0001 (agent)       resolves a ticket on its page (工单解决) → the survey invitation exists (API).
 *   customer (390×844)  opens the survey link, taps 2 stars, picks a reason, sends — timed; the same link again shows
 *                       "已经评价过了"; a forged link shows "链接无效"; in English too.
 *   S0001 (supervisor)  the recovery board shows the case with a running 15-minute countdown (低分 15 分钟主管联系);
 *                       in English, records the contact: the clock turns met and the card moves to Contacted.
 *   K0001               a complaint ticket: 解决 is refused while loop steps are missing (toast + panel), then the
 *                       first step is recorded in the complaint panel; complaint board; care calendar.
 *   A0001 (admin)       survey builder with the live phone preview; soft-standard compliance.
 * Screenshots: e2e/artifacts/survey-*.png. Exits non-zero with a clear message on the first failure; always stops the server.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 20_000;
const OPEN_MODAL = '.ant-modal-wrap:not([style*="display: none"]) .ant-modal';

const { log, fail, shot, expectVisible, expectHidden, setLanguage, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'survey-',
  stepTimeout: STEP_TIMEOUT,
});

// ───────────────────────────── journey ─────────────────────────────

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, viewport = { width: 1440, height: 900 }, locale = 'zh-CN') =>
    newWatchedPage(browser, who, problems, { viewport, locale, ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
  let current = null;
  const step = stepRunner(() => current);

  const k1api = await apiSession(base, 'K0001');
  const ticket = { id: '', number: '' };
  const complaint = { id: '', number: '' };
  let surveyUrl = '';

  await step('setup: K0001 logs a phone inquiry for a demo customer (API)', async () => {
    const customers = await k1api('GET', '/customers?limit=5');
    const customerId = customers.body.items[0].id;
    const r = await k1api('POST', '/tickets', {
      customerId,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '咨询物业费发票开具',
      description: '需要 2026 年度物业费电子发票',
    });
    if (r.status !== 201) fail(`ticket not created: ${r.status} ${JSON.stringify(r.body)}`);
    ticket.id = r.body.id;
    ticket.number = r.body.number;
    const c = await k1api('POST', '/tickets', {
      customerId,
      type: 'complaint',
      channel: 'phone',
      priority: 'high',
      subject: '保洁人员态度恶劣',
      description: '业主反映保洁员在电梯内大声呵斥',
    });
    if (c.status !== 201) fail(`complaint not created: ${c.status}`);
    complaint.id = c.body.id;
    complaint.number = c.body.number;
    // a repair resolved today: its 3 after-sales care contacts land on K0001's care calendar
    const rp = await k1api('POST', '/tickets', {
      customerId,
      type: 'repair',
      channel: 'phone',
      priority: 'normal',
      subject: '厨房水龙头漏水',
      description: '水龙头根部渗水',
    });
    const rr = await k1api('POST', `/tickets/${rp.body.id}/resolve`, { resolution: '更换水龙头阀芯' });
    if (rr.status !== 200) fail(`repair not resolved: ${rr.status}`);
  });

  const k1 = await newPage('K0001');
  current = k1;
  await step('K0001 resolves the ticket on its page', async () => {
    await login(k1, base, 'K0001');
    await k1.goto(`${base}/tickets/${ticket.id}`);
    await k1.getByTestId('action-resolve').click();
    await k1.getByTestId('resolution-input').fill('已说明电子发票开具流程，发票将发送至业主邮箱');
    await k1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(k1.getByTestId('action-reopen'), 'the 重新打开 button (ticket resolved)');
    const invs = await k1api('GET', `/tickets/${ticket.id}/surveys`);
    if (invs.status !== 200 || invs.body.length !== 1 || invs.body[0].state !== 'sent')
      fail(`expected one sent survey invitation, got ${JSON.stringify(invs.body)}`);
    surveyUrl = invs.body[0].url;
    if (!surveyUrl.startsWith('/s/')) fail(`unexpected survey url ${surveyUrl}`);
  });

  const phone = await newPage('customer', { width: 390, height: 844 });
  current = phone;
  await step('the customer opens the link on a phone, gives 2 stars with a reason (timed)', async () => {
    const started = Date.now();
    await phone.goto(`${base}${surveyUrl}`);
    await expectVisible(phone.locator('.sv-star[data-star="2"]'), 'the star rating');
    await shot(phone, 'phone-form');
    await phone.locator('.sv-star[data-star="2"]').click();
    await expectVisible(phone.getByTestId('survey-reasons'), 'the low-score reason choices');
    await phone.getByTestId('survey-reasons').locator('.sv-chip').first().click();
    await shot(phone, 'phone-low-score');
    await phone.locator('.sv-submit').click();
    await expectVisible(phone.getByTestId('survey-thanks'), 'the thank-you page');
    const ms = Date.now() - started;
    log(`  answered in ${ms} ms (page load → thank-you, including two taps and one reason)`);
    if (ms > 10_000) fail(`answering took ${ms} ms (> 10 s)`);
    await shot(phone, 'phone-thanks');
  });

  await step('the same link again says "already answered"; a forged link says "invalid"; English', async () => {
    await phone.goto(`${base}${surveyUrl}`);
    await expectVisible(phone.locator('[data-testid=survey-problem][data-code=already_answered]'), 'the already-answered page');
    await shot(phone, 'phone-used');
    const forged = surveyUrl.slice(0, -3) + (surveyUrl.endsWith('AAA') ? 'BBB' : 'AAA');
    await phone.goto(`${base}${forged}`);
    await expectVisible(phone.locator('[data-testid=survey-problem][data-code=not_found]'), 'the invalid-link page');
    await shot(phone, 'phone-invalid');
    await phone.locator('.sv-lang').click();
    await expectVisible(phone.getByText('Invalid link'), 'the English invalid-link page');
    await shot(phone, 'phone-invalid-en');
  });

  const s1 = await newPage('S0001');
  current = s1;
  await step('S0001 sees the recovery case with a running 15-minute countdown', async () => {
    await login(s1, base, 'S0001');
    await s1.goto(`${base}/recovery`);
    const card = s1.getByTestId('recovery-card').filter({ hasText: ticket.number });
    await expectVisible(card, `the recovery card of ${ticket.number}`);
    const chip = card.locator('[data-testid=countdown][data-code=RECOVERY-CONTACT]');
    await expectVisible(chip, 'the 15-minute contact countdown');
    const text = await chip.innerText();
    const m = /(\d{2}):(\d{2})/.exec(text);
    if (!m || Number(m[1]) > 15 || Number(m[1]) < 10) fail(`expected a countdown under 15:00, got "${text}"`);
    log(`  countdown shows "${text}"`);
    await shot(s1, 'recovery-board');
    await setLanguage(s1, 'en');
    await expectVisible(s1.getByText('Low-score recovery').first(), 'the English recovery board');
    await shot(s1, 'recovery-board-en');
    // the supervisor calls the customer and records it: the 15-minute clock stops as met, the card moves on
    await card.getByRole('button', { name: 'Record contact' }).click();
    await s1.locator(OPEN_MODAL).locator('textarea').fill('Called the customer, apologised, explained the invoice process again.');
    await s1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectHidden(s1.locator(OPEN_MODAL), 'the contact dialog');
    const moved = s1.getByTestId('recovery-card').filter({ hasText: ticket.number });
    await expectVisible(moved.getByRole('button', { name: 'Record solution' }), 'the next recovery step (solution)');
    await expectVisible(moved.locator('.ant-tag-green').filter({ hasText: 'met' }), 'the contact clock shown as met');
    const rec = await k1api('GET', `/tickets/${ticket.id}/recovery`);
    const contactClock = rec.body.standards.find((x) => x.code === 'RECOVERY-CONTACT');
    if (rec.body.state !== 'contacted' || contactClock?.state !== 'met') fail(`expected contacted / met, got ${rec.body.state} / ${contactClock?.state}`);
    await shot(s1, 'recovery-contacted-en');
  });

  current = k1;
  await step('K0001: resolving the complaint is refused while loop steps are missing; record the first step', async () => {
    await k1.goto(`${base}/tickets/${complaint.id}`);
    await expectVisible(k1.getByTestId('complaint-panel'), 'the complaint loop panel');
    await k1.getByTestId('action-resolve').click();
    await k1.getByTestId('resolution-input').fill('已向业主道歉');
    await k1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(k1.locator('.ant-message').getByText('投诉闭环未完成'), 'the refusal message');
    const after = await k1api('GET', `/tickets/${complaint.id}`);
    if (after.body.status === 'resolved') fail('the complaint was resolved with steps missing');
    await shot(k1, 'complaint-refused');
    await k1.locator(OPEN_MODAL).locator('.ant-modal-close').click();
    await expectHidden(k1.locator(OPEN_MODAL), 'the resolve dialog');
    await k1.getByTestId('complaint-step-listen').click();
    await k1.getByTestId('complaint-evidence').fill('业主说保洁员在电梯内大声呵斥其孩子，要求道歉并调换保洁员。');
    await k1.getByTestId('complaint-save').click();
    await expectVisible(k1.getByTestId('complaint-step-empathise'), 'the next step (共情) ready to record');
    await shot(k1, 'complaint-panel');
    await k1.goto(`${base}/complaints`);
    await expectVisible(k1.getByTestId('complaint-card').filter({ hasText: complaint.number }), 'the complaint on the board');
    await shot(k1, 'complaint-board');
    await k1.goto(`${base}/care`);
    await expectVisible(k1.locator('.ant-picker-calendar'), 'the care calendar');
    await expectVisible(k1.locator('.ant-picker-calendar .ant-badge-status-text').filter({ hasText: /\S/ }), 'care tasks on the calendar');
    await shot(k1, 'care-calendar');
  });

  const a1 = await newPage('A0001');
  current = a1;
  await step('A0001: survey builder with the live phone preview; soft compliance', async () => {
    await login(a1, base, 'A0001');
    await a1.goto(`${base}/surveys`);
    await expectVisible(a1.getByText('服务满意度调查'), 'the default template');
    await shot(a1, 'templates');
    await a1.getByTestId('survey-new').click();
    await expectVisible(a1.getByTestId('survey-preview').locator('.sv-star'), 'the phone preview');
    await a1.getByTestId('survey-preview').locator('.sv-star[data-star="1"]').click();
    await expectVisible(a1.getByTestId('survey-preview').getByTestId('survey-reasons'), 'low-score reasons in the preview');
    await shot(a1, 'builder');
    await a1.goto(`${base}/surveys?tab=soft`);
    await expectVisible(a1.getByText('收费前解释费用'), 'the demo soft standard');
    await shot(a1, 'soft-compliance');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'survey-failure.png', tmpPrefix: 'chidu-e2e-sv-', journey });
