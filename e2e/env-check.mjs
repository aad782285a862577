#!/usr/bin/env node
/**
 * Browser journey for issue #15 item 8 (environment checks on a phone).
 *
 *   node e2e/all.mjs env-check            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs env-check --no-build
 *
 * 罗晓梅 (Q0001, 质检员) on a 390×844 phone in zh-CN opens 环境检查, picks 翠湖苑 · 5栋 and fills the twelve items;
 * a temperature of 29.5 ℃ turns red at once (超标), the rest are in range. Submitting opens one corrective task
 * (a ticket timed by the ENV-CORRECTIVE standard). 王海燕 (S0001, 主管) at 1440×900 sees the task on 环境检查与整改
 * with its deadline, opens its ticket — an internal task (内部工单), no customer link — and closes the task with a
 * note. Screenshots e2e/artifacts/env-check-*.png.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'env-check-',
  stepTimeout: STEP_TIMEOUT,
});

const MEASURED = { temperature: 29.5, humidity: 48, lux_public: 360, lux_work: 620, pm25: 22, noise: 41, signage: 18, air_changes: 4 };
const YES = ['clean', 'facilities', 'water', 'wifi'];

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const supervisorApi = await apiSession(base, 'S0001');

  const phone = await newWatchedPage(browser, 'Q0001', problems, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  current = phone;

  await step('the inspector fills a check on a phone: 29.5 ℃ is marked out of range at once', async () => {
    await login(phone, base, 'Q0001');
    await phone.goto(`${base}/env/check`);
    await expectVisible(phone.getByRole('heading', { name: '环境检查' }), 'the 环境检查 title');
    await phone.getByTestId('env-site').click();
    await phone.keyboard.type('5栋');
    await expectVisible(phone.locator('.ant-select-item-option').filter({ hasText: '翠湖苑 · 5栋' }), 'the site option');
    await phone.locator('.ant-select-item-option').filter({ hasText: '翠湖苑 · 5栋' }).click();
    for (const [key, value] of Object.entries(MEASURED)) {
      const input = phone.getByTestId(`env-item-${key}`).locator('input');
      if ((await input.getAttribute('inputmode')) !== 'decimal') fail(`${key}: no numeric keyboard`);
      await input.fill(String(value));
    }
    for (const key of YES) await phone.getByTestId(`env-item-${key}`).getByText('是', { exact: true }).click();
    await expectVisible(phone.getByTestId('env-item-temperature').getByText('超标'), 'temperature marked 超标');
    await expectVisible(phone.getByTestId('env-item-humidity').getByText('达标'), 'humidity marked 达标');
    await expectVisible(phone.getByText('1 项不达标，提交后将开启 1 个整改任务'), 'the warning before submitting');
    await shot(phone, 'fill-zh-390', { fullPage: false });
    await shot(phone, 'fill-full-zh-390');
  });

  await step('submitting opens one corrective task, timed by the standard', async () => {
    await phone.getByTestId('env-submit').click();
    await expectVisible(phone.getByText('检查已提交，1 项不达标，已开启整改任务'), 'the result');
    const task = phone.getByTestId('env-task');
    await expectVisible(task.getByText('室温'), 'the task item');
    await expectVisible(task.getByText('实测 29.5 ℃，标准 22–26 ℃'), 'the measured value and range');
    await expectVisible(task.getByText(/须在 .+ 前整改/), 'the deadline of the ENV-CORRECTIVE standard');
    await shot(phone, 'done-zh-390', { fullPage: false });
  });

  let taskId;
  let ticketId;
  await step('the task is open on the server', async () => {
    const open = await supervisorApi('GET', '/env/tasks?state=open');
    const task = open.body.items?.find((x) => x.site.name === '翠湖苑 · 5栋' && x.item === 'temperature');
    if (!task) fail(`no open task for 5栋: ${JSON.stringify(open.body)}`);
    if (!task.standard || task.standard.state !== 'running') fail(`the task has no running standard: ${JSON.stringify(task)}`);
    taskId = task.id;
    ticketId = task.ticket?.id;
    if (!ticketId) fail(`the task has no ticket: ${JSON.stringify(task)}`);
  });

  const desk = await newWatchedPage(browser, 'S0001', problems);
  current = desk;
  await step('its ticket is an internal task (内部工单): no customer link, and the internal customer is nobody to pick', async () => {
    await login(desk, base, 'S0001');
    const ticket = await supervisorApi('GET', `/tickets/${ticketId}`);
    if (ticket.body.type !== 'internal') fail(`the corrective ticket is of type ${ticket.body.type}, not internal`);
    const customers = await supervisorApi('GET', '/customers?limit=3');
    if (customers.body.items?.[0]?.id === ticket.body.customerId) fail('the internal customer is listed first among the customers');
    await desk.goto(`${base}/tickets/${ticketId}`);
    const header = desk.getByTestId('ticket-header');
    await expectVisible(header.getByTestId('ticket-internal').getByText('内部工单'), '内部工单 in place of the customer');
    if ((await header.locator(`a[href="/customers/${ticket.body.customerId}"]`).count()) !== 0) fail('the internal ticket links its customer');
    await expectVisible(header.getByTestId('ticket-standards'), 'the corrective clock on the ticket');
    await shot(desk, 'ticket-internal-zh');
  });

  await step('the supervisor sees it at 1440×900 and closes it with a note', async () => {
    await desk.goto(`${base}/env`);
    await expectVisible(desk.getByRole('heading', { name: '环境检查与整改' }), 'the page title');
    const row = desk.getByTestId('env-open-tasks').locator('tr').filter({ hasText: '5栋' }).filter({ hasText: '室温' });
    await expectVisible(row.getByText('29.5 ℃'), 'the measured value');
    await expectVisible(row.getByText('计时中'), 'the running standard');
    await shot(desk, 'tasks-zh');
    await row.getByRole('button', { name: /关闭整改/ }).click();
    await desk.getByLabel('整改说明').fill('已检修 5 栋大堂空调，复测 24.5 ℃');
    await desk
      .locator('.ant-modal')
      .getByRole('button', { name: /关闭整改/ })
      .click();
    await expectVisible(desk.getByText('整改任务已关闭'), 'the confirmation');
    const after = await supervisorApi('GET', '/env/tasks?state=closed');
    if (!after.body.items.some((x) => x.id === taskId && x.closeNote === '已检修 5 栋大堂空调，复测 24.5 ℃')) fail('the task is not closed on the server');
    await shot(desk, 'closed-zh');
  });

  await step('the supervisor opens an internal task by hand: 内部工单 hides the customer picker', async () => {
    await desk.goto(`${base}/tickets?new=1`);
    const drawer = desk.locator('.ant-drawer.ant-drawer-open .ant-drawer-section');
    await expectVisible(drawer.getByText('新建工单').first(), 'the new-ticket drawer');
    await expectVisible(drawer.getByTestId('ticket-customer'), 'the customer picker for a customer request');
    await drawer.locator('label', { hasText: '内部工单' }).first().click();
    await expectVisible(drawer.getByTestId('ticket-internal-note'), 'the internal-task note in place of the customer');
    if ((await drawer.getByTestId('ticket-customer').count()) !== 0) fail('the customer picker is still shown for 内部工单');
    await drawer.getByTestId('ticket-subject').fill('复查 5 栋大堂空调运行');
    await shot(desk, 'new-internal-zh');
    await desk.getByTestId('ticket-create-submit').click();
    await desk.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await expectVisible(desk.getByTestId('ticket-header').getByTestId('ticket-internal'), '内部工单 on the new ticket');
    // No customer to answer: the box writes internal notes only, and a note is added.
    const box = desk.getByTestId('reply-box');
    await expectVisible(box, 'the note box on the internal ticket');
    await box.getByTestId('reply-input').fill('已通知工程部明早复查');
    await box.getByTestId('reply-submit').click();
    await expectVisible(desk.getByText('已通知工程部明早复查'), 'the internal note in the conversation');
    await shot(desk, 'internal-note-zh');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'env-check-failure.png', tmpPrefix: 'chidu-e2e-env-check-', journey });
