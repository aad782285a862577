import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt as wxEncrypt, getSignature } from '@wecom/crypto';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingtalkSign } from '../src/modules/channels/channels.dingtalk';
import { drainInbound, MAX_ATTEMPTS } from '../src/modules/channels/channels.inbound';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { APP_KEY, APP_SECRET, startDingtalkFake, type DingtalkFake } from './dingtalk-fake';
import { testApp, type TestApp } from './harness';

/**
 * Accept then ingest (issue #14 item 1) for DingTalk robot callbacks and 微信客服 events, and the dead inbound view:
 * the callback only verifies and records (once per msgId / event token) and is answered at once; the inbound worker
 * (drained here) makes the ticket, replies through the sealed session webhook still work, two 微信客服 events that arrive
 * together make one sync_msg pull and one ticket; a message that fails every attempt is listed as dead (sender
 * masked), 重试 ingests it, 丢弃 keeps it discarded (audited); channel administrators only.
 */
const CORP_ID = 'ww00inbound2kf0001';
const WC_TOKEN = 'chiduInbound2';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OPEN_KFID = 'wkInbound2Account0001';

let t: TestApp;
let admin: string;
let agent: string;
let dt: DingtalkFake;
let dtChannel: string;
let dtPath: string;
let wcChannel: string;
let wcPath: string;
let wecom: http.Server;
const wc = { syncCalls: 0, syncTokens: [] as (string | null)[], msgs: [] as Record<string, unknown>[] };
let seq = 0;

