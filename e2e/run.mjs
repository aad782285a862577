#!/usr/bin/env node
/**
 * Browser journey for the Chidu web shell.
 *
 *   node e2e/run.mjs              # builds packages/web, starts its own server, runs the journey
 *   node e2e/run.mjs --no-build   # reuse the existing packages/web/dist
 *   E2E_HEADED=1 node e2e/run.mjs # watch it (needs a display)
 *
 * Starts `npx tsx packages/server/src/main.ts` on a free port with a fresh temporary DATA_DIR and
 * CHIDU_BOOTSTRAP_ADMIN, then in Chromium (/usr/bin/chromium, or CHROMIUM_PATH):
 *   log in as the bootstrap admin → enrol TOTP on the profile page → save recovery codes → log out →
 *   log in with password + TOTP → switch language to English and back → create a staff member →
 *   create a customer → look at roles and audit → phone-sized layout.
 * Screenshots of each key page go to e2e/artifacts/ (gitignored). Exits non-zero with a clear message
 * on the first failure, and always stops the server.
 */
import { createHarness } from './lib/harness.mjs';

const ADMIN = { employeeNo: 'E2E001', password: 'E2e-Passw0rd!' };
const STEP_TIMEOUT = 20_000;
const OPEN_DRAWER = '.ant-drawer.ant-drawer-open .ant-drawer-section';

const {
  log,
  fail,
  shot,
  expectVisible,
  expectHidden,
  setLanguage,
  pickOption,
  fillLogin,
  watchProblems,
  stepRunner,
  freshCode,
  buildWeb,
  prepare,
  serveAndRun,
  runMain,
} = createHarness({
  stepTimeout: STEP_TIMEOUT,
  password: ADMIN.password,
  shotStyle: { settleMs: 250 },
  languageSettleMs: 0,
});

const pickSelectOption = (page, selectLocator, optionText) => pickOption(page, selectLocator, optionText);
const loginWithPassword = (page, base) => fillLogin(page, base, ADMIN.employeeNo, ADMIN.password);

// ───────────────────────────── journey ─────────────────────────────

