#!/usr/bin/env node
/**
 * Browser journey through 服务标准 (service standards) and 工作日历 (business calendars).
 *
 *   node e2e/standards.mjs              # builds packages/web (into a temp dir), starts its own demo server, runs the journey
 *   node e2e/standards.mjs --no-build   # reuse the existing packages/web/dist
 *   E2E_HEADED=1 node e2e/standards.mjs # watch it (needs a display)
 *
 * Starts `npx tsx packages/server/src/main.ts` with CHIDU_DEMO=1 on a free port and a fresh temporary DATA_DIR, then:
 *   A0001 (admin)      服务标准 → 模板库: adopts 电话三声内接听 with one click → 新建标准: a 5-second first-response
 *                      standard on 24×7 with the ladder "+0 s → 主管" (a missing limit is first refused by the server and
 *                      the error shows on the limit field).
 *   S0001 (supervisor) has the web app open in a second browser context. A ticket for 客服中心一组 is created through
 *                      the API and nobody replies: within ~2 s after the deadline S0001's open page shows the escalation
 *                      (bell count + toast) without reload; the ticket page shows the clock as 已超时 (also at 390 px and
 *                      in English); 服务标准 shows the rate and the drill-down lists the breached clock with its ticket;
 *                      工作日历 month view of 2025-10 shows the 国庆节 holidays and the 调休 workday 2025-10-11.
 * Screenshots go to e2e/artifacts/std-*.png (gitignored). Exits non-zero with a clear message on the first failure,
 * and always stops the server.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 20_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';
/** How late after the deadline the supervisor's open page may show the escalation (the issue asks for ~2 s). */
const PUSH_BUDGET_MS = Number(process.env.E2E_PUSH_BUDGET_MS ?? 2500);
const STD_CODE = 'E2E-FR-5S';
const STD_NAME = '首次响应 5 秒（演示）';

const { log, fail, shot, expectVisible, setLanguage, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'std-',
  stepTimeout: STEP_TIMEOUT,
  shotStyle: { mouseReset: true, scrollTop: true, settleMs: 400, drawerAware: true },
  languageSettleMs: 500,
});

/** Type into an antd tags/multiple Select and confirm with Enter. */
async function selectTag(page, select, text) {
  await select.click();
  await page.keyboard.type(text, { delay: 10 });
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: text }).first();
  await option.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  await option.click();
  await page.keyboard.press('Escape');
}

const bellCount = (page) =>
  page.evaluate(() => {
    const el = document.querySelector('[data-testid=notifications-bell] .ant-badge-count');
    if (!el) return 0;
    const title = el.getAttribute('title');
    const n = Number(title ?? el.textContent?.replace(/\D/g, '') ?? 0);
    return Number.isFinite(n) ? n : 0;
  });

