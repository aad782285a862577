import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { forgetWechatTokens, msgSignature, openEncrypted, parseWechatXml, plainSignature } from '../src/modules/channels/channels.wechat';
import { testApp, type TestApp } from './harness';

/**
 * WeChat Official Account channel (issue #14 item 4) against a local fake of the platform (node:http: /cgi-bin/token,
 * /cgi-bin/message/custom/send, /cgi-bin/media/get, counting calls): URL check, messages in (plain and AES safe mode)
 * → customer by openid → ticket / customer reply, photos and voice as attachments; replies out with the right token,
 * the token fetched once for many messages and refreshed once when the platform says it expired; forged signatures
 * and redeliveries store nothing; consent and the 48-hour window. Crypto against the published sample vectors.
 */

// ───── the fake platform ─────
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'app-secret-0123456789';
const TOKEN = 'chiduToken2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

interface Fake {
  url: string;
  tokenCalls: number;
  sendCalls: number;
  sent: { token: string; body: { touser: string; msgtype: string; text?: { content: string } } }[];
  mediaCalls: number;
  media: Map<string, { type: string; data: Buffer }>;
  /** The token the platform accepts now (null: every token is expired). */
  valid: string | null;
  issued: number;
  expire(): void;
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const fake: Fake = {
    url: '',
    tokenCalls: 0,
    sendCalls: 0,
    sent: [],
    mediaCalls: 0,
    media: new Map(),
    valid: null,
    issued: 0,
    expire() {
      fake.valid = null;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const json = (res: http.ServerResponse, v: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(v));
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = u.searchParams.get('access_token');
      if (u.pathname === '/cgi-bin/token' && req.method === 'GET') {
        fake.tokenCalls++;
        if (u.searchParams.get('grant_type') !== 'client_credential' || u.searchParams.get('appid') !== APP_ID)
          return json(res, { errcode: 40013, errmsg: 'invalid appid' });
        if (u.searchParams.get('secret') !== APP_SECRET) return json(res, { errcode: 40125, errmsg: 'invalid appsecret' });
        fake.valid = `TOKEN-${++fake.issued}`;
        return json(res, { access_token: fake.valid, expires_in: 7200 });
      }
      if (u.pathname === '/cgi-bin/message/custom/send' && req.method === 'POST') {
        fake.sendCalls++;
        if (!token || token !== fake.valid) return json(res, { errcode: 42001, errmsg: 'access_token expired' });
        fake.sent.push({ token, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Fake['sent'][number]['body'] });
        return json(res, { errcode: 0, errmsg: 'ok' });
      }
      if (u.pathname === '/cgi-bin/media/get' && req.method === 'GET') {
        fake.mediaCalls++;
        if (!token || token !== fake.valid) return json(res, { errcode: 42001, errmsg: 'access_token expired' });
        const m = fake.media.get(u.searchParams.get('media_id') ?? '');
        if (!m) return json(res, { errcode: 40007, errmsg: 'invalid media_id' });
        res.writeHead(200, { 'content-type': m.type, 'content-disposition': 'attachment; filename="x"' });
        return res.end(m.data);
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

// ───── callbacks as WeChat sends them ─────
let t: TestApp;
let fake: Fake;
let admin: string;
let channelId: string;
let callbackPath: string;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let seq = 1_000;

const textXml = (openid: string, content: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
const mediaXml = (openid: string, type: 'image' | 'voice', mediaId: string, msgId: string) =>
  `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${
    type === 'image' ? `<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl>` : `<Format><![CDATA[amr]]></Format>`
  }<MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${msgId}</MsgId></xml>`;

function signedQuery(extra: Record<string, string> = {}, token = TOKEN) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  return { timestamp, nonce, signature: plainSignature(token, timestamp, nonce), ...extra };
}
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

function postPlain(xml: string, q: Record<string, string> = signedQuery()) {
  return t.app.inject({ method: 'POST', url: `${callbackPath}?${qs(q)}`, headers: { 'content-type': 'text/xml' }, payload: xml });
}
function postSafe(xml: string, o: { forgeMsgSignature?: boolean; key?: string; appId?: string } = {}) {
  const q = signedQuery({ encrypt_type: 'aes' });
  const enc = wxEncrypt(o.key ?? AES_KEY, xml, o.appId ?? APP_ID);
  const msg_signature = o.forgeMsgSignature ? '0'.repeat(40) : getSignature(TOKEN, q.timestamp, q.nonce, enc);
  const body = `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
  return t.app.inject({ method: 'POST', url: `${callbackPath}?${qs({ ...q, msg_signature })}`, headers: { 'content-type': 'text/xml' }, payload: body });
}

const count = async (table: string) => Number((await t.database.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n);
const snapshot = async () => ({
  messages: await count('channel_messages'),
  tickets: await count('tickets'),
  customers: await count('customers'),
  identities: await count('customer_identities'),
  replies: await count('ticket_replies'),
  attachments: await count('attachments'),
  queued: await count('channel_inbound'),
});

let png: Buffer;
const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(320, 0x3c)]);

beforeAll(async () => {
  fake = await startFake();
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 160, b: 90 } } })
    .png()
    .toBuffer();
  fake.media.set('MEDIA_IMG', { type: 'image/png', data: png });
  fake.media.set('MEDIA_VOICE', { type: 'audio/amr', data: amr });
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the test drains the outbox itself
  process.env.CHIDU_INBOUND_WORKER = '0'; // … and the inbound queue (accept then ingest: drainInbound)
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
});
beforeEach(() => forgetWechatTokens());

describe('WeChat crypto: the published sample vectors', () => {
  it('the Official Account sample (公众平台 消息加解密 sample code): AES of "我是中文abcd123" with random "aaaabbbbccccdddd"', () => {
    // encodingAesKey, appId, random and the expected ciphertext of the WeChat Official Account encryption sample
    // (WXBizMsgCryptTest of the official demo code; docs/channels.md names the source).
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const appId = 'wxb11529c136998cb6';
    const expected = 'jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==';
    expect(wxEncrypt(key, '我是中文abcd123', appId, Buffer.from('aaaabbbbccccdddd'))).toBe(expected);
    expect(openEncrypted(key, appId, expected)).toBe('我是中文abcd123');
    expect(openEncrypted(key, 'wx0000000000000000', expected)).toBeNull(); // another account's message
  });

  it('the WeCom sample (加解密方案说明): msg_signature 477715d1… and the decrypted message', () => {
    const token = 'QDG6eK';
    const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
    const receiver = 'wx5823bf96d3bd56c7';
    const enc =
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
    expect(msgSignature(token, '1409659813', '1372623149', enc)).toBe('477715d11cdb4164915debcba66cb864d751f3e6');
    const xml = openEncrypted(key, receiver, enc);
    const m = parseWechatXml(xml!);
    expect(m).toMatchObject({ fromUser: 'mycreate', msgType: 'text', content: 'hello', msgId: '4561255354251345929', createTime: 1409659813 });
  });

  it('plain signature: sha1 of the sorted token, timestamp, nonce', () => {
    const expected = createHash('sha1').update(['1409735669', '1320562132', 'spamtest'].sort().join('')).digest('hex');
    expect(plainSignature('spamtest', '1409735669', '1320562132')).toBe(expected);
    expect(parseWechatXml('<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>&a;</MsgType></xml>')).toBeNull();
  });
});

describe('wechat_oa channel against a fake platform', () => {
  it('admin: create → 201 {id, kind, callbackUrl}; secrets never returned; bad input names the field; test connection', async () => {
    const bad = await api('POST', '/channels', admin, {
      kind: 'wechat_oa',
      name: '服务号',
      config: { appId: APP_ID, appSecret: 'x', token: TOKEN, encodingAesKey: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('config.encodingAesKey');

    const res = await api('POST', '/channels', admin, {
      kind: 'wechat_oa',
      name: '尺度物业服务号',
      config: { appId: APP_ID, appSecret: APP_SECRET, token: TOKEN, encodingAesKey: AES_KEY, apiBase: fake.url },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ kind: 'wechat_oa' });
    expect(new URL(body.callbackUrl).pathname).toBe(`/api/v1/public/channels/wechat/${body.id}`);
    channelId = body.id;
    callbackPath = new URL(body.callbackUrl).pathname;

    const one = await api('GET', `/channels/${channelId}`, admin);
    expect(one.json().config).toEqual({
      appId: APP_ID,
      apiBase: fake.url,
      appSecret: { configured: true },
      token: { configured: true },
      encodingAesKey: { configured: true },
    });
    const listed = (await api('GET', '/channels', admin)).body;
    for (const s of [APP_SECRET, TOKEN, AES_KEY]) expect(listed).not.toContain(s);
    const stored = await t.database.rows<{ secrets: string }>(sql`SELECT secrets FROM channels WHERE id = ${channelId}`);
    expect(stored[0]!.secrets.startsWith('v1:')).toBe(true);
    expect(stored[0]!.secrets).not.toContain(APP_SECRET);

    const calls = fake.tokenCalls;
    const ok = await api('POST', `/channels/${channelId}/test`, admin);
    expect(ok.json()).toEqual({ api: { ok: true } });
    expect(fake.tokenCalls).toBe(calls + 1);

    // A PATCH without secrets keeps them; a wrong secret makes the test say so.
    const patched = await api('PATCH', `/channels/${channelId}`, admin, { config: { appId: APP_ID, apiBase: fake.url, appSecret: 'wrong-secret' } });
    expect(patched.statusCode).toBe(200);
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: false, error: 'invalid_secret' } });
    const wrongPatch = await api('PATCH', `/channels/${channelId}`, admin, { config: { appId: APP_ID, token: 'no spaces allowed' } });
    expect(wrongPatch.statusCode).toBe(400);
    await api('PATCH', `/channels/${channelId}`, admin, { config: { appId: APP_ID, apiBase: fake.url, appSecret: APP_SECRET } });
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: true } });
    expect((await api('GET', `/channels/${channelId}`, admin)).json().config.token).toEqual({ configured: true });
  });

  it('URL verification: echostr back with the right signature, 403 otherwise', async () => {
    const q = signedQuery({ echostr: '5837397520465516' });
    const ok = await t.app.inject({ method: 'GET', url: `${callbackPath}?${qs(q)}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('5837397520465516');
    const forged = await t.app.inject({ method: 'GET', url: `${callbackPath}?${qs({ ...q, signature: 'a'.repeat(40) })}` });
    expect(forged.statusCode).toBe(403);
    const other = await t.app.inject({ method: 'GET', url: `/api/v1/public/channels/wechat/0190f0a0-0000-7000-8000-000000000000?${qs(q)}` });
    expect(other.statusCode).toBe(403);
  });

  it('message in → ticket (channel wechat) → redelivery stores nothing → reply out with the right token; forged stores nothing', async () => {
    const openid = 'oUser_A_0001xyz';
    const before = await snapshot();
    const first = await postPlain(textXml(openid, '你好，我家厨房水管漏水，请尽快派人维修', '7000000000000000001'));
    expect(first.statusCode).toBe(200);
    expect(first.body).toBe('success');
    // Accepted, not yet ingested: one queued message, no ticket until the inbound worker drains it.
    expect(await snapshot()).toMatchObject({ tickets: before.tickets, queued: before.queued + 1 });
    expect(await drainInbound(t.database)).toBe(1);
    const mid = await snapshot();
    expect(mid.tickets).toBe(before.tickets + 1);
    expect(mid.customers).toBe(before.customers + 1);
    expect(mid.identities).toBe(before.identities + 1);
    const [ticket] = await t.database.rows<{ id: string; channel: string; type: string; customer_id: string; description: string }>(
      sql`SELECT t.id, t.channel, t.type, t.customer_id, t.description FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid}`,
    );
    expect(ticket).toMatchObject({ channel: 'wechat', type: 'inquiry', description: '你好，我家厨房水管漏水，请尽快派人维修' });

    // The platform redelivers the same MsgId (it got no answer in 5 s): 200, nothing new.
    const again = await postPlain(textXml(openid, '你好，我家厨房水管漏水，请尽快派人维修', '7000000000000000001'));
    expect(again.statusCode).toBe(200);
    expect(await snapshot()).toEqual(mid);
    expect(await drainInbound(t.database)).toBe(0);

    // Forged: a wrong signature, a wrong token, no signature → 403 and nothing stored.
    for (const q of [signedQuery({}, 'otherToken'), { ...signedQuery(), signature: 'f'.repeat(40) }, { timestamp: '1', nonce: '2' }]) {
      const res = await postPlain(textXml(openid, '伪造消息', String(++seq)), q);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await snapshot()).toEqual(mid);

    // A second message continues the same ticket as the customer's reply.
    await postPlain(textXml(openid, '补充：水已经漫到客厅了', '7000000000000000002'));
    await drainInbound(t.database);
    const detail = (await api('GET', `/tickets/${ticket!.id}`, admin)).json();
    expect(JSON.stringify(detail)).toContain('补充：水已经漫到客厅了');
    expect((await snapshot()).tickets).toBe(mid.tickets);

    // The agent answers on the ticket: queued, sent with the platform's current token to the openid.
    forgetWechatTokens();
    const tokensBefore = fake.tokenCalls;
    const r = await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '您好，维修师傅 30 分钟内上门。', visibility: 'public' });
    expect(r.statusCode).toBe(201);
    expect(await drainOutbox(t.database)).toBe(1);
    const last = fake.sent[fake.sent.length - 1]!;
    expect(last.body).toEqual({ touser: openid, msgtype: 'text', text: { content: '您好，维修师傅 30 分钟内上门。' } });
    expect(last.token).toBe(fake.valid);
    expect(fake.tokenCalls).toBe(tokensBefore + 1);
    const deliveries = (await api('GET', `/tickets/${ticket!.id}/deliveries`, admin)).json();
    expect(deliveries.items[0]).toMatchObject({ status: 'sent', kind: 'reply' });
    expect(deliveries.items[0].recipient).not.toBe(openid); // masked

    // Five replies → one token request (cached), five sends.
    forgetWechatTokens();
    const tokens0 = fake.tokenCalls;
    const sends0 = fake.sendCalls;
    for (let i = 1; i <= 5; i++) await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: `进度通知 ${i}`, visibility: 'public' });
    expect(await drainOutbox(t.database)).toBe(5);
    expect(fake.tokenCalls - tokens0).toBe(1);
    expect(fake.sendCalls - sends0).toBe(5);
    expect(fake.sent.slice(-5).map((s) => s.body.text?.content)).toEqual(['进度通知 1', '进度通知 2', '进度通知 3', '进度通知 4', '进度通知 5']);

