import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { forgetDingtalkTokens, dingtalkSign } from '../src/modules/channels/channels.dingtalk';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { forgetWechatTokens, plainSignature } from '../src/modules/channels/channels.wechat';
import { forgetWecomTokens } from '../src/modules/channels/channels.wecom';
import { forgetLoopSettings } from '../src/modules/loops/settings';
import { sendDueTouches } from '../src/modules/loops/touches';
import { APP_KEY as DT_KEY, APP_SECRET as DT_SECRET, startDingtalkFake, type DingtalkFake } from './dingtalk-fake';
import { testApp, type TestApp } from './harness';
import { startWxFake, type WxFake } from './wechat-fake';

/**
 * Photos in an agent's public reply go out as images on the channel the customer used (issue #14 items 4, 5, 7), and
 * automatic care contacts go by 微信客服 — against local fakes of the platforms (wechat-fake.ts, dingtalk-fake.ts) whose
 * media/upload checks the multipart body and keeps the bytes, and whose image sends refuse a media_id never uploaded:
 * - 公众号: text, then each photo uploaded (media/upload type=image, field `media`) and sent as a customer-service
 *   `image` with that media_id and the current token; the token expired → refreshed once; outside the 48-hour window the
 *   text goes as the template and the photo is dead `reply_window_closed` (nothing uploaded);
 * - 微信客服: media/upload then kf/send_msg `image`; the photo counts toward the 5 messages of the window;
 * - 钉钉: the text by the session webhook, the photo uploaded with the old-style token (refreshed once) and sent by
 *   robot batchSend `sampleImageMsg` with photoURL = media_id;
 * - care contact by 微信客服 inside the window; consent.wechat = false → not sent, the task stays with the reason.
 */

const OA_APP = 'wx00media00000001';
const OA_SECRET = 'oa-media-secret-0123456789';
const OA_TOKEN = 'chiduMediaOa';
const CORP_ID = 'ww00media0000abcd';
const KF_SECRET = 'kf-media-secret-0123456789';
const KF_TOKEN = 'chiduMediaKf';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OPEN_KFID = 'wkMEDIA00000000000000000000001';

