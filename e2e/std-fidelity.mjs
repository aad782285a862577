#!/usr/bin/env node
/**
 * Browser journey for issue #13 items 5–6 (std-events): counted standards read as counts, the checkpoints row, and
 * "status within 1 minute of asking" started by 客户询问进度.
 *
 *   node e2e/all.mjs std-fidelity          # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs std-fidelity --no-build
 *
 * A0001 (API) creates a counted standard (3 rings, the first-response checkpoint), a time-of-day standard (by 10:30
 * the next business day), a solution-confirmed checkpoint standard and the status standard (60 s). K0001 logs a phone
 * ticket with 4 rings: the ticket page reads 超出次数限制（4 声 > 3 声）; the checkpoints row shows failed / pending;
 * 客户确认方案 passes its checkpoint; 客户询问进度 starts the status clock; the agent replies → met.
 * Screenshots e2e/artifacts/std-fidelity-*.png at 1440×900 and 390×844 (zh-CN).
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, expectHidden, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'std-fidelity-',
  stepTimeout: STEP_TIMEOUT,
});

async function both(page, name) {
  await shot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(600);
  await shot(page, `${name}-390`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const agent = await apiSession(base, 'K0001');
  const page = await newWatchedPage(browser, 'K0001', problems);
  current = page;
  let ticketId;

  await step('the admin creates the counted, time-of-day, checkpoint and status standards (API)', async () => {
    const defs = [
      {
        code: 'A1-RINGS3',
        name: '电话三声内接听',
        encounter: '电话',
        measure: 'count',
        count: { source: 'ring_count', limit: 3 },
        appliesTo: { channels: ['phone'] },
        checkpoint: 'first_response',
      },
      {
        code: 'A2-BY1030',
        name: '次日 10:30 前送达',
        encounter: '送货',
        start: 'ticket.created',
        stop: 'ticket.resolved',
        deadline: 'time_of_day',
        timeOfDay: { at: '10:30', businessDaysAfter: 1 },
      },
      {
        code: 'A3-SOLUTION',
        name: '48 小时内客户确认方案',
        encounter: '投诉处理',
        start: 'ticket.created',
        stop: 'ticket.solution_confirmed',
        limitSeconds: 172800,
        checkpoint: 'solution_confirmed',
      },
      {
        code: 'A4-STATUS',
        name: '询问后 1 分钟内告知进度',
        encounter: '电话',
        start: 'ticket.status_requested',
        stop: 'ticket.public_reply',
        limitSeconds: 60,
      },
    ];
    for (const d of defs) {
      const r = await admin('POST', '/standards', { kind: 'hard', target: 0.95, ...d });
      if (r.status !== 201) fail(`create ${d.code}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  });

  await step('a phone ticket with 4 rings reads 超出次数限制（4 声 > 3 声）, not 已超时', async () => {
    const customers = await agent('GET', '/customers?limit=3');
    const created = await agent('POST', '/tickets', {
      customerId: customers.body.items[0].id,
      type: 'inquiry',
      channel: 'phone',
      priority: 'normal',
      subject: '来电查询维修进度（响铃 4 声才接起）',
      description: 'e2e std-fidelity',
      ringCount: 4,
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    ticketId = created.body.id;
    await login(page, base, 'K0001');
    await page.goto(`${base}/tickets/${ticketId}`);
    await expectVisible(page.getByTestId('ticket-standards').getByText('超出次数限制（4 声 > 3 声）'), 'the counted breach in counts');
    await expectVisible(page.getByText('次日 10:30 前送达').first(), 'the time-of-day standard');
    await both(page, 'counted-zh');
  });

  await step('客户确认方案 passes the solution checkpoint; 客户询问进度 starts the status clock', async () => {
    await page.getByTestId('confirm-solution').click();
    await page.locator('.ant-modal-wrap:visible .ant-modal-footer .ant-btn-primary').click();
    await expectVisible(page.getByText('已记录客户确认方案'), 'the confirmation recorded');
    // The first dialog fades out; under load its OK button is still there when the next dialog opens.
    await expectHidden(page.locator('.ant-modal-wrap:visible'), 'the confirmation dialog to close');
    await page.getByTestId('ask-status').click();
    await page.locator('.ant-modal-wrap:visible .ant-modal-footer .ant-btn-primary').click();
    await expectVisible(page.getByText('已记录客户询问进度'), 'the status request recorded');
    await expectVisible(page.getByTestId('ticket-standards').getByText(/询问后 1 分钟内告知进度/), 'the status standard running');
    const t = await agent('GET', `/tickets/${ticketId}`);
    const status = (t.body.standards ?? []).find((s) => s.code === 'A4-STATUS');
    if (status?.state !== 'running') fail(`status standard is ${status?.state}`);
    await page.waitForTimeout(800);
    await both(page, 'asked-zh');
  });

  await step('the agent replies → the status standard is met', async () => {
    const r = await agent('POST', `/tickets/${ticketId}/replies`, { body: '您好，师傅已出发，预计下午三点前到达。', visibility: 'public' });
    if (r.status !== 201) fail(`reply: ${r.status} ${JSON.stringify(r.body)}`);
    const t = await agent('GET', `/tickets/${ticketId}`);
    const status = (t.body.standards ?? []).find((s) => s.code === 'A4-STATUS');
    if (status?.state !== 'met') fail(`status standard is ${status?.state}`);
    await page.reload();
    await expectVisible(page.getByTestId('ticket-standards').getByText(/询问后 1 分钟内告知进度/), 'the status standard');
    await page.waitForTimeout(800);
    await both(page, 'met-zh');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'std-fidelity-failure.png', tmpPrefix: 'chidu-e2e-std-fidelity-', journey });