async function startWecomFake(): Promise<string> {
  wecom = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const json = (v: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      if (u.pathname === '/cgi-bin/gettoken') return json({ errcode: 0, errmsg: 'ok', access_token: 'KF-TOKEN', expires_in: 7200 });
      if (u.pathname === '/cgi-bin/kf/sync_msg') {
        wc.syncCalls++;
        const b = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { cursor?: string; token?: string };
        wc.syncTokens.push(b.token ?? null);
        const from = Number(b.cursor ?? 0) || 0;
        return json({ errcode: 0, errmsg: 'ok', next_cursor: String(wc.msgs.length), has_more: 0, msg_list: wc.msgs.slice(from) });
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => wecom.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(wecom.address() as AddressInfo).port}`;
}

const api = (m: 'GET' | 'POST', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

function robotMessage(staffId: string, o: { text?: string; msgId?: string; extra?: Record<string, unknown> } = {}) {
  return {
    conversationId: `cid-${staffId}`,
    msgId: o.msgId ?? `in2msg${++seq}${Date.now()}`,
    senderNick: `钉钉${staffId}`,
    senderStaffId: staffId,
    senderCorpId: 'dingpartnercorp',
    conversationType: '1',
    senderId: `$:LWCP_v1:$${staffId}xyz`,
    sessionWebhook: `${dt.url}/robot/sendBySession?session=s-${staffId}`,
    sessionWebhookExpiredTime: Date.now() + 3600_000,
    robotCode: APP_KEY,
    msgtype: 'text',
    text: { content: o.text ?? '空调不制冷' },
    ...o.extra,
  };
}
async function postDingtalk(body: unknown) {
  const timestamp = String(Date.now());
  const res = await t.app.inject({
    method: 'POST',
    url: dtPath,
    headers: { 'content-type': 'application/json', timestamp, sign: dingtalkSign(timestamp, APP_SECRET) },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode, res.body).toBe(200);
}
async function postKfEvent(evToken: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const inner = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${evToken}]]></Token><OpenKfId><![CDATA[${OPEN_KFID}]]></OpenKfId></xml>`;
  const enc = wxEncrypt(AES_KEY, inner, CORP_ID);
  const q = new URLSearchParams({ msg_signature: getSignature(WC_TOKEN, timestamp, nonce, enc), timestamp, nonce });
  const res = await t.app.inject({
    method: 'POST',
    url: `${wcPath}?${q.toString()}`,
    headers: { 'content-type': 'text/xml' },
    payload: `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`,
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.body).toBe('success');
}

const ticketsOf = (kind: string, value: string) =>
  t.database.rows<{ id: string; subject: string }>(
    sql`SELECT t.id, t.subject FROM tickets t JOIN customer_identities i ON i.customer_id = t.customer_id WHERE i.kind = ${kind} AND i.value = ${value} ORDER BY t.id`,
  );
const dtTickets = (staffId: string) => ticketsOf('dingtalk_staff_id', `dingpartnercorp:${staffId}`);
const queuedOf = (channelId: string) =>
  t.database.rows<{ id: string; status: string; attempts: number; payload: Record<string, unknown> }>(
    sql`SELECT id, status, attempts, payload FROM channel_inbound WHERE channel_id = ${channelId} ORDER BY id`,
  );

beforeAll(async () => {
  dt = await startDingtalkFake();
  const wcUrl = await startWecomFake();
  process.env.CHIDU_CHANNELS_WORKER = '0';
  process.env.CHIDU_INBOUND_WORKER = '0'; // the test drains the inbound queue itself
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const d = await api('POST', '/channels', admin, {
    kind: 'dingtalk_robot',
    name: '钉钉接入队列',
    config: { appKey: APP_KEY, appSecret: APP_SECRET, robotCode: APP_KEY, mode: 'http', apiBase: dt.url },
  });
  expect(d.statusCode, d.body).toBe(201);
  dtChannel = d.json().id;
  dtPath = `/api/v1/public/channels/dingtalk/${dtChannel}`;
  const w = await api('POST', '/channels', admin, {
    kind: 'wecom_kf',
    name: '微信客服接入队列',
    config: { corpId: CORP_ID, openKfId: OPEN_KFID, secret: 'kf-secret-inbound2', token: WC_TOKEN, encodingAesKey: AES_KEY, apiBase: wcUrl },
  });
  expect(w.statusCode, w.body).toBe(201);
  wcChannel = w.json().id;
  wcPath = `/api/v1/public/channels/wecom/${wcChannel}`;
});
afterAll(async () => {
  await t?.close();
  await dt?.close();
  await new Promise<void>((r) => wecom?.close(() => r()));
  delete process.env.CHIDU_CHANNELS_WORKER;
  delete process.env.CHIDU_INBOUND_WORKER;
});

describe('DingTalk: accept then ingest', () => {
  it('accepted → nothing yet → drained → one ticket; a redelivery stays one; the reply goes out by the session webhook', async () => {
    const msg = robotMessage('in2u01', { text: '5 号楼漏水' });
    await postDingtalk(msg);
    expect(await dtTickets('in2u01')).toEqual([]);
    const [row] = await queuedOf(dtChannel);
    expect(row).toMatchObject({ status: 'queued', attempts: 0 });
    expect(JSON.stringify(row!.payload)).not.toContain('sendBySession'); // the session webhook is sealed in the queue
    await postDingtalk(msg); // DingTalk retried before the worker got to it
    expect((await queuedOf(dtChannel)).length).toBe(1);
    expect(await drainInbound(t.database)).toBe(1);
    expect((await dtTickets('in2u01')).map((x) => x.subject)).toEqual(['5 号楼漏水']);
    await postDingtalk(msg); // and after it was ingested
    expect(await drainInbound(t.database)).toBe(0);
    expect((await dtTickets('in2u01')).length).toBe(1);

    const [ticket] = await dtTickets('in2u01');
    const n = dt.session.length;
    expect((await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '维修工马上到', visibility: 'public' })).statusCode).toBe(201);
    expect(await drainOutbox(t.database)).toBe(1);
    expect(dt.session.slice(n)).toEqual([{ session: 's-in2u01', body: { msgtype: 'text', text: { content: '维修工马上到' } } }]);
  });

  it('one sender in order: three messages accepted together become one ticket and two replies', async () => {
    for (const text of ['第一条', '第二条', '第三条']) await postDingtalk(robotMessage('in2u02', { text }));
    await Promise.all([drainInbound(t.database), drainInbound(t.database)]);
    const tickets = await dtTickets('in2u02');
    expect(tickets.map((x) => x.subject)).toEqual(['第一条']);
    const replies = await t.database.rows<{ body: string }>(sql`SELECT body FROM ticket_replies WHERE ticket_id = ${tickets[0]!.id} ORDER BY created_at, id`);
    expect(replies.map((r) => r.body)).toEqual(['第二条', '第三条']);
  });
});

