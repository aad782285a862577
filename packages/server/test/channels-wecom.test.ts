import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import type { ChannelRow } from '../src/modules/channels/channels.repo';
import { forgetWecomTokens, openWecomCallback, sealWecomSecrets, verifyWecomUrl } from '../src/modules/channels/channels.wecom';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { testApp, type TestApp } from './harness';
import { waitFor } from './standards-helpers';

/**
 * WeCom (issue #14 item 4, WeCom half) against a local fake of the platform (node:http: gettoken, kf/sync_msg,
 * kf/send_msg, media/get, media/upload, message/send; counting calls and tokens): 微信客服 callbacks (URL check with the
 * echostr decrypted, encrypted events) → sync_msg from the stored cursor → customer by external_userid → ticket /
 * customer reply, photos and voice as attachments; replies out with the right token (fetched once, refreshed once on
 * 42001), the 48-hour / 5-message window, forged signatures and pulled-again messages store nothing; survey invitations
 * by 微信客服 only with consent; staff notifications as 企业微信应用消息 (textcard) with a cached token.
 */

const CORP_ID = 'ww1234567890abcdef';
const KF_SECRET = 'kf-secret-0123456789';
const APP_SECRET = 'app-secret-9876543210';
const TOKEN = 'chiduWecom2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OPEN_KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyz';
const AGENT_ID = 1000002;

