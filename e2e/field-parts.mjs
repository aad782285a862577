#!/usr/bin/env node
/**
 * Browser journey for issue #16 items 6 and 8 (spare parts, field-service measures).
 *
 *   node e2e/all.mjs field-parts            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs field-parts --no-build
 *
 * The supervisor (S0001, field.manage) opens 备件库存 at 1440×900 (zh-CN): the demo's 中心仓库 and the technicians'
 * vans as columns, the parts below their threshold listed and in red; receives 10 LED灯管 into 中心仓库 with the 入库
 * form and the LED line leaves the low-stock list; the technician T0001 sees his van stock in the catalogue; the
 * overview dashboard shows the 上门服务指标 card. Screenshots e2e/artifacts/field-parts-*.png.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'field-parts-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const sup = await apiSession(base, 'S0001');
  const desk = await newWatchedPage(browser, 'S0001', problems);
  current = desk;

  await step('备件库存: warehouse and vans as columns, low stock listed', async () => {
    await login(desk, base, 'S0001');
    await desk.goto(`${base}/field/parts`);
    await expectVisible(desk.getByRole('heading', { name: '备件库存' }), 'the page title');
    await expectVisible(desk.getByRole('columnheader', { name: '中心仓库' }), 'the warehouse column');
    await expectVisible(desk.getByRole('columnheader', { name: /杨师傅.*车载库存/ }), 'a van column');
    await expectVisible(desk.getByText(/项库存低于下限/), 'the low-stock alert');
    await expectVisible(desk.getByText(/LED-T8-12 LED灯管 T8 1\.2m 18W：中心仓库 仅剩 25/), 'the LED low line');
    await shot(desk, 'stock-zh', { fullPage: false });
  });

  await step('入库: 10 LED灯管 into 中心仓库 lifts it above its threshold', async () => {
    await desk
      .getByRole('button', { name: '入 库' })
      .or(desk.getByRole('button', { name: '入库' }))
      .first()
      .click();
    const dialog = desk.getByRole('dialog');
    await expectVisible(dialog, 'the receive form');
    await dialog.getByLabel('备件').click();
    await dialog.getByLabel('备件').fill('LED');
    await desk.keyboard.press('Enter');
    await dialog.getByLabel('仓库').click();
    await dialog.getByLabel('仓库').press('Enter');
    await dialog.getByLabel('数量').fill('10');
    await dialog.getByLabel('备注').fill('月度补货');
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await expectVisible(desk.getByText('已保存'), 'the saved message');
    await desk.getByText(/LED-T8-12 LED灯管 T8 1\.2m 18W：中心仓库/).waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
    await expectVisible(desk.getByRole('cell', { name: '月度补货' }), 'the movement in the ledger');
    const stock = await sup('GET', '/field/stock');
    const led = stock.body.parts.find((p) => p.code === 'LED-T8-12');
    const wh = stock.body.locations.find((l) => l.name === '中心仓库');
    if (led?.stock.find((s) => s.locationId === wh?.id)?.qty !== 35) fail(`LED stock: ${JSON.stringify(led)}`);
    await shot(desk, 'received-zh', { fullPage: false });
  });

  await step('the technician sees his van stock in the catalogue', async () => {
    const tech = await apiSession(base, 'T0001');
    const res = await tech('GET', '/field/parts?q=R32');
    if (res.status !== 200 || res.body.items[0]?.vanQty !== 2) fail(`catalogue: ${res.status} ${JSON.stringify(res.body)}`);
  });

  await step('the overview dashboard shows the field-service measures', async () => {
    await desk.goto(`${base}/dashboards`);
    const card = desk.getByTestId('field-measures');
    await expectVisible(card.getByText('上门服务指标'), 'the field measures card');
    await expectVisible(card.getByText('准时到达率').first(), 'on-time arrival rate');
    await card.scrollIntoViewIfNeeded();
    await shot(desk, 'measures-zh', { fullPage: false });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'field-parts-failure.png', tmpPrefix: 'chidu-e2e-field-parts-', journey });
