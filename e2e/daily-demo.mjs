#!/usr/bin/env node
/**
 * Browser journey: the demo company's working day (issue #18 items 6, 7, 11).
 *
 *   node e2e/daily-demo.mjs              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/daily-demo.mjs --no-build   # reuse the existing packages/web/dist
 *
 * Starts the server with CHIDU_DEMO=1 on a free port and a fresh DATA_DIR, then (zh-CN):
 *   S0002 (supervisor) 投诉闭环看板 at 1440×900: every card sits in the column of its next step and its "已完成 n/6 步"
 *     agrees; resolved complaints are past the resolve step (API); the cards are spread over the loop, not piled in
 *     倾听; all six columns incl. 待结案 lie inside the window; ticket numbers are whole and the clocks stay inside
 *     their card. The same board at 390×844 swipes column by column.
 *   K0001 (agent) files a new phone inquiry in the UI: its page shows a running 首次响应 clock (the demo runs
 *     standards on its office calendar).
 *   S0004 (repair-team supervisor) 工单 → 即将超时: not empty (the demo's emergency is minutes from its deadline).
 *   K0001 客户: the list shows 房号; searching "3栋 1201" finds 张建华.
 * What failed on the old main: cards piled in 倾听 with 0/6 steps (column/step assertions), 待结案 cut off at 1440 px,
 * no clock on a new ticket, an empty 即将超时 tab, no 房号.
 * Screenshots go to e2e/artifacts/demo-*.png (gitignored).
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 45_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';
const STEPS = ['listen', 'empathise', 'confirm', 'resolve', 'revisit', 'feedback'];

const { log, fail, shot, expectVisible, login, pickOption, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'demo-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, viewport = { width: 1440, height: 900 }) =>
    newWatchedPage(browser, who, problems, {
      viewport,
      locale: 'zh-CN',
      ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
  let current = null;
  const step = stepRunner(() => current);

  const sup = await apiSession(base, 'S0002');
  await step('setup: the demo history is loaded (API)', async () => {
    for (let i = 0; i < 180; i++) {
      // The server answers while the demo history still loads in the background: wait for the whole history.
      const all = await sup('GET', '/complaints?state=all&limit=200');
      const r = all.status === 200 && all.body.items.length > 20 ? await sup('GET', '/complaints?limit=200') : null;
      if (r?.status === 200) {
        const resolved = r.body.items.filter((c) => c.status === 'resolved');
        for (const c of resolved)
          if (!['revisit', 'feedback', null].includes(c.nextStep)) fail(`resolved complaint ${c.ticketNumber} still waits for step ${c.nextStep}`);
        log(`  board: ${r.body.items.length} open complaints, ${resolved.length} resolved awaiting revisit/feedback/close`);
        return;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    fail('the demo complaints never appeared');
  });

  const s2 = await newPage('S0002');
  current = s2;
  await step('S0002: 投诉闭环看板 at 1440×900 — cards where their steps say, all six columns visible, nothing cut off', async () => {
    await login(s2, base, 'S0002');
    await s2.goto(`${base}/complaints`);
    await expectVisible(s2.getByTestId('complaint-card'), 'complaint cards');
    const report = await s2.evaluate(() => {
      const vw = document.documentElement.clientWidth;
      const cols = [...document.querySelectorAll('[data-testid=complaint-column]')].map((col) => {
        const r = col.getBoundingClientRect();
        const cards = [...col.querySelectorAll('[data-testid=complaint-card]')].map((card) => {
          const cr = card.getBoundingClientRect();
          const num = card.querySelector('[data-testid=complaint-number]');
          const tags = [...card.querySelectorAll('.ant-tag')].map((tg) => tg.getBoundingClientRect());
          return {
            step: card.getAttribute('data-step'),
            done: Number(card.getAttribute('data-done')),
            text: card.textContent ?? '',
            number: num?.textContent ?? '',
            numberClipped: num ? num.scrollWidth > num.clientWidth + 1 || num.getBoundingClientRect().right > cr.right + 1 : true,
            tagOverflow: tags.some((tr) => tr.right > cr.right + 1 || tr.left < cr.left - 1),
          };
        });
        return { step: col.getAttribute('data-step'), left: r.left, right: r.right, cards };
      });
      return { vw, cols };
    });
    if (report.cols.length !== 7 && report.cols.length !== 6) fail(`expected the loop's columns, got ${report.cols.length}`);
    for (const col of report.cols) {
      if (col.right > report.vw + 1) fail(`column ${col.step} is cut off at 1440 px (right edge ${Math.round(col.right)} > ${report.vw})`);
      for (const c of col.cards) {
        if (c.step !== col.step) fail(`card ${c.number} (next step ${c.step}) sits in column ${col.step}`);
        const expectDone = c.step === 'done' ? 6 : STEPS.indexOf(c.step);
        if (c.done !== expectDone) fail(`card ${c.number} in ${col.step} says ${c.done}/6 steps`);
        if (!c.text.includes(`已完成 ${c.done} / 6 步`)) fail(`card ${c.number} does not show its progress: ${c.text}`);
        if (!/^GD\d{8}-\d{4}$/.test(c.number.trim()) || c.numberClipped) fail(`ticket number cut: "${c.number}"`);
        if (c.tagOverflow) fail(`a chip overflows card ${c.number}`);
      }
    }
    const inListen = report.cols.find((c) => c.step === 'listen')?.cards.length ?? 0;
    const total = report.cols.reduce((n, c) => n + c.cards.length, 0);
    const used = report.cols.filter((c) => c.cards.length > 0).length;
    log(`  ${total} cards over ${used} columns (${inListen} in 倾听)`);
    if (used < 3) fail(`cards piled in ${used} column(s)`);
    if (inListen > total / 2) fail(`${inListen} of ${total} cards in 倾听`);
    await shot(s2, 'complaint-board-1440', { fullPage: false });
  });

  const s2m = await newPage('S0002 phone', { width: 390, height: 844 });
  current = s2m;
  await step('S0002: the board on a phone (390×844) — one column at a time, swipeable', async () => {
    await login(s2m, base, 'S0002');
    await s2m.goto(`${base}/complaints`);
    await expectVisible(s2m.getByTestId('complaint-card'), 'complaint cards on the phone');
    const first = await s2m.getByTestId('complaint-column').first().boundingBox();
    if (!first || first.width < 250 || first.width > 390) fail(`a column is ${first?.width} px wide on a 390 px phone`);
    await shot(s2m, 'complaint-board-390', { fullPage: false });
    await s2m.getByTestId('complaint-board').evaluate((el) => el.scrollBy({ left: el.clientWidth * 0.82 * 3 }));
    await s2m.waitForTimeout(400);
    await shot(s2m, 'complaint-board-390-swiped', { fullPage: false });
  });

  const k1 = await newPage('K0001');
  current = k1;
  await step('K0001 files a phone inquiry in the UI; its page shows a running first-response clock', async () => {
    await login(k1, base, 'K0001');
    await k1.goto(`${base}/tickets`);
    await expectVisible(k1.getByRole('tab', { name: '即将超时' }), 'the queue views');
    await k1.keyboard.press('n');
    const drawer = k1.locator(OPEN_DRAWER);
    await expectVisible(drawer.getByText('新建工单').first(), 'the new-ticket drawer');
    await pickOption(k1, drawer.getByTestId('ticket-customer'), '刘芳', '刘芳');
    await drawer.locator('label', { hasText: '咨询' }).first().click();
    await drawer.getByTestId('ticket-subject').fill('元旦假期前台开放时间');
    await drawer.getByLabel('问题描述').fill('元旦三天假期前台还上班吗？家里有快递要寄。');
    await k1.getByTestId('ticket-create-submit').click();
    await k1.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    const chip = k1.getByTestId('standard-chip').filter({ hasText: '首次响应' });
    await expectVisible(chip, 'the running 首次响应 clock on the new ticket');
    log(`  clock: ${(await chip.first().innerText()).trim()}`);
    await shot(k1, 'new-ticket-clock', { fullPage: false });
  });

  const s4 = await newPage('S0004');
  current = s4;
  await step('S0004: 即将超时 is not empty', async () => {
    await login(s4, base, 'S0004');
    await s4.goto(`${base}/tickets?view=dueSoon`);
    await expectVisible(s4.getByRole('tab', { name: '即将超时', selected: true }), 'the 即将超时 view');
    await expectVisible(s4.getByTestId('ticket-row'), 'a ticket about to run out of time');
    log(`  ${await s4.getByTestId('ticket-row').count()} ticket(s) due within the hour`);
    await shot(s4, 'due-soon', { fullPage: false });
  });

  current = k1;
  await step('K0001 客户: 房号 column; "3栋 1201" finds 张建华', async () => {
    await k1.goto(`${base}/customers`);
    await expectVisible(k1.getByRole('columnheader', { name: '房号' }), 'the 房号 column');
    await k1.getByTestId('customers-search').locator('xpath=descendant-or-self::input').first().fill('3栋 1201');
    await k1.keyboard.press('Enter');
    await expectVisible(k1.locator('tr', { hasText: '张建华' }).filter({ hasText: '3栋 1单元 1201' }), '张建华 with his flat');
    await shot(k1, 'customers-flat', { fullPage: false });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'demo-failure.png', tmpPrefix: 'chidu-e2e-demo-', journey });
