import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { drainInbound } from '../src/modules/channels/channels.inbound';
import { plainSignature } from '../src/modules/channels/channels.wechat';
import { testApp, type TestApp } from './harness';

/**
 * One customer across channels (issue #14 item 8): a merge moves the WeChat identities so the next message lands on
 * the surviving customer; the customer 360 lists the identities (masked unless revealed) and offers to merge customers
 * sharing a phone or e-mail — on the record or written in a WeChat message; consent.wechat withdrawn after a reply was
 * queued still stops it. Messages come in through the real callback route (signed as WeChat signs them); nothing here
 * calls the platform's API except the one refused send.
 */

const APP_ID = 'wx1234567890abcdef';
const TOKEN = 'chiduToken2026';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let t: TestApp;
let admin: string;
let tech: string;
let callbackPath: string;
let seq = 5_000;
let msgSeq = 8_000_000_000_000_000_000n;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);

/** Posts the callback, then drains the inbound queue (accept then ingest) so the ticket / reply exists. */
async function sendText(openid: string, content: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(++seq);
  const q = new URLSearchParams({ timestamp, nonce, signature: plainSignature(TOKEN, timestamp, nonce) }).toString();
  const xml = `<xml><ToUserName><![CDATA[gh_chidu]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${++msgSeq}</MsgId></xml>`;
  const res = await t.app.inject({ method: 'POST', url: `${callbackPath}?${q}`, headers: { 'content-type': 'text/xml' }, payload: xml });
  await drainInbound(t.database);
  return res;
}

const customerOf = async (openid: string) =>
  (await t.database.rows<{ customer_id: string }>(sql`SELECT customer_id FROM customer_identities WHERE kind = 'wechat_openid' AND value = ${openid}`))[0]
    ?.customer_id;
const ticketsOf = (customerId: string) =>
  t.database.rows<{ id: string; number: string; channel: string }>(sql`SELECT id, number, channel FROM tickets WHERE customer_id = ${customerId} ORDER BY id`);

async function newCustomer(name: string, phone?: string) {
  const res = await api('POST', '/customers', admin, { name, ...(phone ? { phone } : {}) });
  expect(res.statusCode).toBe(201);
  return res.json().id as string;
}

beforeAll(async () => {
  process.env.CHIDU_CHANNELS_WORKER = '0';
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1' });
  admin = (await t.as(['admin'])).token;
  tech = (await t.as(['technician'])).token;
  const res = await api('POST', '/channels', admin, {
    kind: 'wechat_oa',
    name: '尺度物业服务号',
    // nothing listens there: these tests never need the platform's API
    config: { appId: APP_ID, appSecret: 'app-secret-0123456789', token: TOKEN, encodingAesKey: AES_KEY, apiBase: 'http://127.0.0.1:9' },
  });
  expect(res.statusCode).toBe(201);
  callbackPath = new URL(res.json().callbackUrl as string).pathname;
});
afterAll(async () => {
  await t?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
});