let t: TestApp;
let oa: WxFake;
let kf: WxFake;
let dt: DingtalkFake;
let admin: string;
const ch = { oa: '', kf: '', dt: '' };
const paths = { oa: '', kf: '', dt: '' };
const api = (m: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let seq = 70_000;
let png: Buffer;
let jpg: Buffer;

/** One file through POST /attachments (multipart field "file"); its id. */
async function upload(name: string, data: Buffer): Promise<string> {
  const boundary = `----t${++seq}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${admin}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
const reply = async (ticketId: string, body: string, attachmentIds: string[] = []) => {
  const r = await api('POST', `/tickets/${ticketId}/replies`, admin, { body, visibility: 'public', ...(attachmentIds.length ? { attachmentIds } : {}) });
  expect(r.statusCode, r.body).toBe(201);
};
const drain = async () => {
  let n = 0;
  for (let got = 1; got > 0;) n += got = await drainOutbox(t.database);
  return n;
};
/** The ticket's deliveries in the order they were queued. */
const outbox = async (ticketId: string) =>
  t.database.rows<{ id: string; status: string; last_error: string | null; kind: string; payload: { image?: { attachmentId: string }; after?: string } }>(
    sql`SELECT id, status, last_error, kind, payload FROM channel_outbox WHERE ticket_id = ${ticketId} ORDER BY id`,
  );
const ticketOfIdentity = async (value: string) =>
  (
    await t.database.rows<{ id: string; number: string; customer_id: string; channel: string }>(
      sql`SELECT t.id, t.number, t.customer_id, t.channel FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id
          WHERE i.value = ${value} ORDER BY t.created_at DESC LIMIT 1`,
    )
  )[0]!;

// ───── customers writing in, as the platforms deliver it ─────
async function oaWrites(openid: string, content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const q = new URLSearchParams({ timestamp, nonce, signature: plainSignature(OA_TOKEN, timestamp, nonce) });
  const xml = `<xml><ToUserName><![CDATA[gh_media]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${++seq}</MsgId></xml>`;
  const res = await t.app.inject({ method: 'POST', url: `${paths.oa}?${q.toString()}`, headers: { 'content-type': 'text/xml' }, payload: xml });
  expect(res.statusCode).toBe(200);
  await drainInbound(t.database);
  return ticketOfIdentity(openid);
}
async function kfWrites(external: string, content: string) {
  kf.msgs.push({
    msgid: `KFMSG${++seq}`,
    open_kfid: OPEN_KFID,
    external_userid: external,
    send_time: Math.floor(Date.now() / 1000),
    origin: 3,
    msgtype: 'text',
    text: { content },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const inner = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCmedia]]></Token><OpenKfId><![CDATA[${OPEN_KFID}]]></OpenKfId></xml>`;
  const enc = wxEncrypt(AES_KEY, inner, CORP_ID);
  const q = new URLSearchParams({ msg_signature: getSignature(KF_TOKEN, timestamp, nonce, enc), timestamp, nonce });
  const res = await t.app.inject({
    method: 'POST',
    url: `${paths.kf}?${q.toString()}`,
    headers: { 'content-type': 'text/xml' },
    payload: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
  });
  expect(res.statusCode).toBe(200);
  await drainInbound(t.database);
  return ticketOfIdentity(external);
}
async function dtWrites(staffId: string, content: string) {
  const body = {
    conversationId: `cid-media-${staffId}`,
    msgId: `dtmsg${++seq}`,
    senderNick: `钉钉${staffId}`,
    senderStaffId: staffId,
    senderCorpId: 'dingmediacorp',
    senderId: `$:LWCP_v1:$${staffId}`,
    conversationType: '1',
    sessionWebhook: `${dt.url}/robot/sendBySession?session=s-${staffId}`,
    sessionWebhookExpiredTime: Date.now() + 3600_000,
    createAt: Date.now(),
    robotCode: DT_KEY,
    msgtype: 'text',
    text: { content },
  };
  const timestamp = String(Date.now());
  const res = await t.app.inject({
    method: 'POST',
    url: paths.dt,
    headers: { 'content-type': 'application/json', timestamp, sign: dingtalkSign(timestamp, DT_SECRET) },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode).toBe(200);
  await drainInbound(t.database);
  return ticketOfIdentity(`dingmediacorp:${staffId}`);
}

beforeAll(async () => {
  oa = await startWxFake('oa', { id: OA_APP, secret: OA_SECRET });
  kf = await startWxFake('wecom', { id: CORP_ID, secret: KF_SECRET });
  dt = await startDingtalkFake();
  png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 20, g: 120, b: 200 } } })
    .png()
    .toBuffer();
  jpg = await sharp({ create: { width: 24, height: 32, channels: 3, background: { r: 220, g: 90, b: 30 } } })
    .jpeg()
    .toBuffer();
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the test drains the outbox itself
  process.env.CHIDU_INBOUND_WORKER = '0'; // … and the inbound queue
  process.env.CHIDU_LOOPS_WORKER = '0';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  const mk = async (body: unknown) => {
    const res = await api('POST', '/channels', admin, body);
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id as string, path: new URL(res.json().callbackUrl as string).pathname };
  };
  const a = await mk({
    kind: 'wechat_oa',
    name: '图片服务号',
    config: {
      appId: OA_APP,
      appSecret: OA_SECRET,
      token: OA_TOKEN,
      encodingAesKey: AES_KEY,
      apiBase: oa.url,
      templates: { ticket_update: { mode: 'template', templateId: 'TPL_MEDIA', fields: { first: '{status}', keyword1: '{number}', remark: '{text}' } } },
    },
  });
  const b = await mk({
    kind: 'wecom_kf',
    name: '图片微信客服',
    config: { corpId: CORP_ID, openKfId: OPEN_KFID, secret: KF_SECRET, token: KF_TOKEN, encodingAesKey: AES_KEY, apiBase: kf.url },
  });
  const c = await mk({
    kind: 'dingtalk_robot',
    name: '图片钉钉机器人',
    config: { appKey: DT_KEY, appSecret: DT_SECRET, robotCode: DT_KEY, mode: 'http', apiBase: dt.url },
  });
  Object.assign(ch, { oa: a.id, kf: b.id, dt: c.id });
  Object.assign(paths, { oa: a.path, kf: b.path, dt: c.path });
});
afterAll(async () => {
  await t?.close();
  await oa?.close();
  await kf?.close();
  await dt?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
  delete process.env.CHIDU_LOOPS_WORKER;
});
beforeEach(() => {
  forgetWechatTokens();
  forgetWecomTokens();
  forgetDingtalkTokens();
});

