#!/usr/bin/env node
/**
 * Browser journey for automatic care contacts (issue #14 item 7, last part) in zh-CN.
 *
 *   node e2e/all.mjs loops-auto            # builds packages/web, starts its own demo server, runs the journey
 *   node e2e/all.mjs loops-auto --no-build
 *
 * The admin A0001 sets, on 满意度调查 → 闭环设置, the first after-sales care contact (day 0) to 自动发送 with its text
 * and saves (1440×900, then the panel on a 390×844 phone). Agent K0001 resolves a repair; the loops worker (every 2 s
 * here) sends the day-0 contact: one customer has no channel (a task saying why), one has e-mail (an email channel to an
 * unreachable SMTP port: 自动发送 · 邮件 · 发送失败); the 关怀日历 shows both tagged (1440×900 and 390×844).
 * Screenshots e2e/artifacts/loops-auto-*.png.
 */
import { createHarness } from './lib/harness.mjs';

process.env.CHIDU_LOOPS_POLL_MS = '2000';
const STEP_TIMEOUT = 30_000;
const { fail, shot, expectVisible, login, newWatchedPage, stepRunner, apiSession, runDemoJourney } = createHarness({
  shotPrefix: 'loops-auto-',
  stepTimeout: STEP_TIMEOUT,
});

async function journey(browser, base) {
  const problems = [];
  let current = null;
  const step = stepRunner(() => current);
  const admin = await apiSession(base, 'A0001');
  const k1 = await apiSession(base, 'K0001');
  const text = '{name}您好！{number} 维修后使用正常吗？有问题直接回复即可。';

  const a1 = await newWatchedPage(browser, 'A0001', problems);
  current = a1;
  await step('A0001 sets the first care contact (day 0) to 自动发送 with its text on 闭环设置', async () => {
    await login(a1, base, 'A0001');
    await a1.goto(`${base}/surveys?tab=settings`);
    const days = a1.locator('input[placeholder="1, 3, 6"]');
    await expectVisible(days, 'the contact days');
    await days.fill('0, 3, 6');
    const first = a1.getByTestId('touch-care-1');
    await expectVisible(first.getByText('第 1 次（第 0 天）'), 'the first contact, day 0');
    await first.getByText('自动发送').click();
    const area = first.locator('textarea');
    await expectVisible(area, 'the message text');
    await area.fill(text);
    const put = a1.waitForResponse((r) => r.url().endsWith('/api/v1/loops/settings') && r.request().method() === 'PUT', { timeout: STEP_TIMEOUT });
    await a1.getByRole('button', { name: '保存设置' }).click();
    const res = await put;
    if (res.status() !== 200) fail(`save: ${res.status()} ${await res.text()}`);
    const s = (await admin('GET', '/loops/settings')).body;
    if (s.care.touches[0]?.mode !== 'message' || s.care.touches[0]?.text !== text || s.care.contactDays[0] !== 0)
      fail(`settings not saved: ${JSON.stringify(s.care)}`);
    await first.scrollIntoViewIfNeeded();
    await shot(a1, 'settings-zh');
    await a1.setViewportSize({ width: 390, height: 844 });
    await first.scrollIntoViewIfNeeded();
    await shot(a1, 'settings-390');
    const width = await a1.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) fail(`the settings page is ${width}px wide at 390`);
  });

  let number;
  let mailed;
  /** Resolves a repair of the customer; waits until the worker handled its automatic day-0 contact. */
  async function resolveRepair(customerId) {
    const rp = await k1('POST', '/tickets', {
      customerId,
      type: 'repair',
      channel: 'phone',
      priority: 'normal',
      subject: '卫生间地漏反味',
      description: 'e2e loops-auto',
    });
    if (rp.status !== 201) fail(`create: ${rp.status} ${JSON.stringify(rp.body)}`);
    const no = rp.body.number;
    const rr = await k1('POST', `/tickets/${rp.body.id}/resolve`, { resolution: '更换防臭地漏芯' });
    if (rr.status !== 200) fail(`resolve: ${rr.status}`);
    const deadline = Date.now() + STEP_TIMEOUT;
    for (;;) {
      const items = (await k1('GET', '/care-tasks?kind=care&state=all')).body.items.filter((x) => x.ticketNumber === no);
      const first = items.find((x) => x.seq === 1);
      if (first?.mode !== 'message') fail(`the first contact is not automatic: ${JSON.stringify(first)}`);
      if (first.auto) return { number: no, auto: first.auto };
      if (Date.now() > deadline) fail('the loops worker did not handle the due contact');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await step('K0001 resolves two repairs (API): one customer with no reachable channel, one with e-mail (an email channel exists)', async () => {
    const ch = await admin('POST', '/channels', {
      kind: 'email',
      name: '客服邮箱',
      config: { address: 'service@e2e.example', smtp: { host: '127.0.0.1', port: 2, secure: false } },
    });
    if (ch.status !== 201) fail(`email channel: ${ch.status} ${JSON.stringify(ch.body)}`);
    const plain = await k1('POST', '/customers', { name: '无联系方式业主' });
    const withMail = await k1('POST', '/customers', { name: '邮件业主', email: 'owner.care@e2e.example' });
    if (plain.status !== 201 || withMail.status !== 201) fail(`customers: ${plain.status} ${withMail.status}`);
    const a = await resolveRepair(plain.body.id);
    if (a.auto.state !== 'fallback' || a.auto.reason !== 'unreachable') fail(`expected a fallback: ${JSON.stringify(a.auto)}`);
    number = a.number;
    const b = await resolveRepair(withMail.body.id);
    if (b.auto.state !== 'queued' || b.auto.channel !== 'email') fail(`expected an e-mail: ${JSON.stringify(b.auto)}`);
    mailed = b.number;
  });

  const k = await newWatchedPage(browser, 'K0001', problems);
  current = k;
  await step('关怀日历 shows the automatic contact tagged (1440×900 and 390×844)', async () => {
    await login(k, base, 'K0001');
    await k.goto(`${base}/care`);
    const item = k.locator('.ant-list-item').filter({ hasText: number });
    await expectVisible(item.getByTestId('auto-touch-tag').getByText('自动发送未成功，转人工：客户没有可用的联系渠道'), 'the fallback tag');
    const sent = k.locator('.ant-list-item').filter({ hasText: mailed });
    await expectVisible(sent.getByTestId('auto-touch-tag').getByText(/^自动发送 · 邮件 · /), 'the 自动发送 · 邮件 tag');
    await shot(k, 'calendar-zh');
    await k.setViewportSize({ width: 390, height: 844 });
    await item.first().scrollIntoViewIfNeeded();
    await shot(k, 'calendar-390');
    const width = await k.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) fail(`the calendar is ${width}px wide at 390`);
  });

  if (problems.length) fail(`browser problems:\n  ${problems.join('\n  ')}`);
}

runDemoJourney({ failureShot: 'loops-auto-failure.png', tmpPrefix: 'chidu-e2e-loops-auto-', journey });