interface KfMsg {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  send_time: number;
  origin: number;
  msgtype: string;
  [k: string]: unknown;
}
interface Fake {
  url: string;
  tokenCalls: number;
  syncCalls: number;
  syncBodies: Record<string, unknown>[];
  sendCalls: number;
  sent: { token: string; body: { touser: string; open_kfid: string; msgtype: string; text?: { content: string } } }[];
  appSent: { token: string; body: { touser: string; agentid: number; msgtype: string; textcard: { title: string; url: string } } }[];
  appCalls: number;
  uploads: number;
  media: Map<string, { type: string; data: Buffer }>;
  msgs: KfMsg[];
  /** the page size the fake answers with at most (the real platform: 1000) */
  pageMax: number;
  valid: Set<string>;
  issued: number;
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const fake: Fake = {
    url: '',
    tokenCalls: 0,
    syncCalls: 0,
    syncBodies: [],
    sendCalls: 0,
    sent: [],
    appSent: [],
    appCalls: 0,
    uploads: 0,
    media: new Map(),
    msgs: [],
    pageMax: 1000,
    valid: new Set(),
    issued: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const json = (res: http.ServerResponse, v: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(v));
  };
  const expired = { errcode: 42001, errmsg: 'access_token expired' };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = u.searchParams.get('access_token') ?? '';
      const body = () => JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (u.pathname === '/cgi-bin/gettoken' && req.method === 'GET') {
        fake.tokenCalls++;
        if (u.searchParams.get('corpid') !== CORP_ID) return json(res, { errcode: 40013, errmsg: 'invalid corpid' });
        const secret = u.searchParams.get('corpsecret');
        if (secret !== KF_SECRET && secret !== APP_SECRET) return json(res, { errcode: 40001, errmsg: 'invalid credential' });
        const tk = `${secret === KF_SECRET ? 'KF' : 'APP'}-TOKEN-${++fake.issued}`;
        fake.valid.add(tk);
        return json(res, { errcode: 0, errmsg: 'ok', access_token: tk, expires_in: 7200 });
      }
      if (u.pathname === '/cgi-bin/kf/sync_msg' && req.method === 'POST') {
        fake.syncCalls++;
        if (!fake.valid.has(token) || !token.startsWith('KF')) return json(res, expired);
        const b = body();
        fake.syncBodies.push(b);
        if (b.open_kfid !== OPEN_KFID) return json(res, { errcode: 95000, errmsg: 'invalid open_kfid' });
        const from = Number(b.cursor ?? 0) || 0;
        const limit = Math.min(Number(b.limit ?? 1000), fake.pageMax);
        const page = fake.msgs.slice(from, from + limit);
        const end = from + page.length;
        return json(res, { errcode: 0, errmsg: 'ok', next_cursor: String(end), has_more: end < fake.msgs.length ? 1 : 0, msg_list: page });
      }
      if (u.pathname === '/cgi-bin/kf/send_msg' && req.method === 'POST') {
        fake.sendCalls++;
        if (!fake.valid.has(token) || !token.startsWith('KF')) return json(res, expired);
        fake.sent.push({ token, body: body() as Fake['sent'][number]['body'] });
        return json(res, { errcode: 0, errmsg: 'ok', msgid: `OUT${fake.sendCalls}` });
      }
      if (u.pathname === '/cgi-bin/message/send' && req.method === 'POST') {
        fake.appCalls++;
        if (!fake.valid.has(token) || !token.startsWith('APP')) return json(res, expired);
        fake.appSent.push({ token, body: body() as Fake['appSent'][number]['body'] });
        return json(res, { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: `APP${fake.appCalls}` });
      }
      if (u.pathname === '/cgi-bin/media/upload' && req.method === 'POST') {
        fake.uploads++;
        if (!fake.valid.has(token)) return json(res, expired);
        return json(res, { errcode: 0, errmsg: 'ok', type: 'image', media_id: `UP${fake.uploads}`, created_at: '1380000000' });
      }
      if (u.pathname === '/cgi-bin/media/get' && req.method === 'GET') {
        if (!fake.valid.has(token)) return json(res, expired);
        const m = fake.media.get(u.searchParams.get('media_id') ?? '');
        if (!m) return json(res, { errcode: 40007, errmsg: 'invalid media_id' });
        res.writeHead(200, { 'content-type': m.type });
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

let t: TestApp;
let fake: Fake;
let admin: string;
let channelId: string;
let callbackPath: string;
const api = (m: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
let seq = 5_000;
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

/** A customer message as sync_msg lists it. */
function customerMsg(external: string, msgtype: 'text' | 'image' | 'voice', value: string, msgid = `MSG${++seq}`): KfMsg {
  const part = msgtype === 'text' ? { text: { content: value } } : { [msgtype]: { media_id: value } };
  return { msgid, open_kfid: OPEN_KFID, external_userid: external, send_time: Math.floor(Date.now() / 1000), origin: 3, msgtype, ...part };
}

/** The event callback WeCom posts after new messages: encrypted XML, msg_signature over Encrypt. */
function postEvent(o: { forge?: boolean; key?: string; corpId?: string; token?: string; evToken?: string } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const inner = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${o.evToken ?? 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR'}]]></Token><OpenKfId><![CDATA[${OPEN_KFID}]]></OpenKfId></xml>`;
  const enc = wxEncrypt(o.key ?? AES_KEY, inner, o.corpId ?? CORP_ID);
  const msg_signature = o.forge ? 'e'.repeat(40) : getSignature(o.token ?? TOKEN, timestamp, nonce, enc);
  const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`;
  return t.app.inject({
    method: 'POST',
    url: `${callbackPath}?${qs({ msg_signature, timestamp, nonce })}`,
    headers: { 'content-type': 'text/xml' },
    payload: body,
  });
}

const count = async (table: string) => Number((await t.database.rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n);
const snapshot = async () => ({
  messages: await count('channel_messages'),
  tickets: await count('tickets'),
  customers: await count('customers'),
  identities: await count('customer_identities'),
  replies: await count('ticket_replies'),
  attachments: await count('attachments'),
});
const ticketOf = async (external: string) =>
  (
    await t.database.rows<{ id: string; channel: string; customer_id: string; description: string; number: string }>(
      sql`SELECT t.id, t.channel, t.customer_id, t.description, t.number FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id
          WHERE i.kind = 'wecom_external_userid' AND i.value = ${external} ORDER BY t.created_at`,
    )
  )[0];
const deliveries = async (ticketId: string) =>
  (await api('GET', `/tickets/${ticketId}/deliveries`, admin)).json().items as { status: string; lastError: string | null; kind: string }[];

let png: Buffer;
const amr = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(320, 0x3c)]);

beforeAll(async () => {
  fake = await startFake();
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 90, b: 160 } } })
    .png()
    .toBuffer();
  fake.media.set('MEDIA_IMG', { type: 'image/png', data: png });
  fake.media.set('MEDIA_VOICE', { type: 'audio/amr', data: amr });
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the test drains the channel outbox itself
  process.env.CHIDU_INBOUND_WORKER = '0'; // the test drains the inbound queue itself
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
});
beforeEach(() => forgetWecomTokens());

describe('WeCom crypto: the published sample (企业微信 加解密方案 / WXBizMsgCrypt sample)', () => {
  it('VerifyURL sample: msg_signature 5c45ff5e… over the echostr, decrypted to 1616140317555161061 for CorpID wx5823bf96d3bd56c7', () => {
    const row = {
      id: 'x',
      kind: 'wecom_kf',
      config: { corpId: 'wx5823bf96d3bd56c7' },
      secrets: sealWecomSecrets({ token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', secret: 's' }),
    } as unknown as ChannelRow;
    const q = {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    };
    expect(verifyWecomUrl(row, q)).toBe('1616140317555161061');
    expect(verifyWecomUrl(row, { ...q, nonce: '263014781' })).toBeNull();
    expect(verifyWecomUrl({ ...row, config: { corpId: 'ww0000000000000000' } }, q)).toBeNull(); // another corp
    // The DecryptMsg sample of the same page (msg_signature 477715d1…): an encrypted message body is opened too.
    const enc =
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
    const ev = openWecomCallback(
      row,
      { msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149' },
      `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
    );
    expect(ev).toEqual({ event: 'text', token: null, openKfId: null });
  });
});

