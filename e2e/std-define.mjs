#!/usr/bin/env node
/**
 * Browser journey for issue #13 item 9: the guided "define a standard" flow with its 30-day replay preview.
 *
 *   node e2e/all.mjs std-define            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs std-define --no-build
 *
 * The admin A0001 opens 服务标准 → 定义标准向导, picks 咨询 on the service blueprint, hard standard, a 2-hour limit,
 * warnings and escalation, runs the 30-day replay on the demo data (the numbers must equal POST /standards/preview
 * with the same definition through the API), adopts the standard and finds it on 服务标准 (标准目录).
 * Screenshots e2e/artifacts/std-define-*.png at 1440×900 and 390×844 (zh-CN).
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 90_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'std-define-',
  stepTimeout: STEP_TIMEOUT,
});

const DEFINITION = {
  code: 'E2E-FR-2H',
  name: '咨询 2 小时内首次回复',
  encounter: '咨询',
  kind: 'hard',
  target: 0.9,
  measure: 'timer',
  start: 'ticket.created',
  stop: 'ticket.first_public_reply',
  calendarId: null,
  warnAtPercent: [75],
  escalation: [{ afterBreachSeconds: 1800, notifyRole: 'supervisor' }],
  deadline: 'duration',
  limitSeconds: 7200,
  pauseWhile: ['pending_customer'],
};

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const page = await newWatchedPage(browser, 'A0001', problems);
  current = page;

  await step('服务标准 → 定义标准向导: the service blueprint', async () => {
    await login(page, base, 'A0001');
    await page.goto(`${base}/standards`);
    await page.getByTestId('std-define').click();
    await expectVisible(page.getByTestId('std-blueprint'), 'the service blueprint');
    await page.getByTestId('stage-inquiry').click();
    await shot(page, 'blueprint-zh');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    await shot(page, 'blueprint-zh-390');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  let api;
  await step('hard standard, 2-hour limit, feedback, the 30-day replay equals the API preview', async () => {
    await page.getByTestId('std-next').click();
    await page.getByTestId('kind-hard').click();
    await page.getByTestId('std-next').click();
    await page.getByTestId('measure-duration').click();
    await page.getByTestId('std-next').click();
    await page.getByTestId('std-next').click();
    await expectVisible(page.getByTestId('std-preview'), 'the replay preview');
    api = await admin('POST', '/standards/preview', { definition: DEFINITION, days: 30 });
    if (api.status !== 200) fail(`preview API: ${api.status} ${JSON.stringify(api.body)}`);
    if (api.body.ticketsReplayed === 0) fail('the demo data has no tickets in the last 30 days');
    const text = await page.getByTestId('std-preview').innerText();
    for (const [label, n] of [
      ['达标', api.body.totals.met],
      ['超时', api.body.totals.breached],
    ])
      if (!new RegExp(`${label}\\s*\\n?\\s*${n}\\b`).test(text)) fail(`the preview shows ${label} ≠ ${n}: ${text.slice(0, 300)}`);
    await shot(page, 'preview-zh');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(800);
    await shot(page, 'preview-zh-390');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await step('adopt: the new standard appears on 服务标准', async () => {
    await page.getByTestId('std-next').click();
    await page.getByTestId('std-code').fill(DEFINITION.code);
    await page.getByTestId('std-adopt').click();
    await page.waitForURL(/\/standards\?tab=catalogue/, { timeout: STEP_TIMEOUT });
    await expectVisible(page.getByText(DEFINITION.name).first(), 'the adopted standard in the catalogue');
    await shot(page, 'adopted-zh');
    const list = await admin('GET', '/standards?limit=200');
    const s = list.body.items.find((x) => x.code === DEFINITION.code);
    if (!s || !s.active || s.limitSeconds !== 7200) fail(`adopted standard: ${JSON.stringify(s)}`);
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'std-define-failure.png', tmpPrefix: 'chidu-e2e-std-define-', journey });