    // The platform expires the token: the next send gets 42001, the token is refreshed once, the send retried once.
    fake.expire();
    const tokens1 = fake.tokenCalls;
    const sends1 = fake.sendCalls;
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '师傅已出发。', visibility: 'public' });
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '师傅已到达。', visibility: 'public' });
    expect(await drainOutbox(t.database)).toBe(2);
    expect(fake.tokenCalls - tokens1).toBe(1);
    expect(fake.sendCalls - sends1).toBe(3); // one refused with 42001, then two with the new token
    expect(fake.sent.slice(-2).map((s) => s.token)).toEqual([fake.valid, fake.valid]);
    const all = (await api('GET', `/tickets/${ticket!.id}/deliveries`, admin)).json().items as { status: string }[];
    expect(all.every((d) => d.status === 'sent')).toBe(true);
  });

  it('safe mode (AES): photo and voice downloaded with media/get and stored as attachments; a forged msg_signature stores nothing', async () => {
    const openid = 'oUser_B_0002xyz';
    const before = await snapshot();
    const res = await postSafe(mediaXml(openid, 'image', 'MEDIA_IMG', '7000000000000000101'));
    expect(res.statusCode).toBe(200);
    await drainInbound(t.database);
    const [ticket] = await t.database.rows<{ id: string; channel: string }>(
      sql`SELECT t.id, t.channel FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid}`,
    );
    expect(ticket?.channel).toBe('wechat');
    await postSafe(mediaXml(openid, 'voice', 'MEDIA_VOICE', '7000000000000000102'));
    await drainInbound(t.database);
    const detail = (await api('GET', `/tickets/${ticket!.id}`, admin)).json();
    const atts = detail.attachments as { mime: string; size: number; filename: string }[];
    expect(atts.map((a) => a.mime).sort()).toEqual(['audio/amr', 'image/png']);
    expect(atts.find((a) => a.mime === 'image/png')!.size).toBe(png.length);
    const after = await snapshot();
    expect(after.attachments).toBe(before.attachments + 2);

    // Forged msg_signature, a message encrypted for another account, or with another key: 403, nothing stored.
    expect((await postSafe(textXml(openid, '伪造', '7000000000000000103'), { forgeMsgSignature: true })).statusCode).toBe(403);
    expect((await postSafe(textXml(openid, '伪造', '7000000000000000104'), { appId: 'wx0000000000000000' })).statusCode).toBe(403);
    expect((await postSafe(textXml(openid, '伪造', '7000000000000000105'), { key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' })).statusCode).toBe(403);
    expect(await snapshot()).toEqual(after);

    // Redelivery in safe mode: nothing new.
    expect((await postSafe(mediaXml(openid, 'image', 'MEDIA_IMG', '7000000000000000101'))).statusCode).toBe(200);
    expect(await snapshot()).toEqual(after);
    expect(await drainInbound(t.database)).toBe(0);
  });

  it('subscribe event: the follower becomes a customer once (FromUserName + CreateTime), no ticket', async () => {
    const openid = 'oUser_C_0003xyz';
    const xml = `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>1795780000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
    const before = await snapshot();
    expect((await postPlain(xml)).statusCode).toBe(200);
    await drainInbound(t.database);
    expect((await postPlain(xml)).statusCode).toBe(200);
    await drainInbound(t.database);
    const after = await snapshot();
    expect(after).toMatchObject({ tickets: before.tickets, customers: before.customers + 1, identities: before.identities + 1, messages: before.messages + 1 });
  });

  it('consent.wechat = false → never queued nor sent; outside the 48-hour window → dead with the reason the agent sees', async () => {
    const openid = 'oUser_D_0004xyz';
    await postPlain(textXml(openid, '请问物业费怎么交？', '7000000000000000201'));
    await drainInbound(t.database);
    const [row] = await t.database.rows<{ id: string; customer_id: string }>(
      sql`SELECT t.id, t.customer_id FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.value = ${openid}`,
    );
    const noConsent = await api('PATCH', `/customers/${row!.customer_id}`, admin, { consent: { wechat: false } });
    expect(noConsent.statusCode).toBe(200);
    const sends = fake.sendCalls;
    await api('POST', `/tickets/${row!.id}/replies`, admin, { body: '您好，可在小程序缴纳。', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fake.sendCalls).toBe(sends);
    expect((await api('GET', `/tickets/${row!.id}/deliveries`, admin)).json().items).toEqual([]);

    // Consent back, but the user's last message was three days ago: the delivery fails at once with the reason.
    await api('PATCH', `/customers/${row!.customer_id}`, admin, { consent: { wechat: true } });
    await t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '3 days' WHERE value = ${openid}`);
    await api('POST', `/tickets/${row!.id}/replies`, admin, { body: '您好，可在小程序缴纳。', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fake.sendCalls).toBe(sends);
    const [d] = (await api('GET', `/tickets/${row!.id}/deliveries`, admin)).json().items as { status: string; lastError: string }[];
    expect(d).toMatchObject({ status: 'dead' });
    expect(d!.lastError).toContain('reply_window_closed');

    // The user writes again: the window opens, the next reply goes out.
    await postPlain(textXml(openid, '好的，谢谢', '7000000000000000202'));
    await drainInbound(t.database);
    await api('POST', `/tickets/${row!.id}/replies`, admin, { body: '不客气。', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fake.sent[fake.sent.length - 1]!.body).toMatchObject({ touser: openid, text: { content: '不客气。' } });
  });
});
