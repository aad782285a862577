#!/usr/bin/env node
/**
 * Browser journey through the dashboards (服务总览 / 团队看板 / 我的指标 / 投诉分析 / 指标设置 / 电视墙).
 *
 *   node e2e/measures.mjs              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/measures.mjs --no-build   # reuse the existing packages/web/dist
 *
 * Starts `npx tsx packages/server/src/main.ts` with CHIDU_DEMO=1 (60 days of demo history) on a free port and a
 * fresh temporary DATA_DIR, then in Chromium:
 *   D0001 (director)  overview in zh-CN → click FCR → the tickets behind it → open one (/tickets/:id) →
 *                     period "today": an agent resolves a ticket and the customer answers its survey through the
 *                     public survey API → CSAT on the open page changes within 2 s (measured; enforced with
 *                     E2E_STRICT_TIMING=1, else only over 5 s, as CI runs journeys side by side) →
 *                     team board, complaint analysis, settings (creates a TV-wall token) → wall page → all in English.
 *   K0001 (agent)     my numbers vs team (zh-CN, en).
 * Screenshots go to e2e/artifacts/measures-*.png. Exits non-zero with a clear message on the first failure.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 30_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';

const { log, note, fail, shot, expectVisible, setLanguage, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'measures-',
  stepTimeout: STEP_TIMEOUT,
});

// ───────────────────────────── journey ─────────────────────────────

/** Wait until every metric card shows a value (not the loading ellipsis). */
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

async function csatCounts(page) {
  const text = await page.getByTestId('counts-csat').innerText();
  const m = /(\d+)\s*\/\s*(\d+)/.exec(text);
  return m ? { num: Number(m[1]), den: Number(m[2]), text } : { num: 0, den: 0, text };
}