describe('微信客服: the event is accepted, the worker pulls', () => {
  it('two events arriving together → one sync_msg pull with the event token → one ticket; pulled again → nothing new', async () => {
    wc.msgs.push({
      msgid: 'IN2MSG1',
      open_kfid: OPEN_KFID,
      external_userid: 'wmIn2User01',
      send_time: Math.floor(Date.now() / 1000),
      origin: 3,
      msgtype: 'text',
      text: { content: '门锁坏了' },
    });
    await postKfEvent('EVTOKEN-1');
    await postKfEvent('EVTOKEN-2');
    await postKfEvent('EVTOKEN-2'); // WeCom retried the callback: recorded once
    expect(wc.syncCalls).toBe(0); // answered before any pull
    expect((await queuedOf(wcChannel)).length).toBe(2);
    await drainInbound(t.database);
    expect(wc.syncCalls).toBe(1); // the second event was covered by the first pull
    expect(wc.syncTokens).toEqual(['EVTOKEN-1']);
    expect(await queuedOf(wcChannel)).toEqual([]);
    expect((await ticketsOf('wecom_external_userid', 'wmIn2User01')).length).toBe(1);
    const [cur] = await t.database.rows<{ c: string }>(sql`SELECT sync_cursor AS c FROM channels WHERE id = ${wcChannel}`);
    expect(cur!.c).toBe('1');

    wc.msgs.push({
      msgid: 'IN2MSG2',
      open_kfid: OPEN_KFID,
      external_userid: 'wmIn2User01',
      send_time: Math.floor(Date.now() / 1000),
      origin: 3,
      msgtype: 'text',
      text: { content: '还有门铃' },
    });
    await postKfEvent('EVTOKEN-3');
    await drainInbound(t.database);
    expect(wc.syncCalls).toBe(2);
    const tickets = await ticketsOf('wecom_external_userid', 'wmIn2User01');
    expect(tickets.length).toBe(1); // the second message is a reply on the open ticket
    const replies = await t.database.rows<{ body: string }>(sql`SELECT body FROM ticket_replies WHERE ticket_id = ${tickets[0]!.id}`);
    expect(replies.map((r) => r.body)).toEqual(['还有门铃']);
  });
});