describe('one customer across channels', () => {
  it('merge moves the openid: the next WeChat message lands on a ticket of the surviving (phone) customer', async () => {
    const openid = 'oMerge_0001abcdef';
    expect((await sendText(openid, '电梯不动了')).statusCode).toBe(200);
    const wx = (await customerOf(openid))!;
    const [ticket] = await ticketsOf(wx);
    expect(ticket?.channel).toBe('wechat');
    const phoneCustomer = await newCustomer('王芳', '13900139001');

    const merged = await api('POST', `/customers/${wx}/merge`, admin, { intoId: phoneCustomer });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({ mergedIntoId: phoneCustomer, ticketsMoved: 1 });
    expect(await customerOf(openid)).toBe(phoneCustomer);
    const msgs = await t.database.rows<{ customer_id: string }>(sql`SELECT DISTINCT customer_id FROM channel_messages WHERE sender = ${openid}`);
    expect(msgs).toEqual([{ customer_id: phoneCustomer }]);

    const before = Number((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM tickets`))[0]!.n);
    expect((await sendText(openid, '还是不动，有人被困')).statusCode).toBe(200);
    // no new ticket, no new customer: the message is the phone customer's reply on the (moved) ticket
    expect(Number((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM tickets`))[0]!.n)).toBe(before);
    const [last] = await t.database.rows<{ ticket_id: string; customer_id: string }>(
      sql`SELECT ticket_id, customer_id FROM channel_messages WHERE sender = ${openid} ORDER BY id DESC LIMIT 1`,
    );
    expect(last).toEqual({ ticket_id: ticket!.id, customer_id: phoneCustomer });
    expect((await ticketsOf(phoneCustomer)).map((x) => x.id)).toEqual([ticket!.id]);
    const detail = (await api('GET', `/tickets/${ticket!.id}`, admin)).json();
    expect(JSON.stringify(detail)).toContain('还是不动，有人被困');

    // The merged WeChat customer has nothing left to find: its 360 lists no identities.
    expect((await api('GET', `/customers/${wx}/360`, admin)).json().identities).toEqual([]);
  });

  it('the 360 lists identities with channel and first/last seen, masked unless revealed (with the permission, logged)', async () => {
    const openid = 'oIdent_0002abcdef';
    await sendText(openid, '请问停车费怎么交');
    await sendText(openid, '月卡多少钱');
    const wx = (await customerOf(openid))!;
    await api('PATCH', `/customers/${wx}`, admin, { email: 'li.lei@example.com' });

    const masked = (await api('GET', `/customers/${wx}/360`, admin)).json();
    const ids = masked.identities as {
      kind: string;
      value: string;
      source: string;
      channel: { name: string; kind: string } | null;
      firstSeen: string;
      lastSeen: string;
    }[];
    const oid = ids.find((i) => i.kind === 'wechat_openid')!;
    expect(oid).toMatchObject({ value: 'oIde***cdef', source: 'channel', channel: { name: '尺度物业服务号', kind: 'wechat_oa' } });
    expect(Date.parse(oid.lastSeen)).toBeGreaterThanOrEqual(Date.parse(oid.firstSeen));
    expect(ids.find((i) => i.kind === 'email')).toMatchObject({ value: 'l***@example.com', source: 'record', channel: null });
    expect(JSON.stringify(ids)).not.toContain(openid);

    const revealed = await api('GET', `/customers/${wx}/360?reveal=contact`, admin);
    const shown = revealed.json().identities as { kind: string; value: string }[];
    expect(shown.find((i) => i.kind === 'wechat_openid')!.value).toBe(openid);
    expect(shown.find((i) => i.kind === 'email')!.value).toBe('li.lei@example.com');
    expect((await t.auditRows('customer.contact_revealed')).some((a) => a.target_id === wx)).toBe(true);

    // Without customers.unmask: masked only, revealing refused.
    const asTech = await api('GET', `/customers/${wx}/360`, tech);
    expect(asTech.statusCode).toBe(200);
    expect(JSON.stringify(asTech.json().identities)).not.toContain(openid);
    expect((await api('GET', `/customers/${wx}/360?reveal=contact`, tech)).statusCode).toBe(403);
  });

  it('merge suggestions: a WeChat user who writes a phone, or whose phone an agent fills in, and the phone customer see each other', async () => {
    const phone = '13700137002';
    const owner = await newCustomer('赵敏', phone);
    const openid = 'oDup_0003abcdef';
    await sendText(openid, `我家 3 栋 1201 漏水，电话 ${phone}，请联系`);
    const wx = (await customerOf(openid))!;
    // The record keeps no phone (a number in a message may be anyone's); the identity carries it.
    expect((await api('GET', `/customers/${wx}?reveal=contact`, admin)).json().phone).toBeNull();

    const ofOwner = (await api('GET', `/customers/${owner}/360`, admin)).json();
    expect(ofOwner.duplicates).toEqual([expect.objectContaining({ id: wx, matchedOn: ['phone'] })]);
    const ofWx = (await api('GET', `/customers/${wx}/360`, admin)).json();
    expect(ofWx.duplicates).toEqual([expect.objectContaining({ id: owner, matchedOn: ['phone'], phone: '137****7002' })]);
    expect(ofWx.identities.find((i: { kind: string }) => i.kind === 'phone')).toMatchObject({ value: '137****7002', source: 'channel' });
    // The check before creating a customer finds it too.
    const check = (await api('POST', '/customers/duplicates', admin, { phone })).json().items as { id: string }[];
    expect(check.map((c) => c.id).sort()).toEqual([owner, wx].sort());

    // A second WeChat user whose phone the agent fills in.
    const openid2 = 'oDup_0004abcdef';
    await sendText(openid2, '你好');
    const wx2 = (await customerOf(openid2))!;
    expect((await api('GET', `/customers/${wx2}/360`, admin)).json().duplicates).toEqual([]);
    expect((await api('PATCH', `/customers/${wx2}`, admin, { phone })).statusCode).toBe(200);
    const again = (await api('GET', `/customers/${owner}/360`, admin)).json().duplicates as { id: string }[];
    expect(again.map((d) => d.id).sort()).toEqual([wx, wx2].sort());
    const fromWx2 = (await api('GET', `/customers/${wx2}/360`, admin)).json().duplicates as { id: string; matchedOn: string[] }[];
    expect(fromWx2.map((d) => d.id).sort()).toEqual([owner, wx].sort());

    // Merging from the suggestion: the survivor lists the openid and the phone once each; no suggestion is left for it.
    expect((await api('POST', `/customers/${wx}/merge`, admin, { intoId: owner })).statusCode).toBe(200);
    const after = (await api('GET', `/customers/${owner}/360?reveal=contact`, admin)).json();
    const kinds = (after.identities as { kind: string; value: string }[]).map((i) => `${i.kind}:${i.value}`).sort();
    expect(kinds).toEqual([`phone:${phone}`, `wechat_openid:${openid}`].sort());
    expect((after.duplicates as { id: string }[]).map((d) => d.id)).toEqual([wx2]);
  });

  it('consent.wechat withdrawn after a reply was queued: the send is refused (no_consent), the platform never called', async () => {
    const openid = 'oConsent_0005abcdef';
    await sendText(openid, '请问物业费怎么交？');
    const wx = (await customerOf(openid))!;
    const [ticket] = await ticketsOf(wx);
    expect((await api('POST', `/tickets/${ticket!.id}/replies`, admin, { body: '可在小程序缴纳。', visibility: 'public' })).statusCode).toBe(201);
    expect((await api('PATCH', `/customers/${wx}`, admin, { consent: { wechat: false } })).statusCode).toBe(200);
    await drainOutbox(t.database);
    const [d] = (await api('GET', `/tickets/${ticket!.id}/deliveries`, admin)).json().items as { status: string; lastError: string }[];
    expect(d).toMatchObject({ status: 'dead' });
    expect(d!.lastError).toContain('no_consent');
  });

  it('migration 0040: identities and messages of customers merged before it move to the end of the merge chain', async () => {
    const openid = 'oLegacy_0006abcdef';
    await sendText(openid, '旧数据');
    const a = (await customerOf(openid))!;
    const b = await newCustomer('中间客户', '13600136006');
    const c = await newCustomer('最终客户', '13600136007');
    // As merges were recorded before 0040: only the merged_into_id chain, the identity left behind on A.
    await t.database.rows(sql`UPDATE customers SET merged_into_id = ${b} WHERE id = ${a}`);
    await t.database.rows(sql`UPDATE customers SET merged_into_id = ${c} WHERE id = ${b}`);
    const file = readFileSync(new URL('../drizzle/0040_merged_identities.sql', import.meta.url), 'utf8');
    for (const stmt of file.split('--> statement-breakpoint')) await t.database.rows(sql.raw(stmt));
    expect(await customerOf(openid)).toBe(c);
    const msgs = await t.database.rows<{ customer_id: string }>(sql`SELECT DISTINCT customer_id FROM channel_messages WHERE sender = ${openid}`);
    expect(msgs).toEqual([{ customer_id: c }]);
  });

  it('an identity left on a merged customer (a merge racing a message) follows the merge chain and is repointed', async () => {
    const openid = 'oRace_0007abcdef';
    await sendText(openid, '第一条');
    const a = (await customerOf(openid))!;
    const b = await newCustomer('幸存客户', '13600136008');
    await t.database.rows(sql`UPDATE tickets SET customer_id = ${b} WHERE customer_id = ${a}`);
    await t.database.rows(sql`UPDATE customers SET merged_into_id = ${b} WHERE id = ${a}`);
    expect((await sendText(openid, '第二条')).statusCode).toBe(200);
    expect(await customerOf(openid)).toBe(b);
    const [last] = await t.database.rows<{ customer_id: string }>(
      sql`SELECT customer_id FROM channel_messages WHERE sender = ${openid} ORDER BY id DESC LIMIT 1`,
    );
    expect(last!.customer_id).toBe(b);
    expect(await ticketsOf(a)).toEqual([]);
    expect((await ticketsOf(b)).length).toBe(1);
  });
});
