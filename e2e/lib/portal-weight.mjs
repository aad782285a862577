/**
 * Portal first-load weight: a fresh browser context at 390×844 opens /portal and sums Chromium's network log —
 * `Network.loadingFinished.encodedDataLength` (bytes on the wire: compressed bodies plus headers) of every request
 * until the network is idle. Shared by the bench (bench/portal-weight/portal-weight.bench.ts) and the journey
 * (e2e/daily-reports.mjs), which asserts the budget.
 */
export const PORTAL_BUDGET_BYTES = 400 * 1024;

export async function measurePortal(browser, base, { path = '/portal' } = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const urls = new Map();
    const done = [];
    cdp.on('Network.responseReceived', (e) => {
      urls.set(e.requestId, { url: e.response.url, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '' });
    });
    cdp.on('Network.loadingFinished', (e) => done.push({ id: e.requestId, bytes: e.encodedDataLength }));
    await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
    await page.waitForTimeout(500);
    const requests = done.map((d) => {
      const u = urls.get(d.id) ?? { url: '?', encoding: '' };
      return { url: u.url.replace(base, ''), encoding: u.encoding, bytes: d.bytes };
    });
    requests.sort((a, b) => b.bytes - a.bytes);
    const bytes = requests.reduce((a, r) => a + r.bytes, 0);
    return { bytes, kb: Math.round((bytes / 1024) * 10) / 10, requests, page, context };
  } catch (err) {
    await context.close();
    throw err;
  }
}
