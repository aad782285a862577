#!/usr/bin/env node
/**
 * Browser journey for issue #18 items 4, 5 and 10: each role lands on its work, approvers see what they approve, and
 * the Chinese UI shows names and labels instead of ids and codes.
 *
 *   node e2e/all.mjs daily-roles              # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/daily-roles.mjs --no-build       # reuse the existing packages/web/dist
 *
 *   S0001 (supervisor)  工作台 counts 我的团队 (non-zero, server-counted); 工单 opens on 我的团队 sorted by deadline
 *                       (the order equals the API's sort=due answer). Keeps 审批 open: K0001 (agent) asks for a ¥500
 *                       compensation through the API and the request appears without reload, with its SP number;
 *                       the dialog shows kind, reason, ticket, customer history, requester name and both limits.
 *   D0001 (director)    lands on 超时与预警 (breached and at-risk tickets of every team).
 *   K0001 (agent)       lands on 我的工单; counters are their own.
 *   Q0001 (QA)          团队看板 shows no raw id; lands on 最近解决.
 *   A0001 (admin)       角色与权限 shows no kb.view-style code; 审计日志 names objects; /tickets/not-a-uuid is 未找到该工单.
 * Screenshots: e2e/artifacts/roles-*.png (1440×900 and 390×844).
 */
import { createHarness } from './lib/harness.mjs';

const STEP_TIMEOUT = 45_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const PHONE = { width: 390, height: 844 };

const { log, fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  tag: 'roles',
  shotPrefix: 'roles-',
  stepTimeout: STEP_TIMEOUT,
  shotStyle: { mouseReset: true, scrollTop: true, settleMs: 500, drawerAware: true },
  languageSettleMs: 500,
});

const activeTab = (page) => page.locator('.chidu-queue-tabs .ant-tabs-tab-active').getAttribute('data-node-key');

async function noRawIds(page, what, root = 'body') {
  const text = await page.locator(root).first().innerText();
  const m = text.match(UUID);
  if (m) fail(`${what} shows a raw id: ${m[0]}`);
}