describe('wecom_kf (微信客服) against a fake WeCom', () => {
  it('admin: create → 201 with the callback URL; secrets never returned; bad input names the field; 测试连接 = gettoken', async () => {
    const bad = await api('POST', '/channels', admin, {
      kind: 'wecom_kf',
      name: '微信客服',
      config: { corpId: CORP_ID, openKfId: OPEN_KFID, secret: KF_SECRET, token: TOKEN, encodingAesKey: 'short' },
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('config.encodingAesKey');
    const res = await api('POST', '/channels', admin, {
      kind: 'wecom_kf',
      name: '尺度物业微信客服',
      config: { corpId: CORP_ID, openKfId: OPEN_KFID, secret: KF_SECRET, token: TOKEN, encodingAesKey: AES_KEY, apiBase: fake.url },
    });
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    callbackPath = new URL(res.json().callbackUrl as string).pathname;
    expect(callbackPath).toBe(`/api/v1/public/channels/wecom/${channelId}`);
    const one = (await api('GET', `/channels/${channelId}`, admin)).json();
    expect(one.config).toEqual({
      corpId: CORP_ID,
      openKfId: OPEN_KFID,
      apiBase: fake.url,
      secret: { configured: true },
      token: { configured: true },
      encodingAesKey: { configured: true },
    });
    expect(one.callbackUrl).toContain(callbackPath);
    const listed = (await api('GET', '/channels', admin)).body;
    for (const s of [KF_SECRET, TOKEN, AES_KEY]) expect(listed).not.toContain(s);

    const calls = fake.tokenCalls;
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: true } });
    expect(fake.tokenCalls).toBe(calls + 1);
    expect(
      (await api('PATCH', `/channels/${channelId}`, admin, { config: { corpId: CORP_ID, openKfId: OPEN_KFID, apiBase: fake.url, secret: 'wrong' } }))
        .statusCode,
    ).toBe(200);
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: false, error: 'invalid_secret' } });
    await api('PATCH', `/channels/${channelId}`, admin, { config: { corpId: CORP_ID, openKfId: OPEN_KFID, apiBase: fake.url, secret: KF_SECRET } });
    expect((await api('POST', `/channels/${channelId}/test`, admin)).json()).toEqual({ api: { ok: true } });
    expect((await api('PATCH', `/channels/${channelId}`, admin, { config: { corpId: 'bad corp!' } })).statusCode).toBe(400);
  });

  it('URL check: the decrypted echostr with the right msg_signature; 403 otherwise', async () => {
    const timestamp = '1795880000';
    const nonce = '42';
    const echostr = wxEncrypt(AES_KEY, '8023456701234567', CORP_ID);
    const ok = await t.app.inject({
      method: 'GET',
      url: `${callbackPath}?${qs({ msg_signature: getSignature(TOKEN, timestamp, nonce, echostr), timestamp, nonce, echostr })}`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('8023456701234567');
    const forged = await t.app.inject({ method: 'GET', url: `${callbackPath}?${qs({ msg_signature: 'a'.repeat(40), timestamp, nonce, echostr })}` });
    expect(forged.statusCode).toBe(403);
  });

  it('message in → sync_msg → ticket; pulled again stores nothing; forged stores nothing and pulls nothing; reply out with the right token', async () => {
    const ext = 'wmEXT_A_0001abcdef';
    const before = await snapshot();
    fake.msgs.push(customerMsg(ext, 'text', '你好，我家卫生间漏水，麻烦尽快派人'));
    const res = await postEvent();
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('success');
    expect(fake.syncBodies.at(-1)).toMatchObject({ token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', open_kfid: OPEN_KFID });
    const mid = await snapshot();
    expect(mid).toMatchObject({ tickets: before.tickets + 1, customers: before.customers + 1, identities: before.identities + 1 });
    const ticket = await ticketOf(ext);
    expect(ticket).toMatchObject({ channel: 'wechat', description: '你好，我家卫生间漏水，麻烦尽快派人' });
    const customer = (await api('GET', `/customers/${ticket!.customer_id}`, admin)).json();
    expect(customer.tags).toContain('来自企业微信');
    const cursorRows = await t.database.rows<{ cursor: string }>(sql`SELECT sync_cursor AS cursor FROM channels WHERE id = ${channelId}`);
    expect(cursorRows[0]?.cursor).toBe(String(fake.msgs.length));

    // The platform lists the same msgid again (a cursor lost, a replayed page): nothing new.
    const replay = fake.msgs.length;
    fake.msgs.push({ ...fake.msgs[replay - 1]! });
    expect((await postEvent()).statusCode).toBe(200);
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    expect(await snapshot()).toEqual(mid);

    // Forged: a wrong msg_signature, another token, another corp, another key → 403, nothing stored, no sync call.
    fake.msgs.push(customerMsg(ext, 'text', '伪造消息不应入库'));
    const syncs = fake.syncCalls;
    for (const o of [{ forge: true }, { token: 'otherToken' }, { corpId: 'ww0000000000000000' }, { key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' }]) {
      const r = await postEvent(o);
      await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
      expect(r.statusCode).toBe(403);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(fake.syncCalls).toBe(syncs);
    expect(await snapshot()).toEqual(mid);
    fake.msgs.pop();

    // A second message continues the ticket as the customer's reply.
    fake.msgs.push(customerMsg(ext, 'text', '补充：水已经流到楼下了'));
    await postEvent();
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    expect(JSON.stringify((await api('GET', `/tickets/${ticket!.id}`, admin)).json())).toContain('补充：水已经流到楼下了');
    expect((await snapshot()).tickets).toBe(mid.tickets);

    // The agent answers: queued, sent by kf/send_msg with the current token to the external_userid and open_kfid.
    forgetWecomTokens();
    const tokens0 = fake.tokenCalls;
    expect((await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '您好，维修师傅 20 分钟内上门。', visibility: 'public' })).statusCode).toBe(201);
    expect(await drainOutbox(t.database)).toBe(1);
    const last = fake.sent.at(-1)!;
    expect(last.body).toEqual({ touser: ext, open_kfid: OPEN_KFID, msgtype: 'text', text: { content: '您好，维修师傅 20 分钟内上门。' } });
    expect(fake.valid.has(last.token)).toBe(true);
    expect(fake.tokenCalls - tokens0).toBe(1);

    // The token expires at the platform: one refresh for the next sends, not one per message.
    fake.valid.clear();
    const tokens1 = fake.tokenCalls;
    const sends1 = fake.sendCalls;
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '师傅已出发。', visibility: 'public' });
    await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '师傅已到达。', visibility: 'public' });
    expect(await drainOutbox(t.database)).toBe(2);
    expect(fake.tokenCalls - tokens1).toBe(1);
    expect(fake.sendCalls - sends1).toBe(3); // one refused with 42001, then two with the new token
    const items = await deliveries(ticket!.id);
    expect(items.every((d) => d.status === 'sent')).toBe(true);
  });

  it('the 5-message rule: after a customer message at most 5 go out; the 6th is dead with the reason; a new message opens it again; 48 h closes it', async () => {
    const ext = 'wmEXT_B_0002abcdef';
    fake.msgs.push(customerMsg(ext, 'text', '请问物业费怎么交'));
    await postEvent();
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    const ticket = (await ticketOf(ext))!;
    for (let i = 1; i <= 6; i++) await api('POST', `/tickets/${ticket.id}/replies`, admin, { body: `回复 ${i}`, visibility: 'public' });
    const sends = fake.sendCalls;
    await drainOutbox(t.database);
    expect(fake.sendCalls - sends).toBe(5);
    const items = await deliveries(ticket.id);
    expect(items.filter((d) => d.status === 'sent')).toHaveLength(5);
    const dead = items.find((d) => d.status === 'dead')!;
    expect(dead.lastError).toContain('reply_limit_reached');

    fake.msgs.push(customerMsg(ext, 'text', '好的，谢谢'));
    await postEvent();
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    await api('POST', `/tickets/${ticket.id}/replies`, admin, { body: '不客气。', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fake.sent.at(-1)!.body).toMatchObject({ touser: ext, text: { content: '不客气。' } });

    await t.database.rows(sql`UPDATE customer_identities SET last_in_at = now() - interval '3 days' WHERE value = ${ext}`);
    const s2 = fake.sendCalls;
    await api('POST', `/tickets/${ticket.id}/replies`, admin, { body: '还有其他问题吗？', visibility: 'public' });
    await drainOutbox(t.database);
    expect(fake.sendCalls).toBe(s2);
    expect((await deliveries(ticket.id)).find((d) => d.status === 'dead' && d.lastError?.includes('reply_window_closed'))).toBeTruthy();
  });

  it('photo and voice by media/get as attachments; paging by has_more with the cursor; a phone number becomes a phone identity', async () => {
    const ext = 'wmEXT_C_0003abcdef';
    const before = await snapshot();
    const start = fake.msgs.length;
    fake.msgs.push(customerMsg(ext, 'image', 'MEDIA_IMG'), customerMsg(ext, 'voice', 'MEDIA_VOICE'));
    // a system event (origin 4) and a servicer's own message (origin 5) are not tickets
    fake.msgs.push({
      msgid: `EV${++seq}`,
      open_kfid: OPEN_KFID,
      external_userid: ext,
      send_time: 1,
      origin: 4,
      msgtype: 'event',
      event: { event_type: 'enter_session' },
    });
    fake.msgs.push({ ...customerMsg(ext, 'text', '客服自己发的'), origin: 5 });
    for (let i = 0; i < 5; i++) fake.msgs.push(customerMsg(ext, 'text', i === 4 ? '我的手机 13912345678' : `第 ${i} 条`));
    fake.pageMax = 4;
    const syncs = fake.syncCalls;
    await postEvent();
    await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
    fake.pageMax = 1000;
    expect(fake.syncCalls - syncs).toBe(3); // 4 + 4 + 1 by has_more / next_cursor
    expect(fake.syncBodies.at(-1)!.cursor).toBe(String(start + 8));
    const ticket = (await ticketOf(ext))!;
    const detail = (await api('GET', `/tickets/${ticket.id}`, admin)).json();
    expect((detail.attachments as { mime: string }[]).map((a) => a.mime).sort()).toEqual(['audio/amr', 'image/png']);
    const after = await snapshot();
    expect(after.tickets).toBe(before.tickets + 1);
    expect(after.replies - before.replies).toBeGreaterThanOrEqual(5);
    const phones = await t.database.rows<{ value: string }>(
      sql`SELECT value FROM customer_identities WHERE kind = 'phone' AND customer_id = ${ticket.customer_id}`,
    );
    expect(phones.map((p) => p.value)).toEqual(['13912345678']);
  });

  it('a survey invitation after resolve goes out by 微信客服 (counted at the fake); withdrawn consent → not sent', async () => {
    const tpl = await api('POST', '/survey-templates', admin, {
      name: '微信回访',
      questions: [{ id: 'csat', kind: 'csat', label: '满意吗？', required: true }],
      rules: { triggers: ['field.visit_completed'], channel: 'wechat' },
    });
    expect(tpl.statusCode, tpl.body).toBe(201);
    const surveyFor = async (ext: string, consent?: Record<string, boolean>) => {
      fake.msgs.push(customerMsg(ext, 'text', '门禁卡坏了'));
      await postEvent();
      await drainInbound(t.database); // accepted and answered; the inbound worker pulls with sync_msg
      const tk = (await ticketOf(ext))!;
      if (consent) expect((await api('PATCH', `/customers/${tk.customer_id}`, admin, { consent })).statusCode).toBe(200);
      expect((await api('POST', `/tickets/${tk.id}/resolve`, admin, { resolution: '已重新写卡' })).statusCode).toBe(200);
      const sent = await api('POST', `/tickets/${tk.id}/surveys`, admin, { templateId: tpl.json().id });
      expect(sent.statusCode, sent.body).toBe(201);
      return tk;
    };
    const n = fake.sent.length;
    const ok = await surveyFor('wmEXT_D_0004abcdef');
    const no = await surveyFor('wmEXT_E_0005abcdef', { wechat: false });
    const no2 = await surveyFor('wmEXT_F_0006abcdef', { surveys: false });
    const states = async (id: string) =>
      ((await api('GET', `/tickets/${id}/survey`, admin)).json().invitation.deliveries as { channel: string; state: string }[]).map((d) => d.state);
    expect(await states(ok.id)).toContain('queued');
    expect(await states(no.id)).not.toContain('queued');
    expect(await states(no2.id)).not.toContain('queued');
    await drainOutbox(t.database);
    const out = fake.sent.slice(n).filter((s) => s.body.text?.content.includes('评价'));
    expect(out.map((s) => s.body.touser)).toEqual(['wmEXT_D_0004abcdef']);
    expect(out[0]!.body.text!.content).toMatch(/\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}/);
  });
});

