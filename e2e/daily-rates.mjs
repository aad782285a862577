#!/usr/bin/env node
/**
 * Browser journey for issue #13 items 1 and 4 (breaches count when they happen; soft standards by mean).
 *
 *   node e2e/all.mjs daily-rates          # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs daily-rates --no-build
 *
 * A0001 (admin, API) creates a 45-second first-response standard; an agent opens a ticket nobody answers. Before the
 * deadline, the director's 服务总览 (period 今天, zh-CN) shows the standard execution rate's counts; after the breach —
 * the ticket still open — the denominator has grown by one and the numerator has not (the assertion that fails on
 * the old rule, which counted the breach only once answered). Then a soft standard 满意度 ≥ 4.8 (mean, minimum 3
 * answers) with three answers 5, 5, 4 shows "4.67 / 5" 未达标 on 服务标准. Screenshots e2e/artifacts/daily-rates-*.png
 * at 1440×900 and 390×844.
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney, log } = createHarness({
  shotPrefix: 'daily-rates-',
  stepTimeout: STEP_TIMEOUT,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function settled(api) {
  for (let i = 0; i < 240; i++) {
    const v = await api('GET', '/measures/version');
    if (v.body.pending === 0 && v.body.version > 0) return;
    await sleep(500);
  }
  fail('the measures queue did not drain');
}

async function cardsLoaded(page) {
  await page.waitForFunction(
    () => {
      const vs = [...document.querySelectorAll('[data-testid^="value-"]')];
      return vs.length > 0 && vs.every((v) => !v.textContent.includes('…'));
    },
    null,
    { timeout: STEP_TIMEOUT },
  );
}

async function uiCounts(page) {
  const text = await page.getByTestId('counts-standardExecutionRate').innerText();
  const m = /(\d+)\s*\/\s*(\d+)/.exec(text);
  if (!m) fail(`standard execution rate counts read "${text}"`);
  return { num: Number(m[1]), den: Number(m[2]) };
}

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const director = await apiSession(base, 'D0001');
  const agent = await apiSession(base, 'K0001');
  const dir = await newWatchedPage(browser, 'D0001', problems);
  current = dir;
  let before;
  let ticketId;

  await step('a 45-second first-response standard; a ticket nobody answers (before the breach)', async () => {
    const std = await admin('POST', '/standards', {
      code: 'DR-FR45',
      name: '首次响应 45 秒（演示）',
      encounter: '电话',
      kind: 'hard',
      target: 0.95,
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 45,
    });
    if (std.status !== 201) fail(`create standard: ${std.status} ${JSON.stringify(std.body)}`);
    await login(dir, base, 'D0001');
    await settled(director);
    const customers = await agent('GET', '/customers?limit=3');
    const created = await agent('POST', '/tickets', {
      customerId: customers.body.items[0].id,
      type: 'complaint',
      channel: 'phone',
      subject: '投诉：维修师傅爽约，无人回复',
      description: 'e2e daily-rates',
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    ticketId = created.body.id;
    await settled(director);
    await dir.goto(`${base}/dashboards`);
    await dir.locator('.ant-segmented-item', { hasText: '今天' }).click();
    await cardsLoaded(dir);
    await dir.waitForTimeout(800);
    before = await uiCounts(dir);
    log(`before the breach: ${before.num} / ${before.den}`);
    await shot(dir, 'before-zh');
  });

  await step('after the breach, ticket still open: the rate drops at once', async () => {
    let t;
    let clock;
    for (let i = 0; i < 120 && clock?.state !== 'breached'; i++) {
      t = await director('GET', `/tickets/${ticketId}`);
      clock = (t.body.standards ?? []).find((s) => s.code === 'DR-FR45');
      if (clock?.state !== 'breached') await sleep(1000);
    }
    if (!clock || clock.state !== 'breached') fail(`the clock is ${clock?.state}`);
    if (t.body.status === 'resolved' || t.body.status === 'closed') fail('the ticket must still be open');
    await settled(director);
    await dir.reload();
    await dir.locator('.ant-segmented-item', { hasText: '今天' }).click();
    await cardsLoaded(dir);
    let after = await uiCounts(dir);
    for (let i = 0; i < 20 && after.den === before.den; i++) {
      await dir.waitForTimeout(500);
      after = await uiCounts(dir);
    }
    log(`after the breach (open): ${after.num} / ${after.den}`);
    // The assertion that fails on the old rule: an open breach did not count until it was answered.
    if (after.den !== before.den + 1 || after.num !== before.num)
      fail(`expected ${before.num} / ${before.den + 1}, the page shows ${after.num} / ${after.den}`);
    await expectVisible(dir.getByTestId('value-standardExecutionRate'), 'the execution rate');
    await shot(dir, 'after-breach-zh');
    await dir.setViewportSize({ width: 390, height: 844 });
    await dir.waitForTimeout(600);
    await shot(dir, 'after-breach-zh-390');
    await dir.setViewportSize({ width: 1440, height: 900 });
  });

  await step('a soft standard by mean: answers 5, 5, 4 → 4.67 / 5 未达标', async () => {
    const soft = await admin('POST', '/standards', {
      code: 'DR-CSAT',
      name: '客户满意度 ≥ 4.8 分（平均）',
      encounter: '银行大堂',
      kind: 'soft',
      measure: 'survey',
      target: 0.9,
      survey: { measure: 'csat', aggregate: 'mean', threshold: 4.8, minSample: 3 },
    });
    if (soft.status !== 201) fail(`create soft standard: ${soft.status} ${JSON.stringify(soft.body)}`);
    const customers = await agent('GET', '/customers?limit=3');
    for (const csat of [5, 5, 4]) {
      const c = await agent('POST', '/tickets', {
        customerId: customers.body.items[1].id,
        type: 'inquiry',
        channel: 'phone',
        subject: `满意度演示 ${csat}`,
        description: 'e2e',
      });
      const id = c.body.id;
      await agent('POST', `/tickets/${id}/replies`, { body: '您好，已为您办理。', visibility: 'public' });
      const r = await agent('POST', `/tickets/${id}/resolve`, { resolution: '已办理' });
      if (r.status !== 200) fail(`resolve: ${r.status} ${JSON.stringify(r.body)}`);
      let inv = null;
      for (let i = 0; i < 40 && !inv; i++) {
        const s = await agent('GET', `/tickets/${id}/surveys`);
        inv = (s.body?.items ?? s.body ?? []).find?.((x) => x.token) ?? null;
        if (!inv) await sleep(250);
      }
      if (!inv) fail('no survey invitation after resolving');
      const a = await fetch(`${base}/api/v1/public/surveys/${encodeURIComponent(inv.token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ csat }),
      });
      if (a.status >= 300) fail(`answer: ${a.status} ${await a.text()}`);
    }
    await settled(director);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
    // The 服务标准 page's default period: the last 30 days including today.
    const from = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now() - 29 * 86_400_000);
    const comp = await director('GET', `/standards/${soft.body.id}/compliance?from=${from}&to=${today}`);
    const v = comp.body.soft;
    log(`soft standard today: mean ${v?.value} over ${v?.count} answers`);
    // Our three answers (5, 5, 4 → 4.67) plus any the demo history gave today: the mean of them all, below 4.8.
    if (!v || v.count < 3 || Math.abs(v.value - v.numerator / v.count) > 1e-9 || v.met !== false) fail(`soft result ${JSON.stringify(v)}`);
    const shown = `${v.value.toFixed(2)} / 5`;
    await dir.goto(`${base}/standards?tab=overview`);
    const row = dir.getByTestId('std-judged').locator('tr', { hasText: '客户满意度 ≥ 4.8 分（平均）' });
    await expectVisible(row.getByTestId('judged-value').getByText(shown), `the mean as ${shown}`);
    await expectVisible(row.getByTestId('judged-verdict').getByText('未达标'), 'not met');
    await row.scrollIntoViewIfNeeded();
    await shot(dir, 'soft-mean-zh');
    await dir.setViewportSize({ width: 390, height: 844 });
    await dir.waitForTimeout(600);
    await shot(dir, 'soft-mean-zh-390');
    await dir.setViewportSize({ width: 1440, height: 900 });
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'daily-rates-failure.png', tmpPrefix: 'chidu-e2e-daily-rates-', journey });
