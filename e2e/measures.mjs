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
 *                     public survey API → CSAT on the open page changes within 2 s (measured) →
 *                     team board, complaint analysis, settings (creates a TV-wall token) → wall page → all in English.
 *   K0001 (agent)     my numbers vs team (zh-CN, en).
 * Screenshots go to e2e/artifacts/measures-*.png. Exits non-zero with a clear message on the first failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const PASSWORD = 'Chidu@2026';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const args = new Set(process.argv.slice(2));
const STEP_TIMEOUT = 30_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';

const log = (msg) => process.stdout.write(`[e2e] ${msg}\n`);
class JourneyError extends Error {}
const fail = (msg) => {
  throw new JourneyError(msg);
};

// ───────────────────────────── server ─────────────────────────────

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chidu-e2e-measures-'));
  const output = [];
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CHIDU_DEMO: '1',
    LOG_LEVEL: process.env.E2E_SERVER_LOG_LEVEL ?? 'warn',
  };
  if (process.env.E2E_WEB_DIST) env.WEB_DIST = path.resolve(process.env.E2E_WEB_DIST);
  const child = spawn('npx', ['tsx', 'packages/server/src/main.ts'], {
    cwd: ROOT,
    detached: true, // own process group, so npx → tsx → node all stop together
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const keep = (chunk) => {
    output.push(chunk.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const cleanup = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (exited) {
      await cleanup();
      fail(`server exited before it was healthy (${JSON.stringify(exited)}):\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return { base, cleanup, output };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await cleanup();
  fail(`server did not answer ${base}/healthz within 180 s:\n${output.join('')}`);
}

/** Minimal API client (cookie + CSRF) for setup done "behind the scenes". */
async function apiSession(base, employeeNo) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeNo, password: PASSWORD }),
  });
  if (!res.ok) fail(`API login ${employeeNo} failed: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  return async (method, p, body) => {
    const r = await fetch(`${base}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

// ───────────────────────────── helpers ─────────────────────────────

async function shot(page, name) {
  await page.mouse.move(1, 1); // no hover effects or tooltips in the picture
  await page.evaluate(() => window.scrollTo(0, 0)); // sticky header and menu stay where they belong
  await page.waitForTimeout(350); // let antd motion settle
  await page.screenshot({ path: path.join(ARTIFACTS, `measures-${name}.png`), fullPage: true });
  log(`  screenshot e2e/artifacts/measures-${name}.png`);
}

async function expectVisible(locator, what, timeout = STEP_TIMEOUT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    fail(`expected to see ${what}`);
  }
}

async function expectHidden(locator, what) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  } catch {
    fail(`expected ${what} to disappear`);
  }
}

async function setLanguage(page, lang) {
  const label = lang === 'en' ? 'EN' : '中文';
  await page.locator('[data-testid=language-switch]').first().getByText(label, { exact: true }).click();
  await page.mouse.move(700, 700);
  await page.waitForTimeout(400); // saved to the account
}

/** Open an antd Select, optionally type to search, and click the option containing `optionText`. */
async function pickOption(page, selectLocator, optionText, typeText) {
  await selectLocator.click();
  if (typeText) await page.keyboard.type(typeText, { delay: 20 });
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: optionText }).first();
  await option.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  await option.click();
}

async function login(page, base, employeeNo) {
  await page.goto(`${base}/login`);
  await page.getByTestId('login-employee-no').fill(employeeNo);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(`${base}/`, { timeout: STEP_TIMEOUT });
  await expectVisible(page.getByTestId('home-greeting'), `the 工作台 of ${employeeNo}`);
}

function watchProblems(page, who, problems) {
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // the browser logs 4xx answers as resource errors (e.g. the deliberate 403 approval_required)
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    problems.push(`${who} console error: ${text}`);
  });
}

// ───────────────────────────── journey ─────────────────────────────

/** Wait until every metric card shows a value (not the loading ellipsis). */
async function cardsLoaded(page) {
  await page.waitForFunction(() => {
    const vs = [...document.querySelectorAll('[data-testid^="value-"]')];
    return vs.length > 0 && vs.every((v) => !v.textContent.includes('…'));
  }, null, { timeout: STEP_TIMEOUT });
}

async function csatCounts(page) {
  const text = await page.getByTestId('counts-csat').innerText();
  const m = /(\d+)\s*\/\s*(\d+)/.exec(text);
  return m ? { num: Number(m[1]), den: Number(m[2]), text } : { num: 0, den: 0, text };
}

async function journey(browser, base) {
  const problems = [];
  const figures = {};
  const newPage = async (who) => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    context.setDefaultTimeout(STEP_TIMEOUT);
    const page = await context.newPage();
    watchProblems(page, who, problems);
    return page;
  };
  let current = null;
  const step = async (name, fn) => {
    log(name);
    try {
      await fn();
    } catch (err) {
      try {
        if (current) await current.screenshot({ path: path.join(ARTIFACTS, 'measures-failure.png'), fullPage: true });
        log('  failure screenshot e2e/artifacts/measures-failure.png');
      } catch {
        /* page may be gone */
      }
      const message = err instanceof Error ? err.message : String(err);
      throw new JourneyError(`step "${name}" failed: ${message}`);
    }
  };

  const dir = await newPage('D0001');
  current = dir;
  await step('director signs in and opens the service overview (zh-CN)', async () => {
    await login(dir, base, 'D0001');
    // The demo history is applied by the measures worker right after start: wait until its queue is empty.
    const api = await apiSession(base, 'D0001');
    for (let i = 0; i < 120; i++) { const v = await api('GET', '/measures/version'); if (v.body.pending === 0 && v.body.version > 0) break; await new Promise((r) => setTimeout(r, 500)); }
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
    const created = await agent('POST', '/tickets', { customerId, type: 'inquiry', channel: 'phone', subject: '仪表盘实时性验证：咨询停车月卡', description: 'e2e' });
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
    const answer = await fetch(`${base}/api/v1/public/surveys/${encodeURIComponent(invitation.token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ csat: 5, comment: '很满意' }) });
    if (answer.status >= 300) fail(`answer survey: ${answer.status} ${await answer.text()}`);
    await dir.waitForFunction((den) => {
      const t = document.querySelector('[data-testid="counts-csat"]')?.textContent ?? '';
      const m = /(\d+)\s*\/\s*(\d+)/.exec(t);
      return m && Number(m[2]) === den + 1;
    }, settled.den, { timeout: 10_000, polling: 50 });
    const ms = Date.now() - t0;
    figures.surveyToDashboardMs = ms;
    const after = await csatCounts(dir);
    log(`  CSAT ${before.num}/${before.den} → ${after.num}/${after.den} on the open page ${ms} ms after the answer`);
    if (ms > 2000) fail(`CSAT changed only after ${ms} ms (limit 2000)`);
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
    await wall.waitForFunction(() => { const v = document.querySelector('[data-testid="wall-csat"] .big'); return v && !v.textContent.includes('…'); }, null, { timeout: STEP_TIMEOUT });
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

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  rmSync(path.join(ARTIFACTS, 'measures-failure.png'), { force: true });
  if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);

  if (!args.has('--no-build')) {
    log('building packages/web (vite build)');
    const res = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: path.join(ROOT, 'packages/web'), stdio: 'inherit' });
    if (res.status !== 0) fail('vite build failed');
  } else {
    const dist = process.env.E2E_WEB_DIST ? path.resolve(process.env.E2E_WEB_DIST) : path.join(ROOT, 'packages/web/dist');
    if (!existsSync(path.join(dist, 'index.html'))) fail(`${dist} has no index.html; run without --no-build`);
  }

  log('starting the demo server');
  const server = await startServer();
  log(`server up at ${server.base}`);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      log(`${sig}: stopping the server`);
      server.cleanup().finally(() => process.exit(130));
    });
  }
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: !process.env.E2E_HEADED,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ].filter((a) => a !== '--headless' || !process.env.E2E_HEADED),
    });
    await journey(browser, server.base);
    log('journey passed ✔');
  } finally {
    if (browser) await browser.close().catch(() => {});
    await server.cleanup();
    log('server stopped');
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`\n[e2e] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
