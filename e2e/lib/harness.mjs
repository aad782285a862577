/**
 * Shared harness for the browser journeys in e2e/*.mjs (plain Node ESM, playwright-core, /usr/bin/chromium).
 *
 * Each journey calls createHarness({...}) once with what makes it differ (log tag, screenshot file prefix, step
 * timeout, demo password, how its screenshots settle) and gets back bound helpers: log/note, startServer (own
 * process group, temp DATA_DIR, waits for /healthz), apiSession, shot, expectVisible/expectHidden, setLanguage,
 * pickOption, fillLogin/login, watchProblems, newWatchedPage, stepRunner, freshCode (TOTP), buildWeb (honours --no-build), prepare,
 * serveAndRun (server + Chromium + cleanup on exit and on SIGINT/SIGTERM) and runMain (exit codes and the
 * FAILED line).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
export const WEB_DIR = path.join(ROOT, 'packages/web');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const args = new Set(process.argv.slice(2));

export class JourneyError extends Error {}
export const fail = (msg) => {
  throw new JourneyError(msg);
};

// ───────────────────────────── TOTP (RFC 6238, SHA-1, 6 digits, 30 s) ─────────────────────────────

export function base32Decode(input) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(bin).padStart(6, '0');
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);
let lastUsedStep = -1;

/** A code for a time step the server has not seen yet (it refuses reused codes): waits for the next window if needed. */
async function freshCodeWith(log, secret) {
  let step = currentStep();
  // also avoid the last second of a window, so the code is not stale by the time it arrives
  const secondsIntoStep = (Date.now() / 1000) % 30;
  if (step <= lastUsedStep || secondsIntoStep > 28) {
    const target = Math.max(lastUsedStep + 1, step + (secondsIntoStep > 28 ? 1 : 0));
    const waitMs = target * 30_000 - Date.now() + 500;
    if (waitMs > 0) {
      log(`waiting ${Math.ceil(waitMs / 1000)} s for the next TOTP window (codes cannot be reused)`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
    step = currentStep();
  }
  lastUsedStep = step;
  return totp(secret, step);
}

// ───────────────────────────── server ─────────────────────────────

export function freePort() {
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

/**
 * Start `npx tsx packages/server/src/main.ts` on a free port with a fresh temporary DATA_DIR, in its own process
 * group (so npx → tsx → node all stop together), and wait for /healthz.
 *   tmpPrefix        temp DATA_DIR prefix (under os.tmpdir())
 *   env              extra environment (e.g. { CHIDU_DEMO: '1' } or { CHIDU_BOOTSTRAP_ADMIN: 'E:pw', CHIDU_DEMO: '' })
 *   webDistFromEnv   pass E2E_WEB_DIST on as WEB_DIST when set
 *   healthzTimeoutMs how long to wait for /healthz
 * Resolves to { base, cleanup, stop, dataDir, output }; cleanup() stops the server and removes DATA_DIR, stop() only
 * stops it. With E2E_DEMO_TEMPLATE set (npm run e2e), a demo server starts from a copy of that DATA_DIR.
 */
export async function startServer({ tmpPrefix = 'chidu-e2e-', env: extraEnv = {}, webDistFromEnv = false, healthzTimeoutMs = 120_000 } = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), tmpPrefix));
  const output = [];
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ...extraEnv,
    LOG_LEVEL: process.env.E2E_SERVER_LOG_LEVEL ?? 'warn',
  };
  if (webDistFromEnv && process.env.E2E_WEB_DIST) env.WEB_DIST = path.resolve(process.env.E2E_WEB_DIST);
  // `npm run e2e` loads the demo once and hands every demo journey a copy of that DATA_DIR (E2E_DEMO_TEMPLATE): the
  // server then starts as a demo restarted minutes later would, without loading the demo again (≈ 9 s each).
  const template = process.env.E2E_DEMO_TEMPLATE;
  if (template && extraEnv.CHIDU_DEMO === '1' && !extraEnv.CHIDU_BOOTSTRAP_ADMIN && existsSync(path.join(template, 'pgdata'))) {
    // Data only: not the lock or run/ (the admin socket of the stopped template server, if one was left behind).
    const skip = new Set([path.join(template, 'chidu.lock'), path.join(template, 'run')]);
    cpSync(template, dataDir, { recursive: true, filter: (src) => !skip.has(src) });
  }
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

  // npx may exit on SIGTERM before the node process under it has closed its database: the server is stopped when
  // its whole process group is gone, not when npx is.
  const groupAlive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = () => exited && !groupAlive();
  /** SIGTERM, then SIGKILL after graceMs; resolves to how the server (npx) exited. */
  const stop = async ({ graceMs = 5000 } = {}) => {
    if (gone()) return exited;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < graceMs / 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!gone()) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && !gone(); i++) await new Promise((r) => setTimeout(r, 100));
      return { ...exited, signal: 'SIGKILL' };
    }
    return exited;
  };
  const cleanup = async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + healthzTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      await cleanup();
      fail(`server exited before it was healthy (${JSON.stringify(exited)}):\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return { base, cleanup, stop, dataDir, output };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  await cleanup();
  fail(`server did not answer ${base}/healthz within ${Math.round(healthzTimeoutMs / 1000)} s:\n${output.join('')}`);
}

/** Minimal API client (bearer token) for setup done "behind the scenes". */
export async function apiSession(base, employeeNo, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ employeeNo, password }),
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

// ───────────────────────────── browser ─────────────────────────────

export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Chromium at CHROMIUM_PATH (or /usr/bin/chromium); headed when E2E_HEADED is set. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.E2E_HEADED,
    args: BROWSER_ARGS.filter((a) => a !== '--headless' || !process.env.E2E_HEADED),
  });
}

// ───────────────────────────── per-journey helpers ─────────────────────────────

/**
 * Options (all optional):
 *   tag            log prefix, `[tag] …` (default 'e2e')
 *   shotPrefix     screenshot file prefix, e.g. 'kb-' → e2e/artifacts/kb-<name>.png (default '')
 *   stepTimeout    default wait for expectVisible/expectHidden/pickOption/login (default 20 s)
 *   password       password for login() and apiSession() (default the demo password)
 *   shotStyle      { mouseReset, scrollTop, waitToasts, settleMs, drawerAware } — how a screenshot settles first
 *   languageSettleMs  wait after switching the language (0: none)
 *   visibleCountOnMiss  expectVisible's failure names how many elements matched but were hidden
 */
export function createHarness({
  tag = 'e2e',
  shotPrefix = '',
  stepTimeout = 20_000,
  password = 'Chidu@2026',
  shotStyle = { mouseReset: true, scrollTop: true, settleMs: 350 },
  languageSettleMs = 400,
  visibleCountOnMiss = false,
} = {}) {
  const log = (msg) => process.stdout.write(`[${tag}] ${msg}\n`);
  const note = (msg) => process.stdout.write(`[${tag}]   NOTE: ${msg}\n`);

  async function shot(page, name, { fullPage = true } = {}) {
    if (shotStyle.mouseReset) await page.mouse.move(1, 1); // no hover effects or tooltips in the picture
    if (shotStyle.scrollTop) await page.evaluate(() => window.scrollTo(0, 0)); // sticky header and menu stay where they belong
    // toasts ("已发送…") fade after 3 s; wait for them so they do not cover the header in the picture
    if (shotStyle.waitToasts)
      await page
        .locator('.ant-message-notice')
        .first()
        .waitFor({ state: 'detached', timeout: 4_000 })
        .catch(() => {});
    await page.waitForTimeout(shotStyle.settleMs ?? 350); // let antd motion settle
    // an open drawer is fixed to the viewport: a full-page picture would cut it off
    const drawer = shotStyle.drawerAware ? await page.locator('.ant-drawer-open').count() : 0;
    await page.screenshot({ path: path.join(ARTIFACTS, `${shotPrefix}${name}.png`), fullPage: fullPage && drawer === 0 });
    log(`  screenshot e2e/artifacts/${shotPrefix}${name}.png`);
  }

  async function expectVisible(locator, what, timeout = stepTimeout) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout });
    } catch {
      if (!visibleCountOnMiss) fail(`expected to see ${what}`);
      const count = await locator.count().catch(() => 0);
      fail(`expected to see ${what}${count ? ` (${count} matching element(s), none visible)` : ''}`);
    }
  }

  async function expectHidden(locator, what) {
    try {
      await locator.first().waitFor({ state: 'hidden', timeout: stepTimeout });
    } catch {
      fail(`expected ${what} to disappear`);
    }
  }

  async function setLanguage(page, lang) {
    const label = lang === 'en' ? 'EN' : '中文';
    await page.locator('[data-testid=language-switch]').first().getByText(label, { exact: true }).click();
    await page.mouse.move(700, 700); // do not leave the tooltip open in screenshots
    if (languageSettleMs) await page.waitForTimeout(languageSettleMs); // saved to the account
  }

  /** Open an antd Select, optionally type to search, and click the option containing `optionText`. */
  async function pickOption(page, selectLocator, optionText, typeText) {
    // Under load a click can land while the dropdown is still animating in (or a previous one animating out) and pick
    // nothing. When the chosen label shows in the select afterwards we are done; otherwise close the dropdown and try
    // again (at most three times). Options whose label differs from what the select shows are left to the caller's check.
    for (let attempt = 1; ; attempt++) {
      await selectLocator.click();
      if (typeText) await page.keyboard.type(typeText, { delay: 20 });
      const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: optionText }).first();
      await option.waitFor({ state: 'visible', timeout: stepTimeout });
      await option.click();
      // An <input> (getByLabel) or a multiple select cannot be checked this way, and clicking again would undo a choice.
      const checkable = await selectLocator
        .evaluate((el) => el.tagName !== 'INPUT' && !el.closest('.ant-select-multiple') && !el.querySelector('.ant-select-multiple'))
        .catch(() => false);
      if (!checkable) return;
      const chosen = await selectLocator
        .filter({ hasText: optionText })
        .waitFor({ state: 'visible', timeout: 3_000 })
        .then(() => true)
        .catch(() => false);
      if (chosen || attempt >= 3) return;
      await page.keyboard.press('Escape').catch(() => {});
      await page.waitForTimeout(300);
    }
  }

  /** Fill in and submit the staff login form (does not wait for the result). */
  async function fillLogin(page, base, employeeNo, pw = password) {
    await page.goto(`${base}/login`);
    await page.getByTestId('login-employee-no').fill(employeeNo);
    await page.getByTestId('login-password').fill(pw);
    await page.getByTestId('login-submit').click();
  }

  /** Log in as a staff member and wait for their 工作台. */
  async function login(page, base, employeeNo) {
    await fillLogin(page, base, employeeNo);
    await page.waitForURL(`${base}/`, { timeout: stepTimeout });
    await expectVisible(page.getByTestId('home-greeting'), `the 工作台 of ${employeeNo}`);
  }

  /** Collect page errors and console errors of `page` into `problems` (prefixed with `who` when given). */
  function watchProblems(page, who, problems) {
    const p = who ? `${who} ` : '';
    page.on('pageerror', (err) => problems.push(`${p}page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      // the browser logs 4xx answers as resource errors (e.g. a deliberate wrong password or 403 approval_required)
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
      problems.push(`${p}console error: ${text}`);
    });
  }

  /** A new browser context (1440×900, zh-CN, Asia/Shanghai unless `contextOptions` say otherwise) and page, watched for problems. */
  async function newWatchedPage(browser, who, problems, contextOptions = {}) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...contextOptions });
    context.setDefaultTimeout(stepTimeout);
    // A page load fetches the whole app: with journeys running side by side on two cores it can take longer than a step.
    context.setDefaultNavigationTimeout(Math.max(3 * stepTimeout, 60_000));
    const page = await context.newPage();
    watchProblems(page, who, problems);
    return page;
  }

  /**
   * A step runner: step(name, fn) logs the name and runs fn; when it throws, screenshots getPage() (if any) to
   * e2e/artifacts/<failureShot> and throws JourneyError(`step "<name>" failed: …`). With logOnlyWithPage the
   * "failure screenshot" line is only written when there was a page to photograph.
   */
  function stepRunner(getPage, { failureShot = `${shotPrefix}failure.png`, logOnlyWithPage = false } = {}) {
    return async (name, fn) => {
      log(name);
      try {
        await fn();
      } catch (err) {
        const page = getPage();
        if (page || !logOnlyWithPage) {
          try {
            if (page) await page.screenshot({ path: path.join(ARTIFACTS, failureShot), fullPage: true });
            log(`  failure screenshot e2e/artifacts/${failureShot}`);
          } catch {
            /* page may be gone */
          }
        }
        throw new JourneyError(`step "${name}" failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
  }

  /**
   * Build packages/web unless --no-build was given.
   *   tempOutDirPrefix  build into a private temp dir instead of packages/web/dist (another build of dist running
   *                     meanwhile cannot pull files from under us), exported as E2E_WEB_DIST, removed on exit
   *   whenNoBuild       'env-dist': with --no-build, E2E_WEB_DIST (or packages/web/dist) must have index.html;
   *                     'dist': packages/web/dist/index.html must be there; 'none': no check
   */
  function buildWeb({ tempOutDirPrefix, whenNoBuild = 'env-dist' } = {}) {
    if (!args.has('--no-build')) {
      if (tempOutDirPrefix) {
        const out = mkdtempSync(path.join(tmpdir(), tempOutDirPrefix));
        log(`building packages/web (vite build → ${out})`);
        const res = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], { cwd: WEB_DIR, stdio: 'inherit' });
        if (res.status !== 0) fail('vite build failed');
        process.env.E2E_WEB_DIST = out;
        process.on('exit', () => rmSync(out, { recursive: true, force: true }));
      } else {
        log('building packages/web (vite build)');
        const res = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit' });
        if (res.status !== 0) fail('vite build failed');
      }
    } else if (whenNoBuild === 'env-dist') {
      const dist = process.env.E2E_WEB_DIST ? path.resolve(process.env.E2E_WEB_DIST) : path.join(WEB_DIR, 'dist');
      if (!existsSync(path.join(dist, 'index.html'))) fail(`${dist} has no index.html; run without --no-build`);
    } else if (whenNoBuild === 'dist') {
      if (!existsSync(path.join(WEB_DIR, 'dist/index.html'))) fail('packages/web/dist is missing; run without --no-build');
    }
  }

  /** Make e2e/artifacts, remove old output (a file name, or a predicate over the names there), check Chromium. */
  function prepare(clean) {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (typeof clean === 'function') {
      for (const f of readdirSync(ARTIFACTS)) if (clean(f)) rmSync(path.join(ARTIFACTS, f), { force: true });
    } else if (clean) {
      rmSync(path.join(ARTIFACTS, clean), { force: true });
    }
    if (!existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  }

  /**
   * Start the server (startServer options in `server`), stop it on SIGINT/SIGTERM too, launch Chromium and call
   * run(browser, server); always closes the browser, stops the server and calls afterCleanup().
   */
  async function serveAndRun({ startMessage = 'starting the server', server: serverOpts, run, afterCleanup }) {
    log(startMessage);
    const server = await startServer(serverOpts);
    log(`server up at ${server.base}`);
    // Ctrl-C / kill: still stop the server (it runs in its own process group)
    for (const sig of ['SIGINT', 'SIGTERM']) {
      process.once(sig, () => {
        log(`${sig}: stopping the server`);
        // exits in either case, so nothing is left to handle a rejection
        void server.cleanup().finally(() => process.exit(130));
      });
    }
    let browser;
    try {
      browser = await launchBrowser();
      await run(browser, server);
      log('journey passed ✔');
    } finally {
      if (browser) await browser.close().catch(() => {});
      await server.cleanup();
      if (afterCleanup) afterCleanup();
      log('server stopped');
    }
  }

  /** Run main(): exit 0 when it resolves, otherwise print `[tag] FAILED: …` and exit 1. */
  function runMain(main) {
    main().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`\n[${tag}] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  }

  /**
   * The usual journey: clean old screenshots (the failure shot), build the web app, start a server with the demo
   * data, run journey(browser, base), exit 0 or print why and exit 1.
   */
  function runDemoJourney({ failureShot, tmpPrefix, journey, build = {} }) {
    runMain(async () => {
      prepare(failureShot);
      buildWeb(build);
      await serveAndRun({
        startMessage: 'starting the demo server',
        server: { tmpPrefix, env: { CHIDU_DEMO: '1' }, webDistFromEnv: true, healthzTimeoutMs: 180_000 },
        run: (browser, server) => journey(browser, server.base),
      });
    });
  }

  return {
    runDemoJourney,
    log,
    note,
    fail,
    startServer,
    apiSession: (base, employeeNo) => apiSession(base, employeeNo, password),
    shot,
    expectVisible,
    expectHidden,
    setLanguage,
    pickOption,
    fillLogin,
    login,
    watchProblems,
    newWatchedPage,
    stepRunner,
    freshCode: (secret) => freshCodeWith(log, secret),
    buildWeb,
    prepare,
    serveAndRun,
    runMain,
  };
}
