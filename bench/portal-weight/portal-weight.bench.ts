/**
 * `npm run bench -- portal-weight`: the customer portal's first load at 390×844 (compressed transfer from Chromium's
 * network log) against a server started here on the built web app (packages/web/dist; `npm run build` first).
 * Writes bench/results/portal-weight.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// @ts-expect-error plain ESM helpers of the journeys (no types)
import { launchBrowser, startServer, ROOT } from '../../e2e/lib/harness.mjs';
// @ts-expect-error plain ESM (no types)
import { measurePortal, PORTAL_BUDGET_BYTES } from '../../e2e/lib/portal-weight.mjs';

interface Measured {
  bytes: number;
  kb: number;
  requests: { url: string; encoding: string; bytes: number }[];
  context: { close(): Promise<void> };
}

const server = (await startServer({ tmpPrefix: 'chidu-bench-portal-', env: { CHIDU_DEMO: '' }, healthzTimeoutMs: 180_000 })) as {
  base: string;
  cleanup: () => Promise<void>;
};
const browser = (await launchBrowser()) as { close(): Promise<void> };
try {
  const runs: number[] = [];
  let last: Measured | null = null;
  for (let i = 0; i < 3; i++) {
    last = (await measurePortal(browser, server.base)) as Measured;
    runs.push(last.bytes);
    await last.context.close();
  }
  const m = last!;
  console.log(`portal first load at 390×844: ${m.kb} KB transferred in ${m.requests.length} requests (budget ${PORTAL_BUDGET_BYTES / 1024} KB)`);
  for (const r of m.requests) console.log(`  ${(r.bytes / 1024).toFixed(1).padStart(7)} KB  ${r.encoding.padEnd(4)}  ${r.url}`);
  const dir = path.join(ROOT as string, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'portal-weight.json'), JSON.stringify({ at: new Date().toISOString(), runs, bytes: m.bytes, requests: m.requests }, null, 2));
  if (m.bytes > (PORTAL_BUDGET_BYTES as number)) process.exitCode = 1;
} finally {
  await browser.close();
  await server.cleanup();
}
