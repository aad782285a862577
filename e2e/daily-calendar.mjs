#!/usr/bin/env node
/**
 * Browser journey: next year's holidays without a code change (issue #18 item 8).
 *
 *   node e2e/daily-calendar.mjs              # builds packages/web (temp dir), starts its own demo server, runs the journey
 *   node e2e/daily-calendar.mjs --no-build   # reuse the existing packages/web/dist
 *
 * Demo server (CHIDU_DEMO=1, fresh DATA_DIR). The demo calendar 客服中心标准工时 (cn-mainland, built-in data up to
 * 2026) is assigned as the default calendar through the API (it is then "in use"). The server's banner judgement is
 * dated by the request (`/calendars/holiday-status?date=`); the journey runs in December 2026 (the demo date), so:
 *   A0001 (admin)      sees the shell banner "2027 年法定节假日尚未导入…" (on today's main there is none — the assertion
 *                      that would fail), clicks 去导入 → 节假日导入 tab, uploads the TEST FIXTURE (not an official
 *                      schedule) e2e/../packages/core/src/calendar/fixtures/TEST-FIXTURE-2027.holiday-cn.json, sees the
 *                      preview (2027: 新增 14, 春节 放假, 调休 上班), confirms; the banner disappears; the month view of
 *                      2027-02 shows 02-05…02-13 as 节假日 (春节) and 02-20 as 调休补班; a deadline across 春节 via
 *                      /calendars/{id}/add lands on Monday 02-15.
 *   S0001 (supervisor) sees the banner read-only (no 去导入 button) before the import.
 * Screenshots at 1440×900 and 390×844: e2e/artifacts/dcal-*.png.
 */