describe('photos in agent replies', () => {
  it('公众号: text first, then each photo uploaded (multipart `media`) and sent as `image` with its media_id and the current token', async () => {
    const ticket = await oaWrites('oMedia_A_000001', '门口的灯坏了');
    expect(ticket.channel).toBe('wechat');
    const [p1, p2] = [await upload('门口.png', png), await upload('灯.jpg', jpg)];
    const sent0 = oa.sent.length;
    await reply(ticket.id, '您好，请看维修示意图。', [p1, p2]);
    const rows = await outbox(ticket.id);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.payload.image?.attachmentId ?? null)).toEqual([null, p1, p2]);
    expect(rows[1]!.payload.after).toBe(rows[0]!.id); // each photo waits for the delivery before it
    expect(rows[2]!.payload.after).toBe(rows[1]!.id);

    expect(await drain()).toBe(3);
    const sent = oa.sent.slice(sent0);
    expect(sent.map((s) => s.body.msgtype)).toEqual(['text', 'image', 'image']);
    expect(sent[0]!.body).toEqual({ touser: 'oMedia_A_000001', msgtype: 'text', text: { content: '您好，请看维修示意图。' } });
    const ups = oa.uploads.slice(-2);
    expect(ups.map((u) => [u.type, u.filename])).toEqual([
      ['image/png', '门口.png'],
      ['image/jpeg', '灯.jpg'],
    ]);
    expect(ups[0]!.data.equals(png)).toBe(true); // the stored attachment's bytes
    expect(ups[1]!.data.equals(jpg)).toBe(true);
    expect(sent[1]!.body).toEqual({ touser: 'oMedia_A_000001', msgtype: 'image', image: { media_id: ups[0]!.mediaId } });
    expect(sent[2]!.body).toEqual({ touser: 'oMedia_A_000001', msgtype: 'image', image: { media_id: ups[1]!.mediaId } });
    for (const s of sent) expect(oa.valid.has(s.token)).toBe(true);
    expect(ups.every((u) => oa.valid.has(u.token))).toBe(true);
    expect((await outbox(ticket.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    const msgs = await t.database.rows<{ subject: string }>(
      sql`SELECT subject FROM channel_messages WHERE ticket_id = ${ticket.id} AND direction = 'out' ORDER BY id`,
    );
    expect(msgs.map((m) => m.subject)).toEqual(['text', 'image', 'image']);
  });

  it('公众号: the token expired → the upload gets 42001, the token is refreshed once and the upload retried once', async () => {
    const ticket = await ticketOfIdentity('oMedia_A_000001');
    await reply(ticket.id, '补充一张照片。', [await upload('补充.png', png)]);
    expect(await drainOutbox(t.database, new Date(), 1)).toBe(1); // the text (claimed first: queued first)
    oa.expire();
    const tokens = oa.tokenCalls;
    const uploads = oa.uploadCalls;
    expect(await drain()).toBe(1);
    expect(oa.tokenCalls - tokens).toBe(1);
    expect(oa.uploadCalls - uploads).toBe(2); // refused once with 42001, retried once with the new token
    const up = oa.uploads.at(-1)!;
    expect(oa.valid.has(up.token)).toBe(true);
    expect(up.data.equals(png)).toBe(true);
    expect(oa.sent.at(-1)!.body).toEqual({ touser: 'oMedia_A_000001', msgtype: 'image', image: { media_id: up.mediaId } });
    expect((await outbox(ticket.id)).every((r) => r.status === 'sent')).toBe(true);
  });

  it('公众号: a photo waits while the text before it is failed and retrying (attempt not counted), then follows it', async () => {
    const ticket = await oaWrites('oMedia_C_000003', '电梯按钮失灵');
    await reply(ticket.id, '先看这张图。', [await upload('按钮.png', png)]);
    oa.failSends = 1;
    const uploads = oa.uploadCalls;
    const sent0 = oa.sent.length;
    await drainOutbox(t.database);
    let rows = await outbox(ticket.id);
    expect(rows.map((r) => r.status)).toEqual(['failed', 'queued']);
    expect(oa.uploadCalls).toBe(uploads); // the photo did not go ahead of its text
    const [img] = await t.database.rows<{ attempts: number }>(sql`SELECT attempts FROM channel_outbox WHERE id = ${rows[1]!.id}`);
    expect(img!.attempts).toBe(0);
    // The text's retry is due after its back-off: text, then the photo.
    const later = new Date(Date.now() + 120_000);
    while ((await drainOutbox(t.database, later)) > 0);
    rows = await outbox(ticket.id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(oa.sent.slice(sent0).map((s) => s.body.msgtype)).toEqual(['text', 'image']);
  });

  it('公众号 outside the 48-hour window: the text goes as the template, the photo is not sent and is recorded dead with the reason', async () => {
    const ticket = await oaWrites('oMedia_B_000002', '楼道漏水');
    await t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '49 hours' WHERE value = 'oMedia_B_000002'`);
    const photo = await upload('漏水.png', png);
    const uploads = oa.uploadCalls;
    const sent0 = oa.sent.length;
    await reply(ticket.id, '已安排维修。', [photo]);
    await drain();
    const rows = await outbox(ticket.id);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'dead']);
    expect(rows[1]!.last_error).toMatch(/^reply_window_closed/);
    expect(oa.uploadCalls).toBe(uploads); // nothing uploaded
    expect(oa.sent.slice(sent0).map((s) => s.path)).toEqual(['/cgi-bin/message/template/send']);
    const shown = (await api('GET', `/tickets/${ticket.id}/deliveries`, admin)).json().items as { status: string; lastError: string | null }[];
    expect(shown.some((d) => d.status === 'dead' && d.lastError?.startsWith('reply_window_closed'))).toBe(true);
  });

  it('微信客服: media/upload then kf/send_msg `image` with the KF token; a photo counts toward the 5 messages of the window', async () => {
    const ext = 'wmMEDIA_A_0001abcdef';
    const ticket = await kfWrites(ext, '空调漏水');
    expect(ticket.channel).toBe('wechat');
    const photo = await upload('空调.jpg', jpg);
    const sent0 = kf.sent.length;
    await reply(ticket.id, '请按图示检查排水管。', [photo]);
    expect(await drain()).toBe(2);
    const sent = kf.sent.slice(sent0);
    const up = kf.uploads.at(-1)!;
    expect(up).toMatchObject({ type: 'image/jpeg', filename: '空调.jpg' });
    expect(up.data.equals(jpg)).toBe(true);
    expect(sent.map((s) => s.body)).toEqual([
      { touser: ext, open_kfid: OPEN_KFID, msgtype: 'text', text: { content: '请按图示检查排水管。' } },
      { touser: ext, open_kfid: OPEN_KFID, msgtype: 'image', image: { media_id: up.mediaId } },
    ]);
    expect(sent.every((s) => kf.valid.has(s.token) && s.token === up.token)).toBe(true);

    // Expired token: refreshed once for the upload, the upload retried once.
    await reply(ticket.id, '第二张图。', [await upload('第二.png', png)]);
    expect(await drainOutbox(t.database, new Date(), 1)).toBe(1); // the text
    kf.expire();
    const tokens = kf.tokenCalls;
    const uploads = kf.uploadCalls;
    await drain();
    expect(kf.tokenCalls - tokens).toBe(1);
    expect(kf.uploadCalls - uploads).toBe(2);
    expect(kf.sent.at(-1)!.body).toMatchObject({ msgtype: 'image', image: { media_id: kf.uploads.at(-1)!.mediaId } });
    expect(kf.valid.has(kf.sent.at(-1)!.token)).toBe(true);
    expect((await outbox(ticket.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);

    // 4 sent since the customer's message: the next text is the 5th, its photo would be the 6th → dead, not sent.
    const sends = kf.calls.length;
    await reply(ticket.id, '第三张图。', [await upload('第三.png', png)]);
    await drain();
    const rows = await outbox(ticket.id);
    expect(rows.slice(-2).map((r) => r.status)).toEqual(['sent', 'dead']);
    expect(rows.at(-1)!.last_error).toMatch(/^reply_limit_reached/);
    expect(kf.calls.length - sends).toBe(1);
  });

  it('钉钉: the text by the session webhook; the photo uploaded with the old-style token (refreshed once) and sent as sampleImageMsg', async () => {
    const ticket = await dtWrites('m1001', '会议室投影仪坏了');
    expect(ticket.channel).toBe('dingtalk');
    const photo = await upload('投影仪.png', png);
    const session0 = dt.session.length;
    const batch0 = dt.batch.length;
    await reply(ticket.id, '请看接线图。', [photo]);
    expect(await drain()).toBe(2);
    expect(dt.session.slice(session0)).toEqual([{ session: 's-m1001', body: { msgtype: 'text', text: { content: '请看接线图。' } } }]);
    const up = dt.uploads.at(-1)!;
    expect(up).toMatchObject({ type: 'image/png', filename: '投影仪.png', token: dt.oapiValid });
    expect(up.data.equals(png)).toBe(true);
    const b = dt.batch.slice(batch0);
    expect(b).toHaveLength(1);
    expect(b[0]!.token).toBe(dt.valid);
    expect(b[0]!.body).toEqual({ robotCode: DT_KEY, userIds: ['m1001'], msgKey: 'sampleImageMsg', msgParam: JSON.stringify({ photoURL: up.mediaId }) });

    // The old-style token expired: 40014 → refreshed once, the upload retried once.
    dt.expireOapi();
    const oapiTokens = dt.oapiTokenCalls;
    const uploads = dt.uploadCalls;
    await reply(ticket.id, '再发一张。', [await upload('背面.jpg', jpg)]);
    await drain();
    expect(dt.oapiTokenCalls - oapiTokens).toBe(1);
    expect(dt.uploadCalls - uploads).toBe(2);
    expect(dt.uploads.at(-1)!.data.equals(jpg)).toBe(true);
    expect((await outbox(ticket.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });
});

describe('care contacts by 微信客服', () => {
  const careTask = async (ticketId: string) =>
    (
      await t.database.rows<{
        id: string;
        state: string;
        auto_state: string | null;
        auto_channel: string | null;
        auto_reason: string | null;
        auto_outbox_id: string | null;
      }>(sql`SELECT id, state, auto_state, auto_channel, auto_reason, auto_outbox_id FROM care_tasks WHERE ticket_id = ${ticketId} ORDER BY seq LIMIT 1`)
    )[0];

  it('inside the window and with consent: the care text by kf/send_msg; consent.wechat = false → not sent, the task stays with the reason', async () => {
    forgetLoopSettings();
    const settings = await api('PUT', '/loops/settings', admin, {
      care: { ticketTypes: ['after_sales', 'repair', 'inquiry'], touches: [{ mode: 'message', text: '{name}您好，{number} 处理得还满意吗？' }] },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const yes = await kfWrites('wmMEDIA_CARE_0001xyz', '门锁坏了');
    const no = await kfWrites('wmMEDIA_CARE_0002xyz', '窗户关不上');
    expect((await api('PATCH', `/customers/${no.customer_id}`, admin, { consent: { wechat: false } })).statusCode).toBe(200);
    for (const tk of [yes, no]) expect((await api('POST', `/tickets/${tk.id}/resolve`, admin, { resolution: '已修好' })).statusCode).toBe(200);
    await t.database.rows(sql`UPDATE care_tasks SET due_at = now() - interval '1 minute' WHERE ticket_id IN (${yes.id}, ${no.id})`);
    const sends = kf.calls.length;
    const sent0 = kf.sent.length;
    await sendDueTouches(t.database);

    const a = await careTask(yes.id);
    expect(a).toMatchObject({ state: 'done', auto_state: 'queued', auto_channel: 'wechat' });
    const [row] = await t.database.rows<{ channel_id: string; kind: string; recipient: string }>(
      sql`SELECT channel_id, kind, recipient FROM channel_outbox WHERE id = ${a!.auto_outbox_id}`,
    );
    expect(row).toEqual({ channel_id: ch.kf, kind: 'touch', recipient: 'wmMEDIA_CARE_0001xyz' });
    const b = await careTask(no.id);
    expect(b).toMatchObject({ state: 'pending', auto_state: 'fallback', auto_reason: 'no_consent', auto_outbox_id: null });

    await drain();
    const sent = kf.sent.slice(sent0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ touser: 'wmMEDIA_CARE_0001xyz', open_kfid: OPEN_KFID, msgtype: 'text' });
    expect(String((sent[0]!.body.text as { content: string }).content)).toContain(`${yes.number} 处理得还满意吗？`);
    expect(kf.calls.length - sends).toBe(1); // nothing went to the customer without consent
    const [status] = await t.database.rows<{ status: string }>(sql`SELECT status FROM channel_outbox WHERE id = ${a!.auto_outbox_id}`);
    expect(status!.status).toBe('sent');
  });

  it('the kf window closed (no message for 48 h): not sent by 微信客服; falls back as before (here: no other channel → task with the reason)', async () => {
    const late = await kfWrites('wmMEDIA_CARE_0003xyz', '水压低');
    await t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '49 hours' WHERE value = 'wmMEDIA_CARE_0003xyz'`);
    expect((await api('POST', `/tickets/${late.id}/resolve`, admin, { resolution: '已调压' })).statusCode).toBe(200);
    await t.database.rows(sql`UPDATE care_tasks SET due_at = now() - interval '1 minute' WHERE ticket_id = ${late.id}`);
    const sends = kf.calls.length;
    await sendDueTouches(t.database);
    await drain();
    expect(await careTask(late.id)).toMatchObject({ state: 'pending', auto_state: 'fallback', auto_reason: 'unreachable' });
    expect(kf.calls.length).toBe(sends);
  });
});