describe('dead inbound messages: listed, retried, discarded', () => {
  const deadPicture = async (staffId: string, code: string) => {
    await postDingtalk(robotMessage(staffId, { extra: { msgtype: 'picture', content: { downloadCode: code } } }));
    // The last attempt is next: the download fails (unknown code at the fake) and the message goes dead.
    await t.database.rows(sql`UPDATE channel_inbound SET attempts = ${MAX_ATTEMPTS - 1} WHERE channel_id = ${dtChannel} AND status = 'queued'`);
    await drainInbound(t.database);
    const rows = (await queuedOf(dtChannel)).filter((r) => r.status === 'dead');
    expect(rows.length).toBe(1);
    return rows[0]!.id;
  };

  it(`after ${MAX_ATTEMPTS} failed attempts: listed as dead (sender masked, error, attempts); 重试 → ingested`, async () => {
    const id = await deadPicture('in2deadstaff01', 'DL-LATER');
    expect(await dtTickets('in2deadstaff01')).toEqual([]);
    const list = await api('GET', `/channels/${dtChannel}/inbound?status=dead`, admin);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toEqual([
      {
        id,
        channelId: dtChannel,
        sender: 'in2d***ff01',
        status: 'dead',
        attempts: MAX_ATTEMPTS,
        lastError: expect.stringContaining('DingtalkApiError'),
        receivedAt: expect.any(String),
        deadAt: expect.any(String),
      },
    ]);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } })
      .png()
      .toBuffer();
    dt.files.set('DL-LATER', png);
    const retried = await api('POST', `/channels/${dtChannel}/inbound/${id}/retry`, admin);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'queued', attempts: 0, deadAt: null });
    expect(await drainInbound(t.database)).toBe(1);
    expect((await dtTickets('in2deadstaff01')).length).toBe(1);
    expect((await api('GET', `/channels/${dtChannel}/inbound`, admin)).json().items).toEqual([]);
    const [audit] = await t.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'channel.inbound.retry' AND target_id = ${id}`,
    );
    expect(Number(audit!.n)).toBe(1);
  });

  it('丢弃: kept as discarded (audited with the reason), never ingested, a redelivery not queued again; not dead → 409', async () => {
    const msg = robotMessage('in2deadstaff02', { extra: { msgtype: 'picture', content: { downloadCode: 'DL-NEVER' } } });
    await postDingtalk(msg);
    await t.database.rows(sql`UPDATE channel_inbound SET attempts = ${MAX_ATTEMPTS - 1} WHERE channel_id = ${dtChannel} AND status = 'queued'`);
    await drainInbound(t.database);
    const [dead] = (await queuedOf(dtChannel)).filter((r) => r.status === 'dead');
    const res = await api('POST', `/channels/${dtChannel}/inbound/${dead!.id}/discard`, admin, { reason: '测试消息' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'discarded' });
    expect((await api('GET', `/channels/${dtChannel}/inbound`, admin)).json().items).toEqual([]);
    expect((await api('GET', `/channels/${dtChannel}/inbound?status=discarded`, admin)).json().items.map((x: { id: string }) => x.id)).toContain(dead!.id);
    const [audit] = await t.database.rows<{ changes: Record<string, { after: unknown }> }>(
      sql`SELECT changes FROM audit_log WHERE action = 'channel.inbound.discard' AND target_id = ${dead!.id}`,
    );
    expect(audit!.changes.reason!.after).toBe('测试消息');
    await postDingtalk(msg); // redelivered
    expect(await drainInbound(t.database)).toBe(0);
    expect(await dtTickets('in2deadstaff02')).toEqual([]);
    const again = await api('POST', `/channels/${dtChannel}/inbound/${dead!.id}/retry`, admin);
    expect(again.statusCode).toBe(409);
    expect(again.json().reason).toBe('inbound_not_dead');
  });

  it('permissions and bad input: an agent gets 403; bad ids and status are 400 naming the field; unknown → 404', async () => {
    const id = '0190f0a0-0000-7000-8000-0000000000ff';
    expect((await api('GET', `/channels/${dtChannel}/inbound`, agent)).statusCode).toBe(403);
    expect((await api('POST', `/channels/${dtChannel}/inbound/${id}/retry`, agent)).statusCode).toBe(403);
    expect((await api('POST', `/channels/${dtChannel}/inbound/${id}/discard`, agent, {})).statusCode).toBe(403);
    const bad = await api('GET', `/channels/${dtChannel}/inbound?status=bogus`, admin);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('status');
    const badId = await api('POST', `/channels/${dtChannel}/inbound/not-a-uuid/retry`, admin);
    expect(badId.statusCode).toBe(400);
    expect(JSON.stringify(badId.json())).toContain('messageId');
    expect((await api('POST', `/channels/${dtChannel}/inbound/${id}/retry`, admin)).statusCode).toBe(404);
    expect((await api('GET', `/channels/${id}/inbound`, admin)).statusCode).toBe(404);
  });
});