async function journey(browser, base) {
  const problems = [];
  const figures = {};
  const newPage = (who) => newWatchedPage(browser, who, problems);
  let current = null;
  const step = stepRunner(() => current);

  const dir = await newPage('D0001');
  current = dir;
  await step('director signs in and opens the service overview (zh-CN)', async () => {
    await login(dir, base, 'D0001');
    // The demo history is applied by the measures worker right after start: wait until its queue is empty.
    const api = await apiSession(base, 'D0001');
    for (let i = 0; i < 120; i++) {
      const v = await api('GET', '/measures/version');
      if (v.body.pending === 0 && v.body.version > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await dir.goto(`${base}/dashboards`);
    await cardsLoaded(dir);
    await expectVisible(dir.getByTestId('def-fcr'), 'the FCR definition next to its number');
    await expectVisible(dir.locator('[data-testid=chart-trend] canvas'), 'the trend chart');
    await dir.waitForTimeout(800);
    await shot(dir, 'overview-zh');
  });

  await step('click FCR → the tickets behind it → open one', async () => {
    await dir.getByTestId('value-fcr').click();
    await expectVisible(dir.locator(OPEN_DRAWER).getByTestId('drill-ticket'), 'tickets in the drill-down');
    await shot(dir, 'drill-zh');
    const href = await dir.locator(OPEN_DRAWER).getByTestId('drill-ticket').first().getAttribute('href');
    if (!href || !/^\/tickets\/[0-9a-f-]{36}$/.test(href)) fail(`drill-down link is ${href}`);
    await dir.locator(OPEN_DRAWER).getByTestId('drill-ticket').first().click();
    await dir.waitForURL(`${base}${href}`);
    await dir.goBack();
    await cardsLoaded(dir);
  });

  await step('an answered survey changes CSAT on the open dashboard within 2 s', async () => {
    await dir.locator('.ant-segmented-item', { hasText: '今天' }).click();
    await cardsLoaded(dir);
    await dir.waitForTimeout(1500);
    const before = await csatCounts(dir);
    const agent = await apiSession(base, 'K0001');
    const customers = await agent('GET', '/customers?limit=5');
    const customerId = customers.body.items[0].id;
    const created = await agent('POST', '/tickets', {
      customerId,
      type: 'inquiry',
      channel: 'phone',
      subject: '仪表盘实时性验证：咨询停车月卡',
      description: 'e2e',
    });
    if (created.status !== 201) fail(`create ticket: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id;
    await agent('POST', `/tickets/${id}/replies`, { body: '您好，月卡可在物业APP续费。', visibility: 'public' });
    const res = await agent('POST', `/tickets/${id}/resolve`, { resolution: '已告知续费方式' });
    if (res.status !== 200) fail(`resolve: ${res.status} ${JSON.stringify(res.body)}`);
    let invitation = null;
    for (let i = 0; i < 40 && !invitation; i++) {
      const s = await agent('GET', `/tickets/${id}/surveys`);
      invitation = (s.body?.items ?? s.body ?? []).find?.((x) => x.token) ?? null;
      if (!invitation) await new Promise((r) => setTimeout(r, 250));
    }
    if (!invitation) fail('no survey invitation after resolving (surveys module)');
    await dir.waitForTimeout(1200); // the resolve itself may move other numbers: let the page settle first
    const settled = await csatCounts(dir);
    const t0 = Date.now();
    const answer = await fetch(`${base}/api/v1/public/surveys/${encodeURIComponent(invitation.token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ csat: 5, comment: '很满意' }),
    });
    if (answer.status >= 300) fail(`answer survey: ${answer.status} ${await answer.text()}`);
    await dir.waitForFunction(
      (den) => {
        const t = document.querySelector('[data-testid="counts-csat"]')?.textContent ?? '';
        const m = /(\d+)\s*\/\s*(\d+)/.exec(t);
        return m && Number(m[2]) === den + 1;
      },
      settled.den,
      { timeout: 10_000, polling: 50 },
    );
    const ms = Date.now() - t0;
    figures.surveyToDashboardMs = ms;
    const after = await csatCounts(dir);
    log(`  CSAT ${before.num}/${before.den} → ${after.num}/${after.den} on the open page ${ms} ms after the answer`);
    // The 2 s target is a speed figure: on a quiet machine (`E2E_STRICT_TIMING=1 E2E_JOBS=1 node e2e/all.mjs measures`)
    // the journey fails above it. In CI two journeys share two cores with their servers and browsers, so there it
    // fails only when the live update is plainly broken (over 5 s) and notes a slower change with its figure.
    const limit = process.env.E2E_STRICT_TIMING === '1' ? 2000 : 5000;
    if (ms > limit) fail(`CSAT changed only after ${ms} ms (limit ${limit})`);
    if (ms > 2000) note(`CSAT changed after ${ms} ms: over the 2 s target, measured with other journeys running beside it`);
    await shot(dir, 'overview-today-zh');
  });

  await step('team board (live), complaint analysis, settings (zh-CN)', async () => {
    await dir.goto(`${base}/dashboards/team`);
    await expectVisible(dir.getByText('坐席负荷'), 'the agents table');
    await cardsLoaded(dir);
    await dir.waitForTimeout(600);
    await shot(dir, 'team-zh');
    await dir.goto(`${base}/dashboards/complaints`);
    await expectVisible(dir.locator('[data-testid=chart-pareto-category] canvas'), 'the Pareto chart of complaint types');
    await cardsLoaded(dir);
    await dir.waitForTimeout(600);
    await shot(dir, 'complaints-zh');
    await dir.goto(`${base}/dashboards/settings`);
    await expectVisible(dir.getByText('指标目标与预警'), 'the targets table');
    await dir.getByPlaceholder('名称，如：服务中心大屏').fill('服务中心大屏');
    await dir.getByRole('button', { name: '生成令牌' }).click();
    await expectVisible(dir.getByTestId('wall-url'), 'the new wall URL');
    figures.wallUrl = (await dir.getByTestId('wall-url').locator('code').innerText()).trim();
    await shot(dir, 'settings-zh');
  });

  await step('TV wall with the display token (no login)', async () => {
    const wall = await newPage('wall');
    current = wall;
    await wall.setViewportSize({ width: 1920, height: 1080 });
    await wall.goto(figures.wallUrl);
    await wall.waitForFunction(
      () => {
        const v = document.querySelector('[data-testid="wall-csat"] .big');
        return v && !v.textContent.includes('…');
      },
      null,
      { timeout: STEP_TIMEOUT },
    );
    await wall.waitForTimeout(800);
    await shot(wall, 'wall-zh');
    await wall.goto(`${base}/wall?token=wall_invalidinvalidinvalidinvalid`);
    await expectVisible(wall.getByTestId('wall-error'), 'the invalid-token message');
    await wall.context().close();
    current = dir;
  });

  await step('the same dashboards in English', async () => {
    await dir.goto(`${base}/dashboards`);
    await setLanguage(dir, 'en');
    await cardsLoaded(dir);
    await dir.waitForTimeout(800);
    await shot(dir, 'overview-en');
    await dir.goto(`${base}/dashboards/team`);
    await cardsLoaded(dir);
    await dir.waitForTimeout(600);
    await shot(dir, 'team-en');
    await dir.goto(`${base}/dashboards/complaints`);
    await cardsLoaded(dir);
    await dir.waitForTimeout(600);
    await shot(dir, 'complaints-en');
    await dir.goto(`${base}/dashboards/settings`);
    await expectVisible(dir.getByText('Targets and alerts'), 'the targets table in English');
    await shot(dir, 'settings-en');
    await setLanguage(dir, 'zh-CN');
  });

  await step('agent: my numbers vs team (zh-CN, en); no access to the overview', async () => {
    const ag = await newPage('K0001');
    current = ag;
    await login(ag, base, 'K0001');
    await ag.goto(`${base}/dashboards/me`);
    await cardsLoaded(ag);
    await expectVisible(ag.locator('[data-testid=chart-compare] canvas'), 'the me-vs-team chart');
    await ag.waitForTimeout(800);
    await shot(ag, 'me-zh');
    await setLanguage(ag, 'en');
    await cardsLoaded(ag);
    await ag.waitForTimeout(800);
    await shot(ag, 'me-en');
    await setLanguage(ag, 'zh-CN');
    const api = await apiSession(base, 'K0001');
    const r = await api('GET', '/metrics/summary');
    if (r.status !== 403) fail(`agent /metrics/summary answered ${r.status}, expected 403`);
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
  delete figures.wallUrl; // a credential: not written anywhere
  writeFileSync(path.join(ARTIFACTS, 'measures-figures.json'), JSON.stringify(figures, null, 2));
  log(`figures: ${JSON.stringify(figures)}`);
}

// ───────────────────────────── main ─────────────────────────────

runDemoJourney({ failureShot: 'measures-failure.png', tmpPrefix: 'chidu-e2e-measures-', journey });
