#!/usr/bin/env node
/**
 * Browser journey through the agent workspace (客服工作台).
 *
 *   node e2e/workspace.mjs              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/workspace.mjs --no-build   # reuse the existing packages/web/dist
 *   E2E_WEB_DIST=/path/to/dist node e2e/workspace.mjs --no-build   # serve another build (WEB_DIST)
 *   E2E_HEADED=1 node e2e/workspace.mjs # watch it (needs a display)
 *
 * Starts `npx tsx packages/server/src/main.ts` with CHIDU_DEMO=1 on a free port and a fresh temporary DATA_DIR,
 * adopts two service standards through the API (so new tickets carry countdown clocks), then in Chromium:
 *   K0001 (agent)      home counts → queue → `n` new complaint ticket → queue with j/k/Enter → public reply
 *                      (Ctrl+Enter) and internal note → compensation ¥300 above the ¥200 limit (已提交审批) →
 *                      handover to K0002; queue and ticket page in English and at 390 px.
 *   K0002 (agent)      bell shows the handover → handovers inbox → confirm → owns the ticket.
 *   S0001 (supervisor) approvals → approve the compensation (K0001's open page updates live) → team load →
 *                      customer 360.
 *   A0001 (admin)      dispatch rules → dry run with the rule trace and candidates → categories.
 * Screenshots of each page go to e2e/artifacts/ws-*.png (gitignored). Exits non-zero with a clear message on the
 * first failure, and always stops the server.
 */
import { crc32, deflateSync } from 'node:zlib';
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 20_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';
const OPEN_MODAL = '.ant-modal-wrap:not([style*="display: none"]) .ant-modal';
const CUSTOMER = '李秀英'; // demo customer 李秀英（5栋502业主）, gold tier
const SUBJECT = '物业维修承诺两天未上门';

const { log, fail, shot, expectVisible, expectHidden, setLanguage, pickOption, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'ws-',
  stepTimeout: STEP_TIMEOUT,
});

// ───────────────────────────── journey ─────────────────────────────

