import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainOutbox } from '../src/modules/channels/channels.outbox';
import { aliyunCanonicalQuery, aliyunSignature, aliyunStringToSign, popEncode, tc3Sign } from '../src/modules/channels/channels.sms';
import { queueReminderSms, smsCodeSender, takeQuota } from '../src/modules/channels/channels.sms.senders';
import { channelsRepo } from '../src/modules/channels/channels.repo';
import { testApp, type TestApp } from './harness';

/**
 * SMS channels (issue #14 item 6): Aliyun and Tencent Cloud request signing against the published example and an
 * independent computation of the documented steps; then the adapters against a local fake of both APIs (node:http)
 * that recomputes each request's signature itself (refusing a wrong one) and records what was sent: portal sign-in
 * codes, visit reminders and survey invitations by SMS, consent, the per-number / per-channel limits (429 for codes),
 * delivery receipts (and a forged one refused).
 */

// ───── the fake provider (both APIs), verifying signatures with its own code ─────
const ALI = { id: 'LTAI5tTestKeyId', secret: 'ali-secret-0123456789' };
const TC = { id: 'AKIDtestSecretId0123', secret: 'tc-secret-0123456789', appId: '1400123456' };

interface Sent {
  provider: 'aliyun' | 'tencent';
  phone: string;
  template: string;
  params: Record<string, string> | string[];
  sign: string;
  id: string;
}
interface Fake {
  url: string;
  sent: Sent[];
  refused: number;
  statistics: number;
  close(): Promise<void>;
}

/** Aliyun POP v1, as the document states it (percent-encode, sort, GET&%2F&…, HMAC-SHA1 with secret + "&"). */
function fakeAliyunVerify(query: URLSearchParams): boolean {
  const enc = (s: string) =>
    encodeURIComponent(s)
      .replace(/\+/g, '%20')
      .replace(/\*/g, '%2A')
      .replace(/%7E/g, '~')
      .replace(/!/g, '%21')
      .replace(/'/g, '%27')
      .replace(/\(/g, '%28')
      .replace(/\)/g, '%29');
  const pairs = [...query.entries()].filter(([k]) => k !== 'Signature').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const expected = createHmac('sha1', `${ALI.secret}&`)
    .update(`GET&%2F&${enc(canonical)}`)
    .digest('base64');
  return query.get('AccessKeyId') === ALI.id && query.get('Signature') === expected;
}

/** Tencent TC3-HMAC-SHA256, step by step from the API 3.0 signature document. */
function fakeTencentVerify(headers: http.IncomingHttpHeaders, body: string): boolean {
  const auth = String(headers.authorization ?? '');
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m || m[1] !== TC.id) return false;
  const [, , date, signedHeaders, signature] = m;
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(headers[n] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hash(body)}`;
  const ts = String(headers['x-tc-timestamp']);
  if (new Date(Number(ts) * 1000).toISOString().slice(0, 10) !== date) return false;
  const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/sms/tc3_request\n${hash(canonicalRequest)}`;
  const k1 = createHmac('sha256', `TC3${TC.secret}`).update(date).digest();
  const k2 = createHmac('sha256', k1).update('sms').digest();
  const k3 = createHmac('sha256', k2).update('tc3_request').digest();
  return createHmac('sha256', k3).update(toSign).digest('hex') === signature;
}

