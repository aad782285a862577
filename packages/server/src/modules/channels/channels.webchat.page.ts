/**
 * Serving the web chat widget page: the `frame-ancestors` of /widget/<channel id> (its allowed sites and our own
 * origin), and the demo host page (/widget-demo, demo mode only): a page of the demo company's website with the
 * `<script>` snippet of the first enabled webchat channel (made on first use in demo mode).
 */
import type { FastifyRequest } from 'fastify';
import type { Database } from '../../db/client';
import { uuidv7 } from '../../lib/ids';
import { DEMO_ORG } from '../../demo/accounts';
import { channelsRepo } from './channels.repo';
import { webchatRepo } from './channels.webchat.repo';
import { webchatChannel, webchatSnippet, type WebchatConfig } from './channels.webchat';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `'self' https://a https://b` for an enabled webchat channel; null for anything else (the page answers 404). */
export async function widgetFrameAncestors(database: Database, id: string): Promise<string | null> {
  if (!UUID.test(id)) return null;
  const channel = await webchatChannel(database, id);
  if (!channel) return null;
  const origins = (channel.config as WebchatConfig).allowedOrigins.filter((o) => /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(o));
  return ["'self'", ...origins].join(' ');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo company's home page with the widget snippet (demo mode). */
export async function widgetDemoPage(database: Database, req: FastifyRequest): Promise<string> {
  const origin = process.env.CHIDU_PUBLIC_URL || `${req.protocol}://${req.host}`;
  let channel = (await channelsRepo.listChannels(database.db, 'webchat')).find((c) => c.enabled);
  if (!channel) {
    const id = uuidv7();
    // The demo's first service-desk team answers the website chat.
    const teamId = await webchatRepo.teamIdByName(database.db, '客服中心一组');
    await database.transaction(async (tx) => {
      await channelsRepo.insertChannel(tx, {
        id,
        kind: 'webchat',
        name: '申城物业官网在线客服',
        address: null,
        teamId,
        config: { allowedOrigins: [new URL(origin).origin], greeting: '您好，欢迎咨询申城物业！请问有什么可以帮您？' } satisfies WebchatConfig,
        secrets: null,
        unknownSender: 'customer',
        enabled: true,
      });
      await channelsRepo.log(tx, { id: uuidv7(), channelId: id, level: 'info', event: 'channels.log.created', detail: {} });
    });
    channel = (await webchatChannel(database, id))!;
  }
  const org = esc(DEMO_ORG.replace(/（演示）$/, ''));
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${org} · 翠湖苑 锦绣园</title>
<style>
body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2937;background:#f6f7f9}
header{background:#14532d;color:#fff;padding:14px 20px;display:flex;align-items:center;gap:12px}
header b{font-size:18px} nav{margin-left:auto;display:flex;gap:16px;font-size:14px;opacity:.9}
.hero{background:linear-gradient(120deg,#166534,#15803d);color:#fff;padding:40px 20px}
.hero h1{margin:0 0 8px;font-size:26px} .hero p{margin:0;opacity:.9}
main{max-width:960px;margin:0 auto;padding:20px;display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:16px}
.card{background:#fff;border-radius:10px;padding:16px;box-shadow:0 1px 3px rgba(0,0,0,.08)} .card h3{margin:0 0 6px;font-size:16px}
footer{text-align:center;color:#6b7280;font-size:12px;padding:24px}
@media (max-width:600px){nav{display:none}}
</style>
</head>
<body>
<header><b>${org}</b><nav><span>首页</span><span>物业服务</span><span>缴费指南</span><span>联系我们</span></nav></header>
<section class="hero"><h1>用心服务每一位业主</h1><p>翠湖苑 · 锦绣园 · 申城商业街 24 小时物业服务热线 400-820-0000</p></section>
<main>
<div class="card"><h3>报修服务</h3><p>水电、门窗、公共设施报修，工程师 2 小时内响应。</p></div>
<div class="card"><h3>物业缴费</h3><p>APP、公众号在线缴费，全年一次性缴纳享 95 折。</p></div>
<div class="card"><h3>访客与停车</h3><p>访客登记、临时停车、月卡办理，前台 30 秒内完成登记。</p></div>
<div class="card"><h3>在线客服</h3><p>点击右下角“在线客服”，工作时间内客服实时为您解答。</p></div>
</main>
<footer>© ${org}</footer>
${webchatSnippet(origin, channel.id)}
</body>
</html>`;
}
