#!/usr/bin/env node
/**
 * Browser journey for report-ready exports and a smaller, quieter start (issue #18 items 9 and 12).
 *
 *   node e2e/all.mjs daily-reports      # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/daily-reports.mjs --no-build
 *
 * D0001 (director) on 服务总览 picks 近7天 and the channel 电话 → both are in the URL → a reload shows the same view →
 * 导出 Excel downloads a report whose sheets (概览, 按团队, 趋势图, distributions) and title block (period of the last
 * 7 days, filter 渠道：电话) are read back from the file. The sign-in page lists the demo accounts (a click fills the
 * form); /wall without a token explains where a token comes from, a bad token says so; the customer portal's first
 * load at 390×844 transfers ≤ 400 KB (Chromium's network log). Each of these failed on main (no URL state, one sheet
 * of team rows, no demo list, a bare error line on /wall, 1.7 MB uncompressed portal).
 * Screenshots: e2e/artifacts/rep-*.png.
 */
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { createHarness } from './lib/harness.mjs';
import { measurePortal, PORTAL_BUDGET_BYTES } from './lib/portal-weight.mjs';

const STEP_TIMEOUT = 25_000;
const { log, fail, shot, expectVisible, pickOption, newWatchedPage, runDemoJourney } = createHarness({
  tag: 'daily-reports',
  shotPrefix: 'rep-',
  stepTimeout: STEP_TIMEOUT,
});

/** The files of a ZIP (central directory + inflate). */
function unzip(buf) {
  const out = new Map();
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

const ymd = (d) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

async function journey(browser, base) {
  const problems = [];
  const page = await newWatchedPage(browser, 'D0001', problems, { viewport: { width: 1440, height: 900 }, acceptDownloads: true });

  log('the sign-in page lists the demo accounts; a click fills the form');
  await page.goto(`${base}/login`);
  await expectVisible(page.getByTestId('demo-accounts'), 'the demo accounts on the sign-in page');
  await expectVisible(page.getByTestId('demo-account-D0001'), 'the director D0001 in the list');
  await shot(page, 'login-demo');
  await page.getByTestId('demo-account-D0001').click();
  if ((await page.getByTestId('login-employee-no').inputValue()) !== 'D0001') fail('clicking D0001 did not fill the employee number');
  if (!(await page.getByTestId('login-password').inputValue())) fail('clicking D0001 did not fill the password');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${base}/`, { timeout: STEP_TIMEOUT });

  log('服务总览: period and channel go into the URL and survive a reload');
  await page.goto(`${base}/dashboards`);
  await expectVisible(page.getByTestId('chart-trend'), 'the overview');
  await page.locator('.ant-segmented-item', { hasText: '近7天' }).click();
  await page.waitForURL(/period=7d/, { timeout: STEP_TIMEOUT });
  await pickOption(page, page.getByTestId('filter-channel'), '电话');
  await page.waitForURL(/channel=phone/, { timeout: STEP_TIMEOUT });
  await page.reload();
  await expectVisible(page.getByTestId('chart-trend'), 'the overview after the reload');
  const url = new URL(page.url());
  if (url.searchParams.get('period') !== '7d' || url.searchParams.get('channel') !== 'phone') fail(`URL after reload: ${page.url()}`);
  await expectVisible(page.locator('.ant-segmented-item-selected', { hasText: '近7天' }), 'the period 近7天 still selected after the reload');
  await expectVisible(page.getByTestId('filter-channel').getByText('电话'), 'the channel filter 电话 after the reload');
  await shot(page, 'overview-url');

  log('导出 Excel: a report with sheets, title block, period and filter');
  await page.getByTestId('export-measures').hover();
  const link = page.locator('.ant-dropdown:not(.ant-dropdown-hidden) a', { hasText: '.xlsx' });
  await link.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  const href = await link.getAttribute('href');
  if (!href?.includes('channel=phone')) fail(`the export link does not carry the filter: ${href}`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP_TIMEOUT }), link.click()]);
  const file = readFileSync(await download.path());
  const files = unzip(file);
  const sheets = [...files.get('xl/workbook.xml').matchAll(/<sheet name="([^"]*)"/g)].map((m) => m[1]);
  log(`  sheets: ${sheets.join(', ')}`);
  for (const want of ['概览', '按团队', '趋势图（按日）', '首次响应分布', '解决时长分布'])
    if (!sheets.includes(want)) fail(`the report has no sheet ${want}: ${sheets.join(', ')}`);
  const first = files.get('xl/worksheets/sheet1.xml');
  const today = new Date();
  const from = ymd(new Date(today.getTime() - 6 * 86_400_000));
  for (const want of ['服务指标报表', `统计期间：${from} 至 ${ymd(today)}`, '筛选条件：渠道：电话', 'state="frozen"'])
    if (!first.includes(want)) fail(`the summary sheet lacks "${want}"`);
  if (!files.get('xl/styles.xml').includes('formatCode="0.0%"')) fail('no percentage format in the report');

  log('/wall without a token explains; a bad token says so');
  await page.goto(`${base}/wall`);
  await expectVisible(page.getByTestId('wall-help'), 'the wall help page');
  await expectVisible(page.getByText('指标设置').first(), 'where the token is created');
  await shot(page, 'wall-help');
  await page.goto(`${base}/wall?token=not-a-token`);
  await expectVisible(page.getByTestId('wall-error'), 'the refused-token page');
  await shot(page, 'wall-invalid');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/wall`);
  await expectVisible(page.getByTestId('wall-help'), 'the wall help page at 390 px');
  await shot(page, 'wall-help-390');
  await page.goto(`${base}/dashboards?period=7d&channel=phone`);
  await expectVisible(page.getByTestId('chart-trend'), 'the overview at 390 px');
  await shot(page, 'overview-390');
  const anon = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const lp = await anon.newPage();
  await lp.goto(`${base}/login`);
  await expectVisible(lp.getByTestId('demo-accounts'), 'the demo accounts at 390 px');
  await shot(lp, 'login-demo-390');
  await anon.close();

  log('the customer portal first load at 390×844');
  const m = await measurePortal(browser, base);
  log(`  portal: ${m.kb} KB in ${m.requests.length} requests (budget ${PORTAL_BUDGET_BYTES / 1024} KB)`);
  for (const r of m.requests.slice(0, 5)) log(`    ${(r.bytes / 1024).toFixed(1)} KB ${r.encoding} ${r.url}`);
  await shot(m.page, 'portal-390');
  await m.context.close();
  if (m.bytes > PORTAL_BUDGET_BYTES) fail(`portal first load ${m.kb} KB > ${PORTAL_BUDGET_BYTES / 1024} KB`);
  if (m.requests.some((r) => /antd-|EChart|installCanvasRenderer|TicketPage/.test(r.url))) fail('the portal downloads staff-app chunks');

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'rep-failure.png', tmpPrefix: 'chidu-e2e-rep-', journey, build: { tempOutDirPrefix: 'chidu-e2e-rep-web-' } });