import path from 'node:path';
import { ROOT, createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 20_000;
const FIXTURE = path.join(ROOT, 'packages/core/src/calendar/fixtures/TEST-FIXTURE-2027.holiday-cn.json');
const CAL = '客服中心标准工时';

const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney, log } = createHarness({
  shotPrefix: 'dcal-',
  stepTimeout: STEP_TIMEOUT,
  shotStyle: { mouseReset: true, scrollTop: true, settleMs: 400, waitToasts: true },
  languageSettleMs: 500,
});

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, viewport = { width: 1440, height: 900 }) => newWatchedPage(browser, who, problems, { viewport });
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  let calId = '';

  await step('the demo calendar is in use (default assignment) and 2027 is missing (server status for 2026-12-05)', async () => {
    const list = await admin('GET', '/calendars?limit=200');
    calId = list.body.items.find((c) => c.name === CAL)?.id ?? fail(`demo calendar ${CAL} missing`);
    const put = await admin('PUT', '/calendars/assignments', { scope: 'default', calendarId: calId });
    if (put.status !== 200) fail(`assignment: ${put.status}`);
    const s = await admin('GET', '/calendars/holiday-status?date=2026-12-05');
    if (s.body?.banner?.year !== 2027) fail(`holiday-status on 2026-12-05: ${s.status} ${JSON.stringify(s.body)}`);
    const oct = await admin('GET', '/calendars/holiday-status?date=2026-10-15');
    if (oct.body.banner !== null) fail('no banner expected before 1 November');
  });

  const today = new Date().toISOString().slice(0, 10);
  const bannerToday = today >= '2026-11-01' && today < '2027-11-01';
  if (!bannerToday) log(`today is ${today}: the shell banner is judged for today, so its steps are checked via the API only`);

  const s = await newPage('S0001');
  current = s;
  await step('S0001 (supervisor) sees the banner read-only', async () => {
    await login(s, base, 'S0001');
    if (bannerToday) {
      await expectVisible(s.getByTestId('holiday-banner'), 'the holiday banner for the supervisor');
      if (await s.getByTestId('holiday-banner-go').count()) fail('the supervisor should not get the 去导入 button');
      await shot(s, 'supervisor-banner');
    }
  });
  await s.close();

  const a = await newPage('A0001');
  current = a;
  await step('A0001 sees the banner "2027 年法定节假日尚未导入" and follows 去导入', async () => {
    await login(a, base, 'A0001');
    if (bannerToday) {
      const banner = a.getByTestId('holiday-banner');
      await expectVisible(banner, 'the holiday banner (missing on main)');
      const text = await banner.innerText();
      if (!text.includes('2027 年法定节假日尚未导入') || !text.includes(CAL)) fail(`banner text: ${text}`);
      await shot(a, 'banner');
      await a.getByTestId('holiday-banner-go').click();
    } else {
      await a.goto(`${base}/calendars/${calId}?tab=holidays`);
    }
    await a.waitForURL(/\/calendars\/[^?]+\?tab=holidays/);
    await expectVisible(a.getByTestId('holiday-import'), 'the 节假日导入 tab');
  });

  await step('uploads the 2027 TEST FIXTURE and sees the preview per year', async () => {
    await a.getByTestId('holiday-import').locator('input[type=file]').setInputFiles(FIXTURE);
    await expectVisible(a.getByText('TEST-FIXTURE-2027.holiday-cn.json'), 'the chosen file name');
    await a.getByTestId('holiday-preview').click();
    const card = a.getByTestId('holiday-preview-card');
    await expectVisible(card, 'the preview');
    const year = card.getByTestId('holiday-preview-year');
    await expectVisible(year.getByText('2027 年'), 'the 2027 section');
    await expectVisible(year.getByText('新增 14'), '14 dates to add');
    await expectVisible(year.locator('tr', { hasText: '2027-02-08' }).getByText('放假'), '2027-02-08 放假');
    await expectVisible(year.locator('tr', { hasText: '2027-02-20' }).getByText('上班'), '2027-02-20 上班');
    // Nothing applied yet.
    const before = await admin('GET', `/calendars/${calId}/add?from=${encodeURIComponent('2027-02-04T17:00:00+08:00')}&seconds=28800`);
    if (before.body.dueAt !== '2027-02-05T09:30:00.000Z') fail(`before confirming the deadline should ignore 春节: ${before.body.dueAt}`);
    await shot(a, 'preview');
  });

  await step('confirms: banner gone, 2027-02 month view shows 春节 and the 调休 workday, deadline across 春节 right', async () => {
    await a.getByTestId('holiday-confirm').click();
    await expectVisible(a.getByTestId('holiday-applied'), 'the applied message');
    if (bannerToday) await a.getByTestId('holiday-banner').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    const after = await admin('GET', `/calendars/${calId}/add?from=${encodeURIComponent('2027-02-04T17:00:00+08:00')}&seconds=28800`);
    if (after.body.dueAt !== '2027-02-15T09:30:00.000Z') fail(`deadline across 春节 2027: ${after.body.dueAt}`);
    await a.goto(`${base}/calendars/${calId}?tab=month&month=2027-02`);
    const month = a.getByTestId('month-view');
    await expectVisible(month, 'the month view');
    const days = await admin('GET', `/calendars/${calId}/days?from=2027-02-01&to=2027-02-28`);
    const kinds = Object.fromEntries(days.body.items.map((d) => [d.date, d.kind]));
    for (const d of ['2027-02-05', '2027-02-08', '2027-02-12']) if (kinds[d] !== 'holiday') fail(`${d}: ${kinds[d]}`);
    if (kinds['2027-02-20'] !== 'makeup_workday') fail(`2027-02-20: ${kinds['2027-02-20']}`);
    await expectVisible(month.getByText('春节'), '春节 in the month view');
    await shot(a, 'month-2027-02');
  });

  await step('390 px: banner-free shell, the preview of another import and the month view fit', async () => {
    const m = await newPage('A0001-mobile', { width: 390, height: 844 });
    current = m;
    await login(m, base, 'A0001');
    await m.goto(`${base}/calendars/${calId}?tab=holidays`);
    await m.getByTestId('holiday-import').locator('input[type=file]').setInputFiles(FIXTURE);
    await m.getByTestId('holiday-preview').click();
    await expectVisible(m.getByTestId('holiday-preview-card'), 'the preview at 390 px');
    await expectVisible(m.getByText('不变 14'), 'a second import changes nothing');
    await shot(m, 'preview-390');
    await m.getByTestId('holiday-discard').click();
    await m.goto(`${base}/calendars/${calId}?tab=month&month=2027-02`);
    await expectVisible(m.getByTestId('month-view'), 'the month view at 390 px');
    await shot(m, 'month-2027-02-390');
    await m.close();
    current = a;
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'dcal-failure.png', tmpPrefix: 'chidu-e2e-dcal-', journey, build: { tempOutDirPrefix: 'chidu-e2e-dcal-web-' } });