async function startFake(): Promise<Fake> {
  const fake: Fake = { url: '', sent: [], refused: 0, statistics: 0, close: async () => {} };
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, o: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(o));
      };
      const url = new URL(req.url ?? '/', 'http://fake');
      if (req.method === 'GET') {
        const q = url.searchParams;
        if (!fakeAliyunVerify(q)) {
          fake.refused++;
          return json(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
        }
        if (q.get('Action') === 'QuerySendStatistics') {
          fake.statistics++;
          return json(200, { Code: 'OK', Message: 'OK', Data: { TotalSize: 0, TargetList: [] } });
        }
        if (q.get('Action') !== 'SendSms' || q.get('Version') !== '2017-05-25') return json(400, { Code: 'InvalidAction' });
        const id = `9006197469364984${String(++seq).padStart(3, '0')}`;
        fake.sent.push({
          provider: 'aliyun',
          phone: q.get('PhoneNumbers')!,
          template: q.get('TemplateCode')!,
          params: JSON.parse(q.get('TemplateParam') ?? '{}') as Record<string, string>,
          sign: q.get('SignName')!,
          id,
        });
        return json(200, { Code: 'OK', Message: 'OK', BizId: id, RequestId: `req-${seq}` });
      }
      const body = Buffer.concat(chunks).toString('utf8');
      if (!fakeTencentVerify(req.headers, body) || req.headers['x-tc-version'] !== '2021-01-11') {
        fake.refused++;
        return json(200, {
          Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'The provided credentials could not be validated.' }, RequestId: 'r' },
        });
      }
      const b = JSON.parse(body) as Record<string, unknown>;
      if (req.headers['x-tc-action'] === 'SendStatusStatistics') {
        fake.statistics++;
        return json(200, { Response: { SendStatusStatistics: { RequestCount: 0 }, RequestId: 'r-stat' } });
      }
      const id = `2028:${String(++seq).padStart(10, '0')}`;
      const phones = b.PhoneNumberSet as string[];
      fake.sent.push({
        provider: 'tencent',
        phone: phones[0]!,
        template: String(b.TemplateId),
        params: b.TemplateParamSet as string[],
        sign: String(b.SignName),
        id,
      });
      return json(200, {
        Response: {
          SendStatusSet: [{ SerialNo: id, PhoneNumber: phones[0], Fee: 1, Code: 'Ok', Message: 'send success', IsoCode: 'CN' }],
          RequestId: `r-${seq}`,
        },
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}

let t: TestApp;
let fake: Fake;
let admin: string;
let agent: string;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token?: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const rows = <T>(q: ReturnType<typeof sql>) => t.database.rows<T & Record<string, unknown>>(q);
let phoneSeq = 0;
const newPhone = () => `137${String(Date.now() % 1e6).padStart(6, '0')}${String(++phoneSeq).padStart(2, '0')}`;

beforeAll(async () => {
  fake = await startFake();
  process.env.CHIDU_CHANNELS_WORKER = '0'; // the test drains the outbox itself
  t = await testApp({ CHIDU_OUTBOUND_ALLOW: '127.0.0.1', CHIDU_DEMO: '1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
  delete process.env.CHIDU_CHANNELS_WORKER;
});

describe('signing: the published example and the documented steps', () => {
  it('Aliyun SendSms: the example of the SMS API document (testId / testSecret) → zJDF+Lrzhj/ThnlvIToysFRq6t4=', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(aliyunStringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25',
    );
    expect(aliyunSignature('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunSignature('GET', { ...params, Signature: 'old' }, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
    expect(aliyunSignature('GET', params, 'otherSecret')).not.toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('Aliyun RPC: the example of the signature document (DescribeRegions, testid / testsecret) → OLeaidS1JvxuMvnyHOwuJ+uX5qY=', () => {
    const params = {
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Version: '2014-05-26',
      Timestamp: '2016-02-23T12:46:24Z',
    };
    expect(aliyunSignature('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(popEncode("a b*~!'()")).toBe('a%20b%2A~%21%27%28%29');
    expect(aliyunCanonicalQuery({ b: '2', a: '1 ' })).toBe('a=1%20&b=2');
  });

  it('Tencent TC3-HMAC-SHA256: equals the document steps computed here with node:crypto', () => {
    const payload = JSON.stringify({
      PhoneNumberSet: ['+8613711112222'],
      SmsSdkAppId: '1400006666',
      SignName: '腾讯云',
      TemplateId: '1234',
      TemplateParamSet: ['12345'],
    });
    const timestamp = 1551113065; // 2019-02-25T16:44:25Z
    const out = tc3Sign({
      secretId: 'AKIDexample',
      secretKey: 'secretExample',
      service: 'sms',
      host: 'sms.tencentcloudapi.com',
      action: 'SendSms',
      payload,
      timestamp,
    });
    // 1. canonical request
    const hashed = createHash('sha256').update(payload).digest('hex');
    const canonical = `POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\nx-tc-action:sendsms\n\ncontent-type;host;x-tc-action\n${hashed}`;
    expect(out.canonicalRequest).toBe(canonical);
    // 2. string to sign (date is the UTC date of the timestamp)
    const toSign = `TC3-HMAC-SHA256\n1551113065\n2019-02-25/sms/tc3_request\n${createHash('sha256').update(canonical).digest('hex')}`;
    expect(out.stringToSign).toBe(toSign);
    // 3. derived key and signature
    const kDate = createHmac('sha256', 'TC3secretExample').update('2019-02-25').digest();
    const kService = createHmac('sha256', kDate).update('sms').digest();
    const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
    const signature = createHmac('sha256', kSigning).update(toSign).digest('hex');
    expect(out.signature).toBe(signature);
    expect(out.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=AKIDexample/2019-02-25/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=${signature}`,
    );
  });
});

async function createChannel(kind: 'sms_aliyun' | 'sms_tencent', templates: Record<string, string>, extra: Record<string, unknown> = {}) {
  const cred = kind === 'sms_aliyun' ? { keyId: ALI.id, keySecret: ALI.secret } : { keyId: TC.id, keySecret: TC.secret, sdkAppId: TC.appId };
  const res = await api('POST', '/channels', admin, {
    kind,
    name: kind === 'sms_aliyun' ? '阿里云短信' : '腾讯云短信',
    config: { ...cred, signName: '尺度物业', templates, apiBase: fake.url, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; callbackUrl: string }>();
}
const receiptPath = (callbackUrl: string) => new URL(callbackUrl).pathname.replace(/^\/api\/v1/, '') + new URL(callbackUrl).search;
const outboxOf = (channelId: string) =>
  rows<{ id: string; kind: string; recipient: string; status: string; external_id: string | null; receipt: string | null; payload: unknown }>(
    sql`SELECT id, kind, recipient, status, external_id, receipt, payload FROM channel_outbox WHERE channel_id = ${channelId} ORDER BY created_at`,
  );

describe('sms_aliyun against the fake provider', () => {
  let ch: { id: string; callbackUrl: string };

  it('admin: bad input names the field; created with the secret sealed ({configured: true}); 测试连接 is a real signed call', async () => {
    const bad = await api('POST', '/channels', admin, { kind: 'sms_aliyun', name: 'x', config: { keyId: ALI.id, keySecret: 's', templates: {} } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('signName');
    ch = await createChannel('sms_aliyun', { login_code: 'SMS_100001', visit_reminder: 'SMS_100002', survey_invite: 'SMS_100003' }, { perNumberPerDay: 10 });
    expect(ch.callbackUrl).toMatch(new RegExp(`/api/v1/public/channels/sms/${ch.id}/receipt\\?token=[\\w-]{20,}$`));
    const got = (await api('GET', `/channels/${ch.id}`, admin)).json();
    expect(got.config).toMatchObject({ keyId: ALI.id, keySecret: { configured: true }, signName: '尺度物业', templates: { login_code: 'SMS_100001' } });
    expect(JSON.stringify(got)).not.toContain(ALI.secret);
    const [stored] = await rows<{ secrets: string }>(sql`SELECT secrets FROM channels WHERE id = ${ch.id}`);
    expect(stored!.secrets).toMatch(/^v1:/);
    expect(stored!.secrets).not.toContain(ALI.secret);

    const before = fake.statistics;
    const ok = await api('POST', `/channels/${ch.id}/test`, admin);
    expect(ok.json()).toEqual({ api: { ok: true } });
    expect(fake.statistics).toBe(before + 1);
    // A wrong secret: the fake recomputes the signature and refuses it.
    expect((await api('PATCH', `/channels/${ch.id}`, admin, { config: { ...got.config, keySecret: 'wrong' } })).statusCode).toBe(200);
    const refused = fake.refused;
    expect((await api('POST', `/channels/${ch.id}/test`, admin)).json()).toEqual({ api: { ok: false, error: 'auth_failed' } });
    expect(fake.refused).toBe(refused + 1);
    const keep = { ...(got.config as Record<string, unknown>) };
    delete keep.keySecret;
    expect((await api('PATCH', `/channels/${ch.id}`, admin, { config: { ...keep, keySecret: ALI.secret } })).statusCode).toBe(200);
    // a PATCH without the secret keeps it
    expect((await api('PATCH', `/channels/${ch.id}`, admin, { config: keep })).statusCode).toBe(200);
    expect((await api('POST', `/channels/${ch.id}/test`, admin)).json()).toEqual({ api: { ok: true } });
    const log = (await api('GET', `/channels/${ch.id}/log`, admin)).json().items as { event: string }[];
    expect(log.some((l) => l.event === 'channels.log.test_sms')).toBe(true);
  });

  it('a portal sign-in code goes out as SMS (demo still shows it); the receipt marks it delivered; a forged receipt is refused', async () => {
    const phone = newPhone();
    const n = fake.sent.length;
    const res = await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone });
    expect(res.statusCode, res.body).toBe(200);
    const code = res.json().demoCode as string;
    expect(code).toMatch(/^\d{6}$/);
    expect(fake.sent.slice(n)).toEqual([expect.objectContaining({ provider: 'aliyun', phone, template: 'SMS_100001', params: { code }, sign: '尺度物业' })]);
    const [row] = (await outboxOf(ch.id)).filter((r) => r.kind === 'code' && r.recipient === phone);
    expect(row).toMatchObject({ status: 'sent', external_id: fake.sent[n]!.id, receipt: null });
    expect(JSON.stringify(row!.payload)).not.toContain(code); // the code itself is not stored
    const verify = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code });
    expect(verify.statusCode).toBe(200);
    // A code row the worker might see again (left `sending` long ago, as after a crash) is never re-sent.
    const ghost = `${row!.id.slice(0, -4)}ffff`;
    await rows(sql`INSERT INTO channel_outbox (id, channel_id, kind, recipient, payload, status, attempts, next_attempt_at)
      VALUES (${ghost}, ${ch.id}, 'code', ${phone}, ${JSON.stringify({ template: 'login_code', values: {}, subject: 'login_code' })}::jsonb, 'sending', 1, now() - interval '1 hour')`);
    const sentBefore = fake.sent.length;
    await drainOutbox(t.database);
    expect(fake.sent.length).toBe(sentBefore);
    expect((await outboxOf(ch.id)).find((r) => r.id === ghost)!.status).toBe('dead');

    const report = [
      {
        phone_number: phone,
        send_time: '2026-12-06 10:00:00',
        report_time: '2026-12-06 10:00:05',
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: row!.external_id,
        out_id: '',
      },
    ];
    const forged = await api('POST', `/public/channels/sms/${ch.id}/receipt?token=not-the-token-at-all-0000000`, undefined, report);
    expect(forged.statusCode).toBe(403);
    expect((await api('POST', `/public/channels/sms/${ch.id}/receipt`, undefined, report)).statusCode).toBe(403);
    expect((await outboxOf(ch.id)).find((r) => r.id === row!.id)!.receipt).toBeNull();
    const ack = await api('POST', receiptPath(ch.callbackUrl), undefined, report);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toEqual({ code: 0, msg: '成功' });
    expect((await outboxOf(ch.id)).find((r) => r.id === row!.id)!.receipt).toBe('delivered');
    const logs = JSON.stringify((await api('GET', `/channels/${ch.id}/log`, admin)).json());
    expect(logs).not.toContain(phone); // numbers masked in the channel log
    expect(logs).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  });

  it('limits: codes per number are atomic (one of concurrent takes wins); over a limit → 429 problem+json and nothing sent', async () => {
    const [channel] = await channelsRepo.listChannels(t.database.db, 'sms_aliyun');
    const phone = newPhone();
    const results = await Promise.all([0, 1, 2].map(() => t.database.transaction((tx) => takeQuota(tx, channel!, phone, 'login_code'))));
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.filter((r) => r === 'code_per_minute')).toHaveLength(2);
    const n = fake.sent.length;
    await expect(smsCodeSender.send(t.database, phone, '123456')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(fake.sent.length).toBe(n);

    // The per-channel daily cap: reached → the next number gets 429 at the portal, nothing sent.
    const cfg = (await api('GET', `/channels/${channel!.id}`, admin)).json().config as Record<string, unknown>;
    const keep = { ...cfg };
    delete keep.keySecret;
    const [{ used }] = (await rows<{ used: number }>(sql`SELECT max(count)::int AS used FROM sms_quota WHERE key = ${`channel:${channel!.id}`}`)) as [
      { used: number },
    ];
    expect((await api('PATCH', `/channels/${channel!.id}`, admin, { config: { ...keep, dailyCap: used } })).statusCode).toBe(200);
    const res = await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone: newPhone() });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(fake.sent.length).toBe(n);
    expect((await api('PATCH', `/channels/${channel!.id}`, admin, { config: { ...keep, dailyCap: 1000 } })).statusCode).toBe(200);
  });

  it('a survey invitation by SMS is queued, sent by the worker and counted at the fake; without consent nothing is sent', async () => {
    const tpl = await api('POST', '/survey-templates', admin, {
      name: '短信回访',
      questions: [{ id: 'csat', kind: 'csat', label: '满意吗？', required: true }],
      rules: { triggers: ['field.visit_completed'], channel: 'sms' },
    });
    expect(tpl.statusCode, tpl.body).toBe(201);
    const surveyFor = async (consent?: Record<string, boolean>) => {
      const phone = newPhone();
      const c = await api('POST', '/customers', agent, { name: '钱女士', phone });
      expect(c.statusCode, c.body).toBe(201);
      if (consent) expect((await api('PATCH', `/customers/${c.json().id}`, admin, { consent })).statusCode).toBe(200);
      const tk = await api('POST', '/tickets', agent, {
        customerId: c.json().id,
        type: 'inquiry',
        channel: 'phone',
        subject: '门禁卡失灵',
        description: '刷卡没反应',
      });
      expect(tk.statusCode, tk.body).toBe(201);
      const id = tk.json().id as string;
      expect((await api('POST', `/tickets/${id}/resolve`, agent, { resolution: '已重新写卡' })).statusCode).toBe(200);
      const sent = await api('POST', `/tickets/${id}/surveys`, agent, { templateId: tpl.json().id });
      expect(sent.statusCode, sent.body).toBe(201);
      return { phone, id, number: tk.json().number as string };
    };
    const n = fake.sent.length;
    const ok = await surveyFor();
    const no = await surveyFor({ sms: false });
    const no2 = await surveyFor({ surveys: false });
    const deliveries = async (id: string) =>
      (await api('GET', `/tickets/${id}/survey`, agent)).json().invitation.deliveries as { channel: string; state: string }[];
    expect(await deliveries(ok.id)).toEqual([expect.objectContaining({ channel: 'sms', state: 'queued' })]);
    expect(await deliveries(no.id)).toEqual([expect.objectContaining({ channel: 'sms', state: 'no_gateway' })]);
    expect(await deliveries(no2.id)).toEqual([expect.objectContaining({ channel: 'sms', state: 'no_gateway' })]);
    expect(fake.sent.length).toBe(n); // queued, not yet sent
    await drainOutbox(t.database);
    const out = fake.sent.slice(n);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ phone: ok.phone, template: 'SMS_100003', params: { number: ok.number } });
    expect((out[0]!.params as Record<string, string>).url).toMatch(/\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    const log = JSON.stringify((await api('GET', `/channels/${ch.id}/log`, admin)).json());
    expect(log).toContain('channels.log.sms_no_consent');
  });

  it('a visit reminder by SMS (the field sender) is queued and sent; withdrawn SMS consent → no_consent; the daily per-number limit → rate_limited', async () => {
    const make = async (consent?: Record<string, boolean>) => {
      const phone = newPhone();
      const c = await api('POST', '/customers', agent, { name: '孙先生', phone });
      if (consent) expect((await api('PATCH', `/customers/${c.json().id}`, admin, { consent })).statusCode).toBe(200);
      const tk = await api('POST', '/tickets', agent, { customerId: c.json().id, type: 'repair', channel: 'phone', subject: '热水器不出热水' });
      return { phone, customerId: c.json().id as string, ticketId: tk.json().id as string, number: tk.json().number as string };
    };
    const start = new Date('2026-12-08T02:00:00Z'); // 10:00 Shanghai
    const remind = (c: Awaited<ReturnType<typeof make>>) =>
      t.database.transaction((tx) =>
        queueReminderSms(tx, {
          visitId: c.ticketId,
          ticketId: c.ticketId,
          ticketNumber: c.number,
          customerId: c.customerId,
          subject: '上门提醒',
          body: '明天上门',
          start,
          at: new Date(),
        }),
      );
    const a = await make();
    const b = await make({ sms: false });
    expect(await remind(a)).toBe('queued');
    expect(await remind(b)).toBe('no_consent');
    const n = fake.sent.length;
    await drainOutbox(t.database);
    expect(fake.sent.slice(n)).toEqual([
      expect.objectContaining({ phone: a.phone, template: 'SMS_100002', params: { number: a.number, time: expect.stringContaining('10:00') } }),
    ]);
    // 10 a day per number (all kinds): the 10th is queued, the 11th skipped and recorded.
    for (let i = 1; i < 10; i++) expect(await remind(a)).toBe('queued');
    expect(await remind(a)).toBe('rate_limited');
    const log = (await api('GET', `/channels/${ch.id}/log`, admin)).json().items as { event: string; detail: { limit?: string } }[];
    expect(log.find((l) => l.event === 'channels.log.sms_limited')?.detail.limit).toBe('number_per_day');
    await drainOutbox(t.database);
  });
});

describe('sms_tencent against the fake provider', () => {
  it('test connection, a reminder via Tencent (TC3-signed, E.164 number, ordered parameters) and its receipt', async () => {
    expect(
      (await api('PATCH', `/channels/${(await channelsRepo.listChannels(t.database.db, 'sms_aliyun'))[0]!.id}`, admin, { enabled: false })).statusCode,
    ).toBe(200);
    const noApp = await api('POST', '/channels', admin, {
      kind: 'sms_tencent',
      name: 'x',
      config: { keyId: TC.id, keySecret: TC.secret, signName: 's', templates: {} },
    });
    expect(noApp.statusCode).toBe(400);
    expect(JSON.stringify(noApp.json().errors)).toContain('config.sdkAppId');
    const ch = await createChannel('sms_tencent', { login_code: '200001', visit_reminder: '200002' });
    const before = fake.statistics;
    expect((await api('POST', `/channels/${ch.id}/test`, admin)).json()).toEqual({ api: { ok: true } });
    expect(fake.statistics).toBe(before + 1);

    const phone = newPhone();
    const n = fake.sent.length;
    const res = await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone });
    expect(res.statusCode, res.body).toBe(200);
    expect(fake.sent.slice(n)).toEqual([
      expect.objectContaining({ provider: 'tencent', phone: `+86${phone}`, template: '200001', params: [res.json().demoCode] }),
    ]);
    const [row] = (await outboxOf(ch.id)).filter((r) => r.recipient === phone);
    const report = [
      {
        user_receive_time: '2026-12-06 10:00:04',
        nationcode: '86',
        mobile: phone,
        report_status: 'FAIL',
        errmsg: 'MK:0001',
        description: '用户关机',
        sid: row!.external_id,
      },
    ];
    const ack = await api('POST', receiptPath(ch.callbackUrl), undefined, report);
    expect(ack.json()).toEqual({ result: 0, errmsg: 'OK' });
    expect((await outboxOf(ch.id)).find((r) => r.id === row!.id)!.receipt).toBe('failed');
    // The Aliyun channel's token does not open the Tencent channel's receipts.
    expect(
      (await api('POST', `/public/channels/sms/${ch.id}/receipt?token=${new URL(ch.callbackUrl).searchParams.get('token')}x`, undefined, report)).statusCode,
    ).toBe(403);
  });
});
