#!/usr/bin/env node
/**
 * Browser journey through the knowledge base (知识库) and the help centre (帮助中心).
 *
 *   node e2e/kb.mjs              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/kb.mjs --no-build   # reuse the existing packages/web/dist
 *
 * Starts `npx tsx packages/server/src/main.ts` with CHIDU_DEMO=1 (demo KB of 申城物业 included) on a free port and a
 * fresh DATA_DIR, files a ticket "楼上漏水，天花板一直滴水" for 杨丽 through the API as K0001, then in Chromium:
 *   K0001 (agent)   opens the ticket: the leak-repair emergency procedure is among the first three suggestions;
 *                   "插入话术" fills the customer's name into the reply box; marks the procedure as used;
 *                   KB search with highlighted snippets; the procedure page with versions.
 *   A0001 (admin)   review queue, category tree with experts, dictionary and synonyms, the editor, English.
 *   customer        help centre on a phone (390 px): categories, search, article, "was this helpful", still need help.
 * Screenshots go to e2e/artifacts/kb-*.png. Exits non-zero with a clear message on the first failure.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 20_000;
const CUSTOMER = '杨丽'; // demo customer 杨丽（7栋902业主）
const SUBJECT = '楼上漏水，天花板一直滴水';
const PROCEDURE = '楼上漏水（天花板滴水）应急处理流程';
const SCRIPT = '漏水报修安抚与上门预约话术';

const { log, fail, shot, expectVisible, setLanguage, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'kb-',
  stepTimeout: STEP_TIMEOUT,
});

// ───────────────────────────── journey ─────────────────────────────

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, opts = {}) => newWatchedPage(browser, who, problems, opts);
  let current = null;
  const step = stepRunner(() => current);

  const ticket = { id: '' };
  await step('setup: the admin adopts the call-back standard (API), so scripts can fill {预计时间}', async () => {
    const a = await apiSession(base, 'A0001');
    const res = await a('POST', '/standards/templates/callback-4h/adopt', {});
    if (res.status >= 300 && res.status !== 409) log(`  (standard not adopted: ${res.status}; {预计时间} stays for the agent to fill)`);
  });
  await step(`setup: K0001 files a ticket "${SUBJECT}" for ${CUSTOMER} (API)`, async () => {
    const k = await apiSession(base, 'K0001');
    const customers = await k('GET', `/customers?q=${encodeURIComponent(CUSTOMER)}&limit=5`);
    const c = customers.body?.items?.find((x) => x.name.startsWith(CUSTOMER));
    if (!c) fail(`demo customer ${CUSTOMER} not found: ${JSON.stringify(customers.body).slice(0, 300)}`);
    const res = await k('POST', '/tickets', {
      customerId: c.id,
      type: 'repair',
      channel: 'phone',
      priority: 'high',
      subject: SUBJECT,
      description: '业主来电：卫生间天花板一直在滴水，已经用盆接着了，请尽快派人。',
    });
    if (res.status !== 201) fail(`ticket not created: ${res.status} ${JSON.stringify(res.body)}`);
    ticket.id = res.body.id;
  });

  const k1 = await newPage('K0001');
  current = k1;
  await step('K0001 opens the ticket: the leak-repair procedure is among the first three suggestions', async () => {
    await login(k1, base, 'K0001');
    await k1.goto(`${base}/tickets/${ticket.id}`);
    await expectVisible(k1.getByTestId('kb-suggestions'), 'the 知识推荐 panel');
    await expectVisible(k1.getByTestId('kb-suggestion'), 'at least one suggestion');
    const titles = await k1.getByTestId('kb-suggestion-title').allInnerTexts();
    log(`  suggestions: ${titles.join(' | ')}`);
    if (!titles.slice(0, 3).includes(PROCEDURE)) fail(`"${PROCEDURE}" is not in the first three suggestions: ${titles.join(' | ')}`);
    await shot(k1, 'ticket-suggestions');
  });

  await step('K0001 inserts the leak script: the customer name is filled into the reply box', async () => {
    const card = k1.getByTestId('kb-script').filter({ hasText: SCRIPT }).first();
    await expectVisible(card, `the script "${SCRIPT}"`);
    await card.getByTestId('kb-insert-script').click();
    await k1.waitForFunction((name) => document.querySelector('[data-testid=reply-input]')?.value.includes(name), CUSTOMER, { timeout: STEP_TIMEOUT });
    const text = await k1.getByTestId('reply-input').inputValue();
    if (text.includes('{客户称呼}')) fail(`the placeholder was not filled: ${text}`);
    log(`  reply box: ${text.slice(0, 60)}…`);
    const proc = k1.getByTestId('kb-suggestion').filter({ hasText: PROCEDURE }).first();
    await proc.getByTestId('kb-mark-used').click();
    await expectVisible(proc.getByText('已采用'), 'the procedure marked 已采用');
    await shot(k1, 'ticket-script-inserted');
  });

  await step('K0001 searches the KB: highlighted snippets; opens the procedure', async () => {
    await k1.goto(`${base}/kb?q=${encodeURIComponent('楼上漏水，天花板一直滴水')}`);
    await expectVisible(k1.getByTestId('kb-hit'), 'search hits');
    const marks = await k1.locator('[data-testid=kb-hit] mark').count();
    if (marks === 0) fail('no highlighted terms in the snippets');
    await shot(k1, 'search');
    await k1.getByTestId('kb-hit').filter({ hasText: PROCEDURE }).first().locator('a').first().click();
    await expectVisible(k1.getByTestId('kb-item-title'), 'the item page');
    await expectVisible(k1.getByTestId('kb-versions'), 'the versions card');
    await shot(k1, 'item');
    await k1.goto(`${base}/kb`);
    await expectVisible(k1.getByTestId('kb-table'), 'the KB list');
    await shot(k1, 'list');
  });

  const admin = await newPage('A0001');
  current = admin;
  await step('A0001: review queue, categories with experts, dictionary, editor', async () => {
    await login(admin, base, 'A0001');
    await admin.goto(`${base}/kb?tab=reviews`);
    await expectVisible(admin.getByTestId('kb-review-queue').locator('a').first(), 'an item waiting for review');
    await shot(admin, 'review-queue');
    await admin.getByTestId('kb-review-queue').locator('a').first().click();
    await expectVisible(admin.getByTestId('kb-approve'), 'the approve button');
    await shot(admin, 'review-item');
    await admin.getByTestId('kb-approve').click();
    await expectVisible(admin.getByTestId('kb-status').filter({ hasText: '已发布' }), 'the item published');
    await admin.goto(`${base}/kb?tab=categories`);
    await expectVisible(admin.getByTestId('kb-category-tree'), 'the category tree');
    await admin.getByTestId('kb-category-tree').getByText('应急处置', { exact: true }).click();
    await expectVisible(admin.getByTestId('kb-experts-select'), 'the experts picker');
    await shot(admin, 'categories');
    await admin.goto(`${base}/kb?tab=vocabulary`);
    await expectVisible(admin.getByTestId('kb-vocab-kind'), 'the dictionary form');
    await shot(admin, 'vocabulary');
    await admin.goto(`${base}/kb/new`);
    await expectVisible(admin.getByTestId('kb-editor'), 'the rich-text editor');
    await admin.getByTestId('kb-title').fill('测试：小区游泳池开放时间');
    await admin.getByTestId('kb-editor').click();
    await admin.keyboard.type('泳池每年6月至9月开放。');
    await shot(admin, 'editor');
    await admin.goto(`${base}/kb?tab=stats`);
    await admin.waitForTimeout(500);
    await shot(admin, 'stats');
  });

  await step('English: the KB list', async () => {
    await setLanguage(admin, 'en');
    await admin.goto(`${base}/kb`);
    await expectVisible(admin.getByText('Knowledge base').first(), 'the English title');
    await shot(admin, 'list-en');
    await setLanguage(admin, 'zh-CN');
  });

  const phone = await newPage('customer', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  current = phone;
  await step('customer help centre on a phone: categories, search, article, feedback, still need help', async () => {
    await phone.goto(`${base}/portal/help`);
    await expectVisible(phone.getByTestId('help-category'), 'help-centre categories');
    await shot(phone, 'help-home');
    await phone.getByTestId('help-search').fill('楼上漏水怎么办');
    await phone.getByTestId('help-search-submit').click();
    await expectVisible(phone.getByTestId('help-item'), 'help-centre results');
    const titles = await phone.getByTestId('help-item').locator('.pt-help-item-title').allInnerTexts();
    if (!titles.some((x) => x.includes('楼上漏水'))) fail(`no leak article in the help-centre results: ${titles.join(' | ')}`);
    await shot(phone, 'help-search');
    await phone.getByTestId('help-item').first().click();
    await expectVisible(phone.getByTestId('help-article-title'), 'the article');
    await shot(phone, 'help-article');
    await phone.getByTestId('help-no').click();
    await expectVisible(phone.getByTestId('help-thanks'), 'the thanks after "没帮助"');
    await phone.getByTestId('help-need-button').click();
    await phone.waitForURL(/\/portal\/login/, { timeout: STEP_TIMEOUT });
    await shot(phone, 'help-need-login');
  });

  await step('still need help: after signing in, the new request carries the search text', async () => {
    await phone.getByTestId('login-phone').fill('13912345678');
    await phone.getByTestId('login-send-code').tap();
    const box = phone.getByTestId('demo-code');
    await expectVisible(box, 'the demo code');
    const code = (await box.getAttribute('data-code')) ?? '';
    await phone.getByTestId('login-code').fill(code);
    await phone.waitForURL(/\/portal\/new/, { timeout: STEP_TIMEOUT });
    await expectVisible(phone.getByTestId('description'), 'the description field');
    const text = await phone.getByTestId('description').inputValue();
    if (!text.includes('楼上漏水怎么办')) fail(`the new request does not carry the search text: "${text}"`);
    await shot(phone, 'help-new-request');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'kb-failure.png', tmpPrefix: 'chidu-e2e-kb-', journey });
