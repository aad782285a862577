#!/usr/bin/env node
/**
 * Browser journey for issue #16 (field service: sites and QR check-in, the technician's phone view).
 *
 *   node e2e/all.mjs field            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs field --no-build
 *
 * 杨师傅 (T0001) on a 390×844 phone in zh-CN opens 今日上门 (the demo books his repair for today), checks in with
 * another site's code (refused with a clear message), then with his visit site's code (manual entry, since headless
 * Chromium has no camera; the check-in is flagged 手动输入), starts the work, ticks the seven checklist steps and
 * completes the visit. The administrator's 站点与设备 page at 1440×900 shows the 翠湖苑 tree, a building's assets and
 * QR code, and 下载标签 PDF downloads the building's label sheet (its text: the path 翠湖苑 › 3栋 and 1号电梯); on
 * 预防性维护 the administrator creates a plan for every asset of the model 奥的斯 GeN2.
 * Screenshots e2e/artifacts/field-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'field-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const tech = await apiSession(base, 'T0001');
  let visit;
  let rightCode;
  let wrongCode;

  await step('the demo books 杨师傅 for today; the codes of his site and of another site', async () => {
    const day = await tech('GET', '/visits/mine');
    if (day.status !== 200) fail(`GET /visits/mine: ${day.status} ${JSON.stringify(day.body)}`);
    visit = day.body.items.find((v) => v.siteId && v.state !== 'completed');
    if (!visit) fail(`no open visit with a site today for T0001: ${JSON.stringify(day.body)}`);
    rightCode = (await admin('GET', `/sites/${visit.siteId}/qr`)).body.code;
    const sites = (await admin('GET', '/sites')).body.items;
    const other = sites.find((s) => s.id !== visit.siteId && s.kind === 'room');
    wrongCode = (await admin('GET', `/sites/${other.id}/qr`)).body.code;
    if (!rightCode || !wrongCode) fail('no QR codes');
  });

  const phone = await newWatchedPage(browser, 'T0001', problems, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  current = phone;

  await step("the technician's day on a phone: the visit, masked phone, call and map links", async () => {
    await login(phone, base, 'T0001');
    await phone.goto(`${base}/field/today`);
    await expectVisible(phone.getByRole('heading', { name: '今日上门' }), 'the 今日上门 title');
    const card = phone.getByTestId('visit-card').filter({ hasText: visit.ticketNumber });
    await expectVisible(card.getByText(visit.ticketSubject), 'the visit subject');
    await expectVisible(card.getByText(/\d{3}\*{4}\d{4}/), 'the masked phone');
    const tel = await card.getByRole('link', { name: /拨\s*打/ }).getAttribute('href');
    if (!tel?.startsWith('tel:')) fail(`call link is ${tel}`);
    const map = await card.getByRole('link', { name: /导\s*航/ }).getAttribute('href');
    if (!map?.startsWith('https://uri.amap.com/search?keyword=')) fail(`map link is ${map}`);
    await shot(phone, 'today-zh-390');
  });

  await step("another site's code is refused with a clear message", async () => {
    const card = phone.getByTestId('visit-card').filter({ hasText: visit.ticketNumber });
    await card.getByRole('button', { name: /到达签到/ }).click();
    await phone.getByTestId('arrive-code').fill(wrongCode);
    await phone.getByRole('button', { name: /提交签到/ }).click();
    await expectVisible(phone.getByText('二维码不属于本次上门的地点，请扫描现场的站点码或设备码'), 'the wrong-site refusal');
    await shot(phone, 'wrong-site-zh-390', { fullPage: false });
  });

  await step('the right code checks in (manual entry, flagged), then the work starts', async () => {
    await phone.getByTestId('arrive-code').fill(rightCode);
    await phone.getByRole('button', { name: /提交签到/ }).click();
    const card = phone.getByTestId('visit-card').filter({ hasText: visit.ticketNumber });
    await expectVisible(card.getByText('已到达'), 'state 已到达');
    await expectVisible(card.getByText('手动输入'), 'the manual-entry flag');
    await card.getByRole('button', { name: /开始维修/ }).click();
    await expectVisible(card.getByText('维修中'), 'state 维修中');
  });

  await step('the seven checklist steps, then 完成', async () => {
    const card = phone.getByTestId('visit-card').filter({ hasText: visit.ticketNumber });
    const done = card.getByRole('button', { name: /^完\s*成$/ });
    if (!(await done.isDisabled())) fail('完成 is enabled before the checklist');
    for (const label of ['出示工作证件', '查看现场情况', '说明维修步骤与费用', '遵守安全规范', '清理现场', '请客户检查确认', '告别并留下联系方式']) {
      await card.getByLabel(label).check();
      await phone.waitForTimeout(250);
    }
    await card.getByPlaceholder('维修记录（可选）').fill('更换卫生间天花板上方水管接头，已试水无渗漏');
    await shot(phone, 'checklist-zh-390');
    await done.click();
    await expectVisible(card.getByText('已完成'), 'state 已完成');
    // The phone's actions go through its offline queue (sent at once when online): wait for the queue to drain.
    await expectVisible(phone.getByTestId('sync-status').getByText('已同步'), 'the queue synced');
    const after = await tech('GET', `/visits/${visit.id}`);
    if (after.body.state !== 'completed' || after.body.arrivalMethod !== 'manual' || after.body.checklist.length !== 7)
      fail(`server visit after completion: ${JSON.stringify(after.body)}`);
    await shot(phone, 'completed-zh-390');
  });

  const desk = await newWatchedPage(browser, 'A0001', problems);
  current = desk;
  await step('站点与设备 at 1440×900: the 翠湖苑 tree, a building with its assets and QR code', async () => {
    await login(desk, base, 'A0001');
    await desk.goto(`${base}/field/sites`);
    await expectVisible(desk.getByRole('heading', { name: '站点与设备' }), 'the page title');
    await desk.locator('.ant-tree').getByText('3栋', { exact: true }).click();
    await expectVisible(desk.getByText('1号电梯'), 'the 3栋 elevator');
    await expectVisible(desk.getByText('翠湖苑 / 3栋'), 'the path');
    await shot(desk, 'sites-zh');
    await desk.setViewportSize({ width: 390, height: 844 });
    await desk.waitForTimeout(500);
    await shot(desk, 'sites-zh-390');
    await desk.setViewportSize({ width: 1440, height: 900 });
  });

  await step('下载标签 PDF downloads the building’s QR label sheet with its Chinese text', async () => {
    const [download] = await Promise.all([desk.waitForEvent('download', { timeout: STEP_TIMEOUT }), desk.getByRole('link', { name: /下载标签 PDF/ }).click()]);
    const dir = mkdtempSync(path.join(tmpdir(), 'chidu-e2e-labels-'));
    const pdf = path.join(dir, 'labels.pdf');
    await download.saveAs(pdf);
    if (readFileSync(pdf).subarray(0, 5).toString() !== '%PDF-') fail('the download is not a PDF');
    let text;
    try {
      text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdf, '-']).toString();
    } catch {
      return; // poppler-utils missing: the PDF is not read
    }
    for (const want of ['翠湖苑 › 3栋', '1号电梯', '站点码', '设备码'])
      if (!text.includes(want)) fail(`the label sheet lacks "${want}":\n${text.slice(0, 800)}`);
  });

  await step('预防性维护: a plan for every asset of a model (奥的斯 GeN2) through the form', async () => {
    await desk.goto(`${base}/field/maintenance`);
    await expectVisible(desk.getByRole('heading', { name: '预防性维护' }), 'the page title');
    await desk.getByRole('button', { name: /新建维护计划/ }).click();
    const modal = desk.locator('.ant-modal');
    await modal.getByText('设备型号', { exact: true }).first().click();
    await modal.getByRole('textbox', { name: '设备型号' }).fill('奥的斯 GeN2');
    await modal.getByRole('spinbutton', { name: '每' }).fill('3');
    await modal.getByRole('button', { name: /提\s*交/ }).click();
    const row = desk.locator('.ant-table-row').filter({ hasText: '奥的斯 GeN2' });
    await expectVisible(row, 'the model plan row');
    await expectVisible(row.getByText('型号', { exact: true }), 'the 型号 tag');
    await expectVisible(row.getByText('每 3 个月'), 'the cadence');
    const plans = (await admin('GET', '/field/maintenance/plans')).body.items;
    const plan = plans.find((p) => p.assetModel === '奥的斯 GeN2');
    if (!plan || plan.subjectKind !== 'model' || plan.assetCount < 1) fail(`server plans: ${JSON.stringify(plans)}`);
    await expectVisible(row.getByText(`${plan.assetCount} 台`), 'the asset count');
    await shot(desk, 'maintenance-model-zh');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'field-failure.png', tmpPrefix: 'chidu-e2e-field-', journey });