async function journey(page, base, secretBox) {
  const step = stepRunner(() => page);

  await step('login page renders in Chinese by default', async () => {
    await page.goto(`${base}/login`);
    await expectVisible(page.getByText('登录尺度'), 'the Chinese login title 登录尺度');
    await expectVisible(page.getByText('工号', { exact: true }), 'the 工号 label');
    await shot(page, 'login');
  });

  await step('wrong password shows the generic error', async () => {
    await page.getByTestId('login-employee-no').fill(ADMIN.employeeNo);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expectVisible(page.getByText('工号或密码错误'), 'the invalid-credentials message');
  });

  await step('log in as the bootstrap admin', async () => {
    await page.getByTestId('login-password').fill(ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${base}/`, { timeout: STEP_TIMEOUT });
    await expectVisible(page.getByTestId('home-greeting'), 'the 工作台 greeting');
    await expectVisible(page.getByRole('menuitem', { name: '员工' }), 'the 员工 menu item');
    await shot(page, 'home');
  });

  await step('enrol TOTP on the profile page', async () => {
    await page.getByRole('menuitem', { name: '个人资料' }).click();
    await page.waitForURL(`${base}/profile`);
    await expectVisible(page.getByText('未启用'), 'TOTP status 未启用');
    await shot(page, 'profile-before-totp');
    await page.getByTestId('totp-enrol').click();
    await page.waitForURL(`${base}/profile/totp`);
    const secretEl = page.getByTestId('totp-secret');
    await expectVisible(secretEl, 'the TOTP secret for manual entry');
    await expectVisible(page.locator('img[alt="动态密码绑定二维码"]'), 'the QR code image');
    const secret = await secretEl.getAttribute('data-secret');
    if (!secret || !/^[A-Z2-7]+=*$/i.test(secret)) fail(`unexpected secret ${secret}`);
    secretBox.secret = secret;
    await shot(page, 'totp-setup');
    const code = await freshCode(secret);
    await page.locator('[data-testid=totp-code] input').first().click();
    await page.keyboard.type(code, { delay: 30 });
    await page.getByTestId('totp-confirm').click();
    await expectVisible(page.getByTestId('recovery-codes'), 'the recovery codes');
    const codes = (await page.getByTestId('recovery-codes').innerText()).split(/\s+/).filter(Boolean);
    if (codes.length < 5 || !codes.every((c) => /^[a-z0-9]{4}-[a-z0-9]{4}$/i.test(c))) fail(`unexpected recovery codes: ${codes.join(' ')}`);
    secretBox.recoveryCodes = codes;
    log(`  got ${codes.length} recovery codes`);
    await shot(page, 'totp-recovery-codes');
  });

  await step('confirm the recovery codes are saved', async () => {
    const done = page.getByTestId('recovery-done');
    if (await done.isEnabled()) fail('the 完成 button must stay disabled until the codes are confirmed as saved');
    await page.getByTestId('recovery-saved').check();
    await done.click();
    await page.waitForURL(`${base}/profile`);
    await expectVisible(page.getByTestId('totp-status').getByText('已启用'), 'TOTP status 已启用');
    await shot(page, 'profile');
  });

  await step('log out', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login$/);
    await expectVisible(page.getByTestId('login-employee-no'), 'the login form');
  });

  await step('log in again: password, then the TOTP step', async () => {
    await loginWithPassword(page, base);
    await expectVisible(page.getByTestId('login-otp'), 'the 动态密码 step');
    await page.getByTestId('login-otp').fill('000000');
    await page.getByTestId('login-otp-submit').click();
    await expectVisible(page.getByText('动态密码不正确'), 'the otp_invalid field error');
    await shot(page, 'login-otp');
    const code = await freshCode(secretBox.secret);
    await page.getByTestId('login-otp').fill(code);
    await page.getByTestId('login-otp-submit').click();
    await page.waitForURL(`${base}/`, { timeout: STEP_TIMEOUT });
    await expectVisible(page.getByTestId('home-greeting'), 'the 工作台 after TOTP login');
  });

  await step('switch language to English (saved to the account) and back', async () => {
    await expectVisible(page.getByRole('menuitem', { name: '员工' }), 'the Chinese menu');
    await setLanguage(page, 'en');
    await expectVisible(page.getByRole('menuitem', { name: 'Staff' }), 'the English menu item Staff');
    await expectHidden(page.getByRole('menuitem', { name: '员工' }), 'the Chinese menu item 员工');
    await expectVisible(page.getByRole('button', { name: 'Sign out' }), 'the English sign-out button');
    // the choice is stored on the user: a reload comes back in English
    await page.waitForTimeout(500);
    await page.reload();
    await expectVisible(page.getByRole('menuitem', { name: 'Staff' }), 'English after reload (from /api/v1/me)');
    await shot(page, 'home-en');
    await setLanguage(page, 'zh-CN');
    await expectVisible(page.getByRole('menuitem', { name: '员工' }), 'the Chinese menu item 员工 again');
  });

  await step('staff page in Chinese and English', async () => {
    await page.getByRole('menuitem', { name: '员工' }).click();
    await page.waitForURL(`${base}/staff`);
    const table = page.getByTestId('staff-table');
    await expectVisible(table.getByText(ADMIN.employeeNo), 'the admin in the staff table');
    await expectVisible(table.getByText('管理员'), 'the localised role name 管理员');
    await shot(page, 'staff-zh');
    await setLanguage(page, 'en');
    await expectVisible(page.getByRole('columnheader', { name: 'Employee no.' }), 'English column header');
    await expectVisible(table.getByText('Administrator'), 'the English role name');
    await shot(page, 'staff-en');
    await setLanguage(page, 'zh-CN');
    await expectVisible(page.getByRole('columnheader', { name: '工号' }), 'Chinese column header 工号');
  });

  await step('create a team', async () => {
    await page.getByRole('tab', { name: '团队' }).click();
    await page.getByTestId('team-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('团队名称').fill('客服一组');
    await pickSelectOption(page, dialog.getByLabel('主管'), ADMIN.employeeNo);
    await dialog.locator('.ant-modal-footer .ant-btn-primary').click(); // antd renders 2-char labels as 创 建
    await expectVisible(page.getByText('已创建团队 客服一组'), 'the team-created message');
    await expectVisible(page.locator('.ant-table-row', { hasText: '客服一组' }), 'the new team row');
    await shot(page, 'teams');
    await page.getByRole('tab', { name: '员工列表' }).click();
  });

  await step('create a staff member', async () => {
    await page.getByTestId('staff-create').click();
    const drawer = page.locator(OPEN_DRAWER);
    await expectVisible(drawer.getByText('新建员工'), 'the create drawer');
    await drawer.getByLabel('工号').fill('K0100');
    await drawer.getByLabel('姓名').fill('林小雨');
    await drawer.getByLabel('初始密码').fill('Welcome-2026');
    await pickSelectOption(page, drawer.getByLabel('团队'), '客服一组');
    await drawer.getByLabel('技能').click();
    await page.keyboard.type('投诉处理');
    await page.keyboard.press('Enter');
    await drawer.getByLabel('赔付额度').fill('500');
    await shot(page, 'staff-create');
    await page.getByTestId('staff-save').click();
    await expectVisible(page.getByText('已创建员工 林小雨'), 'the staff-created message');
    await expectHidden(page.locator(OPEN_DRAWER), 'the drawer');
    const row = page.locator('.ant-table-row', { hasText: 'K0100' });
    await expectVisible(row, 'the new staff row');
    for (const text of ['林小雨', '客服专员', '客服一组', '投诉处理', '¥500.00']) {
      await expectVisible(row.getByText(text, { exact: true }), `${text} in the new staff row`);
    }
    await shot(page, 'staff-created');
  });

  await step('duplicate 工号 is reported on the field', async () => {
    await page.getByTestId('staff-create').click();
    const drawer = page.locator(OPEN_DRAWER);
    await drawer.getByLabel('工号').fill('K0100');
    await drawer.getByLabel('姓名').fill('重复工号');
    await drawer.getByLabel('初始密码').fill('Welcome-2026');
    await page.getByTestId('staff-save').click();
    await expectVisible(drawer.locator('.ant-form-item-explain-error', { hasText: '已被使用' }), 'the 工号 field error 已被使用');
    await shot(page, 'staff-duplicate');
    await drawer.getByRole('button', { name: /^取\s?消$/ }).click(); // antd spaces 2-char labels
    await expectHidden(page.locator(OPEN_DRAWER), 'the drawer');
  });

  await step('create a customer (Idempotency-Key) and see the masked phone', async () => {
    await page.getByRole('menuitem', { name: '客户' }).click();
    await page.waitForURL(`${base}/customers`);
    await page.getByTestId('customer-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名').fill('张伟（1栋1201业主）');
    await dialog.getByLabel('手机号').fill('13812345678');
    await dialog.getByLabel('邮箱').fill('zhang.wei@example.com');
    await pickSelectOption(page, dialog.getByLabel('等级'), '金卡');
    await dialog.locator('.ant-modal-footer .ant-btn-primary').click(); // antd renders 2-char labels as 创 建
    await expectVisible(page.getByText('已创建客户 张伟（1栋1201业主）'), 'the customer-created message');
    await expectVisible(page.locator(OPEN_DRAWER).getByText('138****5678'), 'the masked phone in the detail drawer');
    await shot(page, 'customer-detail');
    await page.locator('.ant-drawer-close').click();
    await expectVisible(page.locator('.ant-table-row', { hasText: '138****5678' }), 'the masked phone in the list');
    await shot(page, 'customers');
  });

  await step('a second customer with the same phone is flagged as a possible duplicate', async () => {
    await page.getByTestId('customer-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名').fill('张伟（1栋1202租户）');
    await dialog.getByLabel('手机号').fill('138 1234 5678');
    await dialog.locator('.ant-modal-footer .ant-btn-primary').click();
    await expectVisible(page.getByText('发现 1 位联系方式相同的客户'), 'the duplicate-contact warning');
    await expectVisible(page.getByTestId('customer-duplicate').getByText('张伟（1栋1201业主）'), 'the earlier customer named as a possible duplicate');
    await shot(page, 'customer-duplicate');
    await page.locator('.ant-drawer-close').click();
  });

  await step('roles page', async () => {
    await page.getByRole('menuitem', { name: '角色与权限' }).click();
    await page.waitForURL(`${base}/roles`);
    await expectVisible(page.getByTestId('roles-table').getByText('服务总监'), 'the localised role 服务总监');
    await shot(page, 'roles');
  });

  await step('audit log with a before/after diff', async () => {
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.waitForURL(`${base}/audit`);
    const row = page.locator('.ant-table-row', { hasText: '新建员工' }).first();
    await expectVisible(row, 'the 新建员工 audit entry');
    await row.locator('.ant-table-row-expand-icon').click();
    await expectVisible(page.getByTestId('audit-diff').getByText('林小雨'), 'the new name in the diff');
    await shot(page, 'audit');
  });

  await step('phone-sized layout', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await expectVisible(page.getByTestId('home-greeting'), 'the 工作台 on a phone');
    await shot(page, 'home-mobile');
    await page.getByRole('button', { name: '菜单' }).click();
    await expectVisible(page.getByRole('menuitem', { name: '员工' }), 'the menu drawer');
    await shot(page, 'menu-mobile');
    await page.getByRole('menuitem', { name: '员工' }).click();
    await page.waitForURL(`${base}/staff`);
    await expectVisible(page.getByTestId('staff-table').getByText('K0100'), 'the staff table on a phone');
    await shot(page, 'staff-mobile');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  await step('log out', async () => {
    await page.goto(`${base}/`);
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login$/);
    // the session is really gone: a guarded page bounces back to login
    await page.goto(`${base}/staff`);
    await page.waitForURL(/\/login$/);
  });
}

// ───────────────────────────── main ─────────────────────────────

async function main() {
  prepare('failure.png');
  buildWeb({ whenNoBuild: 'dist' });
  await serveAndRun({
    server: { tmpPrefix: 'chidu-e2e-', env: { CHIDU_BOOTSTRAP_ADMIN: `${ADMIN.employeeNo}:${ADMIN.password}`, CHIDU_DEMO: '' } },
    run: async (browser, server) => {
      const problems = [];
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      context.setDefaultTimeout(STEP_TIMEOUT);
      const page = await context.newPage();
      watchProblems(page, '', problems);
      await journey(page, server.base, {});
      if (problems.length) fail(`the page reported errors:\n  ${problems.join('\n  ')}`);
    },
  });
}

runMain(main);