async function journey(browser, base) {
  const problems = [];
  const newPage = (who) => newWatchedPage(browser, who, problems);
  let current = null;
  const step = stepRunner(() => current);

  const ticket = { id: '', number: '' };

  await step('setup: the admin adopts two service standards (API), so new tickets carry clocks', async () => {
    const admin = await apiSession(base, 'A0001');
    for (const key of ['callback-4h', 'complaint-same-day']) {
      const res = await admin('POST', `/standards/templates/${key}/adopt`, {});
      if (res.status >= 300 && res.status !== 409) log(`  (standard ${key} not adopted: ${res.status}; countdown chips will be missing)`);
    }
  });

  // ─── K0001: agent ───
  const k1 = await newPage('K0001');
  current = k1;

  await step('K0001 logs in; home shows the work counts', async () => {
    await login(k1, base, 'K0001');
    await expectVisible(k1.getByTestId('home-count-open-value'), 'the open-tickets count of what the agent is responsible for');
    await expectVisible(k1.getByRole('menuitem', { name: '工单' }), 'the 工单 menu entry');
    await shot(k1, 'home');
  });

  await step('queue: 我的工单 by default, filters, duty switch, shortcut help (?)', async () => {
    await k1.getByRole('menuitem', { name: '工单' }).click();
    await k1.waitForURL(`${base}/tickets`);
    await expectVisible(k1.getByTestId('ticket-row'), 'ticket rows in 我的工单');
    await expectVisible(k1.getByTestId('duty-switch'), 'the 签入/签出 switch');
    await expectVisible(k1.getByRole('tab', { name: '待分派' }), 'the 待分派 view');
    await k1.keyboard.press('?');
    await expectVisible(k1.getByText('键盘快捷键'), 'the shortcut help');
    await shot(k1, 'shortcuts');
    await k1.keyboard.press('Escape');
    await expectHidden(k1.locator(OPEN_MODAL), 'the shortcut help');
  });

  await step('`n` opens 新建工单; a phone complaint is created and opened with its dispatch reason', async () => {
    await k1.keyboard.press('n');
    const drawer = k1.locator(OPEN_DRAWER);
    await expectVisible(drawer.getByText('新建工单').first(), 'the new-ticket drawer');
    await pickOption(k1, drawer.getByTestId('ticket-customer'), CUSTOMER, CUSTOMER);
    await drawer.locator('label', { hasText: '投诉' }).first().click();
    await expectVisible(drawer.getByText('响铃次数'), 'the ring-count field for phone tickets');
    await drawer.locator('#callMinutes').fill('3');
    await drawer.locator('#callSeconds').fill('25');
    await drawer.locator('#ringCount').fill('2');
    await drawer.locator('label', { hasText: '高' }).first().click();
    await drawer.getByTestId('ticket-subject').fill(SUBJECT);
    await drawer.getByLabel('问题描述').fill('业主反映周一报修厨房水管漏水，承诺两天内上门，至今无人联系，情绪较大。');
    await drawer.locator('input[type=file]').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: pngBuffer() });
    await expectVisible(
      drawer.locator('.ant-upload-list-item-done, .ant-upload-list-item:not(.ant-upload-list-item-uploading):not(.ant-upload-list-item-error)'),
      'the uploaded photo',
    );
    await shot(k1, 'new-ticket');
    await k1.getByTestId('ticket-create-submit').click();
    await k1.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await expectVisible(k1.getByTestId('ticket-created-banner'), 'the created banner with the number');
    await expectVisible(k1.getByTestId('ticket-created-banner').getByText('分派说明'), 'the dispatch reason');
    ticket.id = k1.url().split('/').pop();
    ticket.number = (await k1.getByTestId('ticket-header').locator('.chidu-ticket-no').first().innerText()).trim();
    if (!/^GD\d{8}-\d{4}$/.test(ticket.number)) fail(`unexpected ticket number ${ticket.number}`);
    log(`  created ${ticket.number}`);
    await shot(k1, 'ticket-created');
  });

  await step('saved filter: 高 priority in 我的工单, saved and re-applied', async () => {
    await k1.goto(`${base}/tickets`);
    await pickOption(k1, k1.locator('.chidu-toolbar .ant-select').nth(1), '高');
    await k1.waitForURL(/priority=high/);
    await k1.getByTestId('saved-filters').click();
    await k1.getByText('保存当前筛选…').click();
    await k1.locator(OPEN_MODAL).getByLabel('名称').fill('我的高优先级');
    await k1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(k1.getByText('已保存筛选「我的高优先级」'), 'the saved-filter message');
    await k1.goto(`${base}/tickets`);
    await k1.getByTestId('saved-filters').click();
    await k1.getByTestId('saved-filter').filter({ hasText: '我的高优先级' }).click();
    await k1.waitForURL(/priority=high/);
    await expectVisible(k1.getByTestId('ticket-row').filter({ hasText: SUBJECT }), 'the filtered queue');
  });

  await step('order ticket: order lines editor', async () => {
    await k1.goto(`${base}/tickets?q=${encodeURIComponent('订购桶装水')}`);
    await k1.getByTestId('ticket-row').filter({ hasText: '订购桶装水' }).first().click();
    await expectVisible(k1.getByTestId('order-panel'), 'the order panel');
    await shot(k1, 'order');
  });

  await step('queue keyboard: j / k move the selection, Enter opens the ticket', async () => {
    await k1.goto(`${base}/tickets`);
    const rows = k1.getByTestId('ticket-row');
    await expectVisible(rows.filter({ hasText: ticket.number }), `${ticket.number} at the top of 我的工单`);
    if ((await rows.count()) < 2) fail('expected at least two tickets in 我的工单');
    await k1.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined)); // keys go to the page, not a field
    await k1.keyboard.press('j');
    await expectVisible(k1.locator('[data-testid=ticket-row][data-active=true]').nth(0), 'an active row');
    if ((await rows.nth(1).getAttribute('data-active')) !== 'true') fail('j did not move the selection to the second row');
    await shot(k1, 'queue');
    await k1.keyboard.press('k');
    if ((await rows.nth(0).getAttribute('data-active')) !== 'true') fail('k did not move the selection back to the first row');
    await k1.getByTestId('queue-search').locator('input').click();
    await k1.keyboard.press('j'); // typing in the search box must not move the selection
    if ((await rows.nth(0).getAttribute('data-active')) !== 'true') fail('j fired while typing in the search box');
    await k1.getByTestId('queue-search').locator('input').fill('');
    await k1.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await k1.keyboard.press('Enter');
    await k1.waitForURL(`${base}/tickets/${ticket.id}`);
    await expectVisible(k1.getByTestId('ticket-subject').getByText(SUBJECT), 'the ticket page');
  });

  await step('ticket page: countdown chips and the timeline with the dispatch reason', async () => {
    const chips = k1.getByTestId('standard-chip');
    if ((await chips.count()) === 0) log('  (no standards on this ticket: the countdown chips are not shown)');
    else await expectVisible(chips.first(), 'a countdown chip');
    await expectVisible(k1.getByTestId('ticket-timeline').getByText('创建工单'), 'the 创建工单 event');
    await expectVisible(k1.getByTestId('dispatch-reason'), 'the dispatch reason on ticket.assigned');
  });

  await step('public reply (Ctrl+Enter) and an internal note', async () => {
    const input = k1.getByTestId('reply-input');
    await input.fill('李女士您好，非常抱歉耽误了您的维修。今天下午三点前维修师傅会上门，我会全程跟进。');
    await input.press('Control+Enter');
    await expectVisible(k1.locator('[data-testid=reply][data-visibility=public]', { hasText: '今天下午三点前' }), 'the public reply');
    await k1.getByTestId('reply-visibility').getByText('内部备注').click();
    await input.fill('已联系维修组王师傅，确认下午 14:30 上门。业主情绪激动，注意沟通语气。');
    await k1.getByTestId('reply-submit').click();
    await expectVisible(k1.locator('[data-testid=reply][data-visibility=internal]', { hasText: '王师傅' }), 'the internal note');
    await expectVisible(k1.getByTestId('ticket-timeline').getByText('内部备注'), 'the internal-note event');
  });

  await step('compensation above the ¥200 limit → 已提交审批 with the approval id', async () => {
    await k1.getByTestId('action-compensate').click();
    const modal = k1.locator(OPEN_MODAL);
    await modal.getByLabel('代金券').check();
    await modal.locator('input[data-testid=compensation-amount], [data-testid=compensation-amount] input').first().fill('300');
    await expectVisible(modal.getByText('超过你的额度'), 'the over-limit hint');
    await modal.getByTestId('compensation-reason').fill('维修延误两天，向业主致歉');
    await modal.getByTestId('compensation-submit').click();
    await expectVisible(modal.getByTestId('approval-filed').getByText('已提交审批'), '已提交审批');
    const approvalId = (await modal.getByTestId('approval-id').innerText()).trim();
    if (!/^[0-9a-f-]{36}$/.test(approvalId)) fail(`unexpected approval id ${approvalId}`);
    await shot(k1, 'compensation-filed');
    await modal
      .getByRole('button', { name: /关\s?闭/ })
      .last()
      .click();
    await expectHidden(k1.locator(OPEN_MODAL), 'the compensation dialog');
    await expectVisible(k1.getByTestId('compensations').getByText('待审批'), 'the pending compensation on the ticket');
  });

  await step('handover to K0002 with all six fields', async () => {
    await k1.getByTestId('action-handover').click();
    const drawer = k1.locator(OPEN_DRAWER);
    await pickOption(k1, drawer.getByTestId('handover-receiver'), 'K0002', 'K0002');
    const text = {
      situation: '5栋502业主李女士，金卡客户，报修两天无人上门，情绪较大。',
      need: '尽快修好厨房水管，并得到合理解释。',
      done: '已致歉并约好今天下午上门；已申请 300 元代金券（待审批）。',
      pending: '下午跟进师傅到场情况，修好后回访确认。',
      expectation: '今天内修好，不再拖延。',
      cautions: '不要再让业主重复描述问题；避免下午三点后才联系。',
    };
    for (const [field, value] of Object.entries(text)) await drawer.getByTestId(`handover-${field}`).fill(value);
    await shot(k1, 'handover-form');
    await k1.getByTestId('handover-submit').click();
    await expectVisible(k1.getByTestId('handover-banner').getByText('等待对方确认'), 'the pending-handover banner for the sender');
    await shot(k1, 'ticket');
  });

  await step('queue and ticket page in English', async () => {
    await setLanguage(k1, 'en');
    await expectVisible(k1.getByText('Waiting on customer').or(k1.getByTestId('ticket-header').getByText('In progress')), 'English status labels');
    await shot(k1, 'ticket-en');
    await k1.goto(`${base}/tickets`);
    await expectVisible(k1.getByRole('tab', { name: 'My tickets' }), 'the English queue tabs');
    await expectVisible(k1.getByRole('columnheader', { name: 'Number' }), 'English column headers');
    await shot(k1, 'queue-en');
    await setLanguage(k1, 'zh-CN');
    await expectVisible(k1.getByRole('tab', { name: '我的工单' }), 'Chinese again');
  });

  await step('queue and ticket page at 390 px', async () => {
    await k1.setViewportSize({ width: 390, height: 844 });
    await k1.goto(`${base}/tickets`);
    await expectVisible(k1.getByTestId('tickets-list'), 'the phone list of tickets');
    await shot(k1, 'queue-mobile');
    await k1.getByTestId('ticket-row').filter({ hasText: ticket.number }).click();
    await k1.waitForURL(`${base}/tickets/${ticket.id}`);
    await expectVisible(k1.getByTestId('ticket-subject'), 'the ticket page on a phone');
    const overflow = await k1.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 2) fail(`the ticket page scrolls sideways on a phone (${overflow}px wider than the screen)`);
    await shot(k1, 'ticket-mobile');
    await k1.setViewportSize({ width: 1440, height: 900 });
  });

  // ─── K0002: confirms the handover ───
  const k2 = await newPage('K0002');
  current = k2;

  await step('K0002 sees the handover in the bell and the handovers inbox, and confirms it', async () => {
    await login(k2, base, 'K0002');
    await expectVisible(k2.getByTestId('notifications-bell').locator('.ant-badge-count'), 'an unread count on the bell');
    await k2.getByTestId('notifications-bell').click();
    await expectVisible(k2.getByTestId('notification-item').filter({ hasText: ticket.number }), 'the handover notification');
    await shot(k2, 'notifications');
    await k2.keyboard.press('Escape');
    await k2.getByRole('menuitem', { name: '服务交接' }).click();
    await k2.waitForURL(`${base}/handovers`);
    const card = k2.getByTestId('handover-card').filter({ hasText: ticket.number });
    await expectVisible(card, 'the handover card');
    await expectVisible(card.getByText('注意事项'), 'the six handover fields');
    await shot(k2, 'handovers');
    await card.getByTestId('handover-confirm').click();
    await expectVisible(k2.getByText(`已接手工单 ${ticket.number}`), 'the confirmation message');
    await k2.goto(`${base}/tickets/${ticket.id}`);
    await expectVisible(k2.getByTestId('ticket-header').getByText('张伟'), 'K0002 (张伟) as the owner');
    await expectVisible(k2.getByTestId('ticket-timeline').getByText('交接已确认'), 'the 交接已确认 event');
  });

  // ─── S0001: approves; K0001's open page updates live ───
  const s1 = await newPage('S0001');
  current = s1;

  await step('K0001 keeps the ticket open (live updates over the WebSocket)', async () => {
    await k1.goto(`${base}/tickets/${ticket.id}`);
    await expectVisible(k1.getByTestId('compensations').getByText('待审批'), 'the pending compensation');
    await k1.waitForTimeout(1500); // socket connected and watching
  });

  await step('S0001 approves the compensation', async () => {
    await login(s1, base, 'S0001');
    await s1.getByRole('menuitem', { name: '审批' }).click();
    await s1.waitForURL(`${base}/approvals`);
    const row = s1.locator('.ant-table-row', { hasText: ticket.number });
    await expectVisible(row, 'the pending approval');
    await expectVisible(row.getByText('¥300.00'), 'the amount');
    await shot(s1, 'approvals');
    await row.getByTestId('approval-approve').click();
    await s1.getByTestId('approval-comment').fill('同意，注意跟进回访');
    await s1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(s1.getByText('已批准').first(), 'the approval message');
    await expectHidden(row, 'the decided row from 待审批');
  });

  await step('K0001 sees the approval without reloading (bell + ticket refresh)', async () => {
    current = k1;
    await expectVisible(k1.getByTestId('compensations').getByText('已批准'), 'the compensation turning 已批准 (awaiting the customer) live', 30_000);
    await expectVisible(k1.getByTestId('notifications-bell').locator('.ant-badge-count'), 'the bell count', 30_000);
    current = s1;
  });

  await step('S0001 bulk-changes the priority of two team tickets and sees per-ticket results', async () => {
    await s1.goto(`${base}/tickets?view=team`);
    const rows = s1.getByTestId('ticket-row');
    await expectVisible(rows, 'team tickets');
    await rows.nth(0).locator('.ant-checkbox-input').check();
    await rows.nth(1).locator('.ant-checkbox-input').check();
    await expectVisible(s1.getByTestId('bulk-bar').getByText('已选 2 张'), 'the bulk bar');
    await s1.getByTestId('bulk-priority').click();
    // Under load the first click can land while the modal is still opening: click until 紧急 is the chosen value.
    const urgent = s1.locator(OPEN_MODAL).locator('.ant-radio-button-wrapper', { hasText: '紧急' });
    for (let i = 0; i < 5 && !(await urgent.evaluate((el) => el.classList.contains('ant-radio-button-wrapper-checked'))); i++) {
      await urgent.click();
      await s1.waitForTimeout(200);
    }
    await expectVisible(s1.locator(OPEN_MODAL).locator('.ant-radio-button-wrapper-checked', { hasText: '紧急' }), '紧急 chosen');
    await s1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
    await expectVisible(s1.getByText('成功 2 张，失败 0 张'), 'the bulk results');
    await shot(s1, 'bulk-result');
    await s1.locator(OPEN_MODAL).locator('.ant-btn-primary').click();
  });

  await step('S0001 views team load and the customer 360', async () => {
    await s1.getByRole('menuitem', { name: '团队负荷' }).click();
    await s1.waitForURL(`${base}/team`);
    await expectVisible(s1.getByTestId('team-load-table').getByText('K0001'), 'K0001 in the team load');
    await shot(s1, 'team-load');
    await s1.goto(`${base}/tickets/${ticket.id}`);
    await s1.getByTestId('customer-360-link').click();
    await s1.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    await expectVisible(s1.getByTestId('customer-360').getByText('累计赔付'), 'the customer 360');
    await shot(s1, 'customer-360');
    await s1.getByTestId('customer-edit').click();
    const drawer = s1.locator(OPEN_DRAWER);
    await drawer.getByLabel('需求类型').fill('物业服务');
    await shot(s1, 'customer-edit');
    await s1.getByTestId('customer-save').click();
    await expectVisible(s1.getByTestId('customer-360').getByText('物业服务'), 'the saved demand type');
  });

  // ─── A0001: dispatch dry run ───
  const a1 = await newPage('A0001');
  current = a1;

  await step('A0001 runs a dispatch dry run and sees the rule trace and candidates', async () => {
    await login(a1, base, 'A0001');
    await a1.getByRole('menuitem', { name: '派单规则' }).click();
    await a1.waitForURL(`${base}/dispatch`);
    await expectVisible(a1.getByTestId('rules-table').locator('.ant-table-row'), 'the dispatch rules');
    await a1.getByTestId('dry-run-submit').click();
    const result = a1.getByTestId('dry-run-result');
    await expectVisible(result.getByTestId('dry-run-reason'), 'the dry-run reason');
    await expectVisible(result.getByText('规则逐条判断'), 'the rule trace');
    await expectVisible(result.getByText('候选成员'), 'the candidates');
    await shot(a1, 'dispatch-dry-run');
    await a1.getByTestId('rule-create').click();
    await expectVisible(a1.locator(OPEN_DRAWER).getByText('匹配条件'), 'the conditions editor');
    await shot(a1, 'dispatch-rule-editor');
    await a1.keyboard.press('Escape');
    await a1.getByRole('menuitem', { name: '工单分类' }).click();
    await a1.waitForURL(`${base}/categories`);
    await expectVisible(a1.getByTestId('category-tree').getByText('报修'), 'the category tree');
    await shot(a1, 'categories');
  });

  if (problems.length) fail(`the pages reported errors:\n  ${problems.join('\n  ')}`);
}

/** A small valid PNG (64×48, orange) for the photo upload. */
function pngBuffer() {
  const w = 64;
  const h = 48;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) raw.set([0xf5, 0x8a, 0x3c], y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ───────────────────────────── main ─────────────────────────────

runDemoJourney({ failureShot: 'ws-failure.png', tmpPrefix: 'chidu-e2e-ws-', journey });