async function journey(browser, base) {
  const problems = [];
  const newPage = (who, viewport = { width: 1440, height: 900 }) => newWatchedPage(browser, who, problems, { viewport });
  let current = null;
  const step = stepRunner(() => current);

  const sup = await apiSession(base, 'S0001');
  const agent = await apiSession(base, 'K0001');

  // ─── S0001: supervisor ───
  const s = await newPage('S0001');
  current = s;
  await step('S0001 lands on a 工作台 counting the team (non-zero, from the server)', async () => {
    await login(s, base, 'S0001');
    await expectVisible(s.getByTestId('home-count-open-value'), 'the open counter');
    const scope = await s.getByTestId('home-responsibility').getAttribute('data-scope');
    if (scope !== 'team') fail(`the supervisor's counters should be the team's, got scope "${scope}"`);
    const counts = (await sup('GET', '/tickets/counts')).body;
    const shown = Number(await s.getByTestId('home-count-open-value').innerText());
    if (!(shown > 0)) fail(`the team's open counter shows ${shown}`);
    if (shown !== counts.open) fail(`the counter shows ${shown}, the server counts ${counts.open}`);
    await expectVisible(s.getByTestId('home-responsibility-scope').getByText('客服中心一组'), 'the team name on the counters');
    log(`S0001 team counters: open ${counts.open}, due soon ${counts.dueSoon}, breached ${counts.breached}, awaiting ${counts.awaitingCustomer}`);
    await shot(s, 'supervisor-home');
  });

  await step('S0001 opens 工单 on 我的团队, nearest deadline first', async () => {
    await s.getByRole('menuitem', { name: '工单' }).first().click();
    await s.waitForURL(/\/tickets/);
    await expectVisible(s.getByTestId('ticket-row').first(), 'the team queue');
    const tab = await activeTab(s);
    if (tab !== 'team') fail(`the supervisor lands on "${tab}", not 我的团队`);
    await expectVisible(s.getByTestId('queue-sorted-by-due'), 'the deadline order note');
    const api = (await sup('GET', '/tickets?teamId=mine&status=open&sort=due&limit=10')).body.items.map((i) => i.number);
    const shown = (await s.getByTestId('ticket-row').locator('.chidu-ticket-no').allInnerTexts()).slice(0, api.length).map((x) => x.trim());
    if (shown.join(',') !== api.join(',')) fail(`queue order ${shown.join(',')} ≠ deadline order ${api.join(',')}`);
    await shot(s, 'supervisor-tickets');
    // a counter opens the matching list
    await s.goto(`${base}/`);
    await s.getByTestId('home-count-breached').click();
    await s.waitForURL(/risk=breached/);
    await expectVisible(s.getByTestId('filter-risk'), 'the breached filter tag');
    await shot(s, 'supervisor-breached');
  });

  await step('S0001 sees a new approval request without reload, with every detail', async () => {
    await s.goto(`${base}/approvals`);
    await expectVisible(s.getByTestId('approvals-table'), 'the approvals list');
    await s.waitForTimeout(1500); // the socket is up
    const mine = (await agent('GET', '/tickets?ownerId=me&status=open&limit=5')).body.items;
    if (!mine.length) fail('K0001 has no open ticket to compensate');
    const tk = mine[0];
    const res = await agent('POST', `/tickets/${tk.id}/compensations`, { kind: 'refund', amountFen: 50_000, reason: '维修延误造成损失，退还部分服务费' });
    if (res.status !== 403 || res.body.code !== 'approval_required') fail(`compensation: ${res.status} ${JSON.stringify(res.body)}`);
    const row = s.getByTestId('approvals-table').locator('tr', { hasText: tk.number });
    await expectVisible(row.first(), 'the new request (no reload)');
    const rowText = await row.first().innerText();
    for (const want of ['李晓婷', '退款', '¥500.00', '维修延误造成损失']) if (!rowText.includes(want)) fail(`the row lacks ${want}: ${rowText}`);
    if (!/SP\d{8}-\d{4}/.test(rowText)) fail(`the row has no approval number: ${rowText}`);
    if (UUID.test(rowText)) fail(`the row shows a raw id: ${rowText}`);
    await shot(s, 'supervisor-approvals');
    await row.first().getByTestId('approval-approve').click();
    const details = s.getByTestId('approval-details');
    await expectVisible(details, 'the approval details');
    const text = await details.innerText();
    for (const want of ['维修延误造成损失', tk.number, tk.subject, '李晓婷', '申请人额度 ¥200.00', '我的审批额度 ¥2,000.00', '近 12 个月'])
      if (!text.includes(want)) fail(`the dialog lacks "${want}": ${text}`);
    if (UUID.test(text)) fail('the dialog shows a raw id');
    await shot(s, 'supervisor-approval-dialog', { fullPage: false });
    await s.getByTestId('approval-decide').click();
    await expectVisible(s.getByText('已批准').first(), 'the approval done');
    const sp = await newPage('S0001-phone', PHONE);
    current = sp;
    await login(sp, base, 'S0001');
    await shot(sp, 'supervisor-home-phone');
    await sp.goto(`${base}/tickets`);
    await expectVisible(sp.getByTestId('queue-view-team'), 'the team tab on a phone');
    await shot(sp, 'supervisor-tickets-phone');
    await sp.goto(`${base}/approvals`);
    await expectVisible(sp.getByTestId('approvals-table'), 'approvals on a phone');
    await shot(sp, 'supervisor-approvals-phone');
    await sp.context().close();
    current = s;
  });

  await s.context().close();

  // ─── D0001: director ───
  const d = await newPage('D0001');
  current = d;
  await step('D0001 lands on 超时与预警 of every team', async () => {
    await login(d, base, 'D0001');
    await expectVisible(d.getByTestId('home-count-open-value'), 'the open counter');
    const scope = await d.getByTestId('home-responsibility').getAttribute('data-scope');
    if (scope !== 'all') fail(`the director's counters should cover all teams, got "${scope}"`);
    await shot(d, 'director-home');
    await d.goto(`${base}/tickets`);
    await d.locator('.chidu-queue-tabs').waitFor();
    await d.waitForTimeout(800);
    const tab = await activeTab(d);
    if (tab !== 'attention') fail(`the director lands on "${tab}", not 超时与预警`);
    await shot(d, 'director-tickets');
    // a chosen tab is remembered
    await d.getByTestId('queue-view-all').click();
    await d.goto(`${base}/tickets`);
    await d.waitForTimeout(800);
    if ((await activeTab(d)) !== 'all') fail('the chosen tab is not remembered');
  });

  await d.context().close();

  // ─── K0001: agent ───
  const k = await newPage('K0001');
  current = k;
  await step('K0001 lands on 我的工单 with their own counters', async () => {
    await login(k, base, 'K0001');
    await expectVisible(k.getByTestId('home-count-open-value'), 'the open counter');
    const scope = await k.getByTestId('home-responsibility').getAttribute('data-scope');
    if (scope !== 'mine') fail(`the agent's counters should be their own, got "${scope}"`);
    await shot(k, 'agent-home');
    await k.goto(`${base}/tickets`);
    await k.locator('.chidu-queue-tabs').waitFor();
    if ((await activeTab(k)) !== 'mine') fail('the agent does not land on 我的工单');
    await shot(k, 'agent-tickets');
  });

  await k.context().close();

  // ─── Q0001: QA ───
  const q = await newPage('Q0001');
  current = q;
  await step('Q0001 sees names on 团队看板 and lands on 最近解决', async () => {
    await login(q, base, 'Q0001');
    await shot(q, 'qa-home');
    await q.goto(`${base}/dashboards/team`);
    await q.waitForTimeout(2500);
    await noRawIds(q, '团队看板');
    await shot(q, 'qa-team-board');
    await q.goto(`${base}/tickets`);
    await q.locator('.chidu-queue-tabs').waitFor();
    if ((await activeTab(q)) !== 'resolved') fail('QA does not land on 最近解决');
    await shot(q, 'qa-tickets');
  });

  await q.context().close();

  // ─── A0001: admin ───
  const a = await newPage('A0001');
  current = a;
  await step('A0001: 角色与权限 without codes, 审计日志 with names, /tickets/not-a-uuid not found', async () => {
    await login(a, base, 'A0001');
    await a.goto(`${base}/roles`);
    await expectVisible(a.getByText('客服专员').first(), 'the roles table');
    const roles = await a.locator('main').first().innerText();
    const code = roles.match(/\b(kb|measures|tickets|surveys|loops|staff|customers)\.[a-z_]+/);
    if (code) fail(`角色与权限 shows the code ${code[0]}`);
    await shot(a, 'admin-roles');
    await a.goto(`${base}/audit`);
    await expectVisible(a.getByTestId('audit-target-label').first(), 'the audit targets');
    const labels = await a.getByTestId('audit-target-label').allInnerTexts();
    const raw = labels.find((l) => UUID.test(l));
    if (raw) fail(`审计日志 names an object by its id: ${raw}`);
    await shot(a, 'admin-audit');
    await a.goto(`${base}/tickets/not-a-uuid`);
    await expectVisible(a.getByText('未找到该工单'), 'the not-found page');
    const body = await a.locator('main').first().innerText();
    if (body.includes('请检查标出的字段')) fail('the not-found page shows a field error');
    await shot(a, 'admin-ticket-not-found');
    await a.goto(`${base}/`);
    await expectVisible(a.getByTestId('home-greeting'), 'the admin 工作台');
    await shot(a, 'admin-home');
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'roles-failure.png', tmpPrefix: 'chidu-e2e-roles-', journey, build: { tempOutDirPrefix: 'chidu-e2e-roles-web-' } });