describe('企业微信应用消息 to staff (wecom_app)', () => {
  it('a notification goes to the WeCom userid as a textcard with the ticket link; the token is cached and refreshed once', async () => {
    const created = await api('POST', '/channels', admin, {
      kind: 'wecom_app',
      name: '尺度通知应用',
      config: { corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET, apiBase: fake.url },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().callbackUrl).toBeUndefined();
    expect((await api('POST', `/channels/${created.json().id}/test`, admin)).json()).toEqual({ api: { ok: true } });
    const me = await t.as(['agent']);
    const bad = await api('PUT', '/notifications/preferences', me.token, { wecom: { enabled: true, userId: null } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('wecom.userId');
    const put = await api('PUT', '/notifications/preferences', me.token, { wecom: { enabled: true, userId: 'ZhangSan' } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().wecom).toEqual({ enabled: true, userId: 'ZhangSan' });

    const tokens0 = fake.tokenCalls;
    for (let i = 0; i < 3; i++) await api('POST', '/notifications/test', me.token);
    await waitFor(() => fake.appSent.length >= 3, 10_000);
    expect(fake.tokenCalls - tokens0).toBe(1);
    expect(fake.appSent[0]!.body).toMatchObject({
      touser: 'ZhangSan',
      agentid: AGENT_ID,
      msgtype: 'textcard',
      textcard: { title: '【尺度】测试通知 / Test notification' },
    });
    expect(fake.appSent[0]!.body.textcard.url).toMatch(/\/notifications$/);

    fake.valid.clear();
    const tokens1 = fake.tokenCalls;
    await api('POST', '/notifications/test', me.token);
    await waitFor(() => fake.appSent.length >= 4, 10_000);
    expect(fake.tokenCalls - tokens1).toBe(1);
    const items = await waitFor(async () => {
      const d = (await api('GET', '/notifications/deliveries', me.token)).json().items as { channel: string; state: string }[];
      return d.filter((x) => x.channel === 'wecom' && x.state === 'sent').length >= 4 ? d : null;
    }, 10_000);
    expect(items.every((d) => d.channel === 'wecom')).toBe(true);
  });
});