// ───────────────────────────── journey ─────────────────────────────

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, viewport = { width: 1440, height: 900 }) => newWatchedPage(browser, who, problems, { viewport });
  let current = null;
  const step = stepRunner(() => current);

  const admin = await apiSession(base, 'A0001');
  const ticket = { id: '', number: '', dueAt: 0 };
  let standardId = '';

  // ─── A0001: admin ───
  const a = await newPage('A0001');
  current = a;

  await step('A0001 opens 服务标准 → 模板库 and adopts 电话三声内接听 with one click', async () => {
    await login(a, base, 'A0001');
    await a.getByRole('menuitem', { name: '服务标准' }).click();
    await a.waitForURL(`${base}/standards`);
    await a.getByRole('tab', { name: '模板库' }).click();
    await expectVisible(a.getByTestId('std-template'), 'the template cards');
    const count = await a.getByTestId('std-template').count();
    if (count < 20) fail(`expected the 26 templates, saw ${count}`);
    await a.getByTestId('adopt-phone-answer-3-rings').click();
    await expectVisible(a.getByText('已采用：电话三声内接听'), 'the adopted message');
    await expectVisible(a.getByTestId('std-template').filter({ hasText: '电话三声内接听' }).getByText('已采用'), 'the 已采用 tag on the card');
    await shot(a, 'templates');
  });

  await step('新建标准: the server refuses a missing limit on the limit field; then a 5 s first-response standard with "+0 s → 主管"', async () => {
    await a.getByTestId('std-new').click();
    const drawer = a.locator(OPEN_DRAWER);
    await expectVisible(drawer.getByText('新建服务标准'), 'the standard form');
    await drawer.getByTestId('std-name').fill(STD_NAME);
    await drawer.getByTestId('std-code').fill(STD_CODE);
    await drawer.getByTestId('std-encounter').fill('在线客服');
    await selectTag(a, drawer.getByTestId('std-start'), 'ticket.created');
    await selectTag(a, drawer.getByTestId('std-stop'), 'ticket.first_public_reply');
    await drawer.getByTestId('std-esc-add').click();
    await expectVisible(drawer.getByTestId('std-esc-role-0').getByText('主管'), 'the escalation step to 主管');
    await drawer.getByTestId('std-form-save').click();
    // no limit: the server's field error lands under the 时限 field
    await expectVisible(drawer.locator('.ant-form-item-has-error').filter({ hasText: '时限' }), 'the server error on the 时限 field');
    await shot(a, 'form-error');
    await drawer.getByTestId('std-limit-s').fill('5');
    await a.waitForTimeout(200);
    if (await drawer.locator('.ant-form-item-has-error').filter({ hasText: '时限' }).count()) fail('the 时限 error stayed after entering a limit');
    await shot(a, 'form');
    await drawer.getByTestId('std-form-save').click();
    await expectVisible(a.getByText('已新建服务标准'), 'the created message');
    const list = await admin('GET', '/standards');
    const s = list.body.items.find((x) => x.code === STD_CODE);
    if (!s) fail('the new standard is not in GET /standards');
    if (
      s.limitSeconds !== 5 ||
      s.calendarId !== null ||
      s.escalation.length !== 1 ||
      s.escalation[0].notifyRole !== 'supervisor' ||
      s.escalation[0].afterBreachSeconds !== 0
    ) {
      fail(`unexpected standard definition: ${JSON.stringify(s)}`);
    }
    standardId = s.id;
  });

  // ─── S0001: supervisor, app open in a second context ───
  const sup = await newPage('S0001');
  current = sup;
  await step('S0001 (supervisor of 客服中心一组) has the web app open', async () => {
    await login(sup, base, 'S0001');
    await sup.waitForTimeout(1000); // WebSocket connected
  });

  await step('a ticket for 客服中心一组 is created (API) and nobody replies: the escalation reaches S0001 within ~2 s, without reload', async () => {
    const before = await bellCount(sup);
    const teams = await admin('GET', '/teams');
    const team = teams.body.items.find((x) => x.name === '客服中心一组');
    const customers = await admin('GET', '/customers?q=%E6%9D%8E%E7%A7%80%E8%8B%B1');
    const customer = customers.body.items[0];
    if (!team || !customer) fail('demo team or customer missing');
    const created = await admin('POST', '/tickets', {
      customerId: customer.id,
      type: 'inquiry',
      channel: 'chat',
      priority: 'normal',
      subject: '在线咨询无人回复（演示）',
      description: '客户在线提问后等待回复。',
      teamId: team.id,
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    ticket.id = created.body.id;
    ticket.number = created.body.number;
    const detail = await admin('GET', `/tickets/${ticket.id}`);
    const clock = detail.body.standards.find((x) => x.code === STD_CODE);
    if (!clock?.dueAt) fail(`the ticket has no ${STD_CODE} clock: ${JSON.stringify(detail.body.standards)}`);
    ticket.dueAt = Date.parse(clock.dueAt);
    log(`  ${ticket.number}: ${STD_CODE} due ${clock.dueAt}`);
    const limit = ticket.dueAt + 15_000;
    let seenAt = 0;
    while (Date.now() < limit) {
      if ((await bellCount(sup)) > before) {
        seenAt = Date.now();
        break;
      }
      await sup.waitForTimeout(50);
    }
    if (!seenAt) fail('the bell count did not change within 15 s after the deadline');
    const lag = seenAt - ticket.dueAt;
    log(`  bell updated ${lag} ms after the deadline (budget ${PUSH_BUDGET_MS} ms)`);
    if (lag > PUSH_BUDGET_MS) fail(`the escalation reached the open page ${lag} ms after the deadline (budget ${PUSH_BUDGET_MS} ms)`);
    await expectVisible(sup.locator('.ant-notification-notice').filter({ hasText: ticket.number }), 'the toast naming the ticket', 5000);
    await shot(sup, 'escalation-toast');
    await sup.getByTestId('notifications-bell').click();
    await expectVisible(sup.getByTestId('notification-item').filter({ hasText: ticket.number }), 'the escalation in the bell list');
    await shot(sup, 'bell');
    await sup.keyboard.press('Escape');
  });

  await step('the ticket page shows the clock as 已超时 (zh-CN, 390 px, en)', async () => {
    await sup.goto(`${base}/tickets/${ticket.id}`);
    const chip = sup.getByTestId('standard-chip').filter({ hasText: STD_NAME });
    await expectVisible(chip, 'the clock chip on the ticket');
    await expectVisible(chip.filter({ hasText: /超时/ }), 'the clock shown as breached');
    await shot(sup, 'ticket-breached');
    await sup.setViewportSize({ width: 390, height: 844 });
    await sup.waitForTimeout(300);
    await expectVisible(sup.getByTestId('standard-chip').filter({ hasText: /超时/ }), 'the breached clock at 390 px');
    await shot(sup, 'ticket-breached-phone');
    await setLanguage(sup, 'en');
    await expectVisible(sup.getByTestId('standard-chip').filter({ hasText: /[Oo]verdue|[Bb]reached/ }), 'the breached clock in English');
    await shot(sup, 'ticket-breached-phone-en');
    await sup.setViewportSize({ width: 1440, height: 900 });
    await shot(sup, 'ticket-breached-en');
    await setLanguage(sup, 'zh-CN');
  });

  await step('服务标准: the rate against target with its definition; drill into the breached clock', async () => {
    await sup.goto(`${base}/standards`);
    const row = sup.getByTestId('std-overview').locator('tr', { hasText: STD_NAME });
    await expectVisible(row, 'the standard in the compliance table');
    await expectVisible(row.getByTestId('rate-value').filter({ hasText: '0%' }), 'the 0% rate (1 breached, 0 met)');
    await expectVisible(sup.getByTestId('rate-definition'), 'the rate definition');
    // Soft standards (survey-measured) side by side with the timed ones (the demo has 收费前解释费用).
    await expectVisible(
      sup.getByTestId('std-soft').locator('tr', { hasText: '收费前解释费用' }).first(),
      'the soft standard 收费前解释费用 measured by surveys',
    );
    await shot(sup, 'overview');
    await row.getByTestId('drill-breached').click();
    const drawer = sup.getByTestId('instances-drawer');
    await expectVisible(
      sup.locator(OPEN_DRAWER).getByTestId('instance-ticket').filter({ hasText: ticket.number }),
      'the breached clock with its ticket number',
    );
    await expectVisible(sup.locator(OPEN_DRAWER).getByTestId('instance-state').filter({ hasText: '已超时' }), 'the 已超时 state');
    void drawer;
    await shot(sup, 'drill-breached');
    await sup.locator(OPEN_DRAWER).getByTestId('instance-ticket').filter({ hasText: ticket.number }).click();
    await sup.waitForURL(`${base}/tickets/${ticket.id}`);
  });

  await step('the standard page: rate card, trend, breakdowns, definition, versions, improvements (zh-CN, en)', async () => {
    await sup.goto(`${base}/standards/${standardId}`);
    await expectVisible(sup.getByTestId('std-rate-card'), 'the rate card');
    await expectVisible(sup.getByTestId('trend-chart').locator('canvas'), 'the trend chart');
    await expectVisible(sup.getByTestId('std-breakdown').locator('tr', { hasText: '客服中心一组' }), 'the team breakdown row');
    await expectVisible(sup.getByTestId('std-versions').getByText('v1'), 'the version list');
    await sup.getByTestId('imp-new').click();
    const modal = sup.locator('.ant-modal-wrap:not([style*="display: none"]) .ant-modal');
    await modal.locator('#cause').fill('夜间在线咨询无人值守，新工单无人看到');
    await modal.locator('#change').fill('在线客服排班增加一名值班员，新工单 1 分钟未接自动提醒主管');
    await modal.locator('#ownerId').click();
    await sup.keyboard.type('王海燕', { delay: 10 });
    await sup.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '王海燕' }).first().click();
    await modal.getByRole('button', { name: /保\s*存/ }).click();
    await expectVisible(sup.getByTestId('std-improvements').locator('tr', { hasText: '夜间在线咨询无人值守' }), 'the improvement action');
    await shot(sup, 'detail');
    await setLanguage(sup, 'en');
    await expectVisible(sup.getByText('Compliance by'), 'the English page');
    await shot(sup, 'detail-en');
    await setLanguage(sup, 'zh-CN');
  });

  await step('工作日历: 2025-10 shows 国庆节 holidays and the 调休 workday 2025-10-11; the uncovered-year banner', async () => {
    await sup.goto(`${base}/calendars`);
    await expectVisible(sup.getByTestId('cal-item').filter({ hasText: '客服中心标准工时' }), 'the demo calendar');
    await sup.getByTestId('cal-item').filter({ hasText: '客服中心标准工时' }).click();
    await sup.waitForURL(/\/calendars\/[0-9a-f-]{36}/);
    const url = new URL(sup.url());
    url.searchParams.set('month', '2025-10');
    await sup.goto(url.toString());
    for (const d of ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-08']) {
      await expectVisible(sup.locator(`[data-testid=day-${d}][data-kind=holiday]`), `${d} as a holiday`);
    }
    await expectVisible(sup.getByTestId('day-2025-10-01').getByText('国庆节'), '国庆节 on 2025-10-01');
    await expectVisible(sup.locator('[data-testid=day-2025-10-11][data-kind=makeup_workday]'), '2025-10-11 as the 调休 make-up workday');
    await expectVisible(sup.getByTestId('day-2025-10-11').getByText('09:00–12:00'), 'the open hours on 2025-10-11');
    await expectVisible(sup.locator('[data-testid=day-2025-10-09][data-kind=workday]'), '2025-10-09 as a normal workday');
    const cal = await admin('GET', '/calendars');
    const c = cal.body.items.find((x) => x.name === '客服中心标准工时');
    if (c.uncoveredYears.length) await expectVisible(sup.getByTestId('uncovered-banner'), 'the uncovered-years banner');
    await shot(sup, 'calendar-month');
    await sup.getByRole('tab', { name: '试算' }).click();
    await expectVisible(sup.getByTestId('try-it'), 'the try-it box');
    // Tue 2025-09-30 17:00 + 2 business hours on 9–12/13:30–18 with 国庆 closed through 10-08 → Thu 10-09 10:00
    const from = sup.getByTestId('try-add-from');
    await from.click();
    await sup.keyboard.press('Control+A');
    await sup.keyboard.type('2025-09-30 17:00:00');
    await sup.keyboard.press('Enter');
    await sup.getByTestId('try-add-seconds-h').fill('2');
    await sup.getByTestId('try-add-seconds-m').fill('0');
    await sup.getByTestId('try-add-seconds-s').fill('0');
    await sup.getByTestId('try-add-run').click();
    await expectVisible(
      sup.getByTestId('try-add-result').filter({ hasText: '2025-10-09 10:00:00' }),
      'the due instant 2025-10-09 10:00 after the National Day holidays',
    );
    await shot(sup, 'calendar-try');
    await setLanguage(sup, 'en');
    await sup.getByRole('tab', { name: 'Month' }).click();
    await expectVisible(sup.getByTestId('day-2025-10-01').getByText('National Day'), 'National Day in English');
    await shot(sup, 'calendar-month-en');
    await sup.setViewportSize({ width: 390, height: 844 });
    await shot(sup, 'calendar-month-phone-en');
    await sup.setViewportSize({ width: 1440, height: 900 });
    await setLanguage(sup, 'zh-CN');
  });

  current = a;
  await step('A0001: calendar editor (split shifts), .ics import result, assignments; notification settings', async () => {
    await a.goto(`${base}/calendars`);
    await a.getByTestId('cal-item').filter({ hasText: '客服中心标准工时' }).click();
    await a.getByTestId('cal-edit').click();
    await expectVisible(a.locator(OPEN_DRAWER).getByTestId('cal-mon-1-start'), 'the second Monday period (after lunch)');
    await shot(a, 'calendar-editor');
    await a
      .locator(OPEN_DRAWER)
      .getByRole('button', { name: /取\s*消/ })
      .click();
    await a.getByRole('tab', { name: '导入 .ics' }).click();
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20270101',
      'DTEND;VALUE=DATE:20270102',
      'SUMMARY:元旦',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20270206',
      'DTEND;VALUE=DATE:20270213',
      'SUMMARY:春节',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    await a
      .getByTestId('ics-import')
      .locator('input[type=file]')
      .setInputFiles({ name: '2027.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
    await expectVisible(a.getByText('2027.ics'), 'the chosen file');
    await a.getByTestId('ics-run').click();
    await expectVisible(a.getByTestId('ics-result').getByText(/已读取 8 个日期/), 'the import result');
    await expectVisible(a.getByTestId('uncovered-progress').filter({ hasText: '2027' }), 'the banner counting the 2027 dates already added');
    await shot(a, 'calendar-ics');
    const as = a.getByTestId('cal-assignments');
    await as.locator('.ant-select').nth(1).click();
    await a.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '客服中心一组' }).first().click();
    await as.locator('.ant-select').nth(2).click();
    await a.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '客服中心标准工时' }).first().click();
    await as.getByRole('button', { name: /分\s*配/ }).click();
    await expectVisible(as.locator('tr', { hasText: '客服中心一组' }).filter({ hasText: '客服中心标准工时' }), 'the team assignment');
    const resolved = await admin('GET', `/calendars/resolve?teamId=${(await admin('GET', '/teams')).body.items.find((x) => x.name === '客服中心一组').id}`);
    if (resolved.body.calendarName !== '客服中心标准工时' || resolved.body.source !== 'team')
      fail(`resolve after assignment: ${JSON.stringify(resolved.body)}`);
    await as.scrollIntoViewIfNeeded();
    await shot(a, 'calendar-assignments');
    await a.goto(`${base}/notifications/settings`);
    await expectVisible(a.getByTestId('nset-form'), 'the notification settings');
    await shot(a, 'notification-settings');
    await setLanguage(a, 'en');
    await a.goto(`${base}/standards?tab=catalogue`);
    await expectVisible(a.getByTestId('std-catalogue').getByText(STD_NAME), 'the catalogue in English');
    await shot(a, 'catalogue-en');
    await a.getByTestId('std-new').click();
    await expectVisible(a.locator(OPEN_DRAWER).getByText('New service standard'), 'the form in English');
    await shot(a, 'form-en');
    await a.keyboard.press('Escape');
    await a.waitForTimeout(400);
    await setLanguage(a, 'zh-CN');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

// ───────────────────────────── main ─────────────────────────────

runDemoJourney({ failureShot: 'std-failure.png', tmpPrefix: 'chidu-e2e-std-', journey, build: { tempOutDirPrefix: 'chidu-e2e-std-web-' } });
