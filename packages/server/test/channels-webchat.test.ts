import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetFrameAncestors } from '../src/modules/channels/channels.webchat.page';
import { standard } from './standards-helpers';
import { testApp, WS_MODULE, type TestApp } from './harness';

/**
 * Web chat widget (issue #14 item 3) over HTTP and a real WebSocket client: visitor sessions, the Origin check, a
 * message → one chat ticket (client id idempotent), resume after reconnect, typing both ways, photos both ways (only
 * to that visitor), 留言 when no agent is on duty, the survey invitation into the widget (and consent), the rate
 * limit, the chat first-response standard started and stopped by the engine, the agent's live conversation list.
 */

const SITE = 'https://www.shencheng-wuye.example';
let t: TestApp;
let url: string;
let admin: { token: string };
let agent: { token: string; staff: { id: string } };
let other: { token: string };
let channelId: string;

type Ev = { seq: number; kind: string; author: string; body: string; attachment: { id: string; url: string } | null; data: Record<string, unknown> };
type Msg = { type: string; event?: Ev; clientId?: string; seq?: number; code?: string; after?: number };
interface Sock {
  on(e: 'message', f: (d: Buffer) => void): void;
  on(e: 'open' | 'close', f: () => void): void;
  on(e: 'error', f: (err: Error) => void): void;
  on(e: 'unexpected-response', f: (req: unknown, res: { statusCode: number }) => void): void;
  send(s: string): void;
  close(): void;
}
type WsCtor = new (u: string, opts?: { headers?: Record<string, string> }) => Sock;
let WebSocket: WsCtor;

const pub = (path: string) => `/api/v1/public/webchat/${channelId}${path}`;
const vh = (token: string) => ({ 'x-visitor-token': token });

async function session(id = channelId, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/public/webchat/${id}/session`, headers });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string; visitorId: string }>();
}
async function send(token: string, clientId: string, body: string, attachmentId?: string) {
  return t.app.inject({ method: 'POST', url: pub('/messages'), headers: vh(token), payload: { clientId, body, ...(attachmentId ? { attachmentId } : {}) } });
}
async function history(token: string, after = 0): Promise<Ev[]> {
  const res = await t.app.inject({ method: 'GET', url: pub(`/messages?after=${after}`), headers: vh(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Ev[];
}
async function ticketOf(visitorId: string): Promise<string> {
  const [row] = await t.database.rows<{ ticket_id: string }>(
    sql`SELECT ticket_id FROM webchat_events WHERE visitor_id = ${visitorId} AND ticket_id IS NOT NULL LIMIT 1`,
  );
  return row!.ticket_id;
}
async function png(color: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: color } })
    .png()
    .toBuffer();
}
function multipart(data: Buffer, filename: string) {
  const boundary = '----chidu' + Math.random().toString(16).slice(2);
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: image/png\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

/** A visitor socket that collects what it receives; `until` waits for a message matching the predicate. */
function connect(token: string, after = 0, headers: Record<string, string> = {}) {
  const got: Msg[] = [];
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/public/webchat/${channelId}/ws?token=${encodeURIComponent(token)}&after=${after}`, { headers });
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Msg;
    got.push(m);
    for (const w of waiters.splice(0))
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
  });
  const until = (pred: (m: Msg) => boolean, ms = 8000) =>
    new Promise<Msg>((resolve, reject) => {
      const hit = got.find(pred);
      if (hit) return resolve(hit);
      const timer = setTimeout(() => reject(new Error(`timeout; got ${JSON.stringify(got)}`)), ms);
      waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  return { ws, got, until, closed };
}

beforeAll(async () => {
  t = await testApp();
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  ({ WebSocket } = (await import(WS_MODULE)) as { WebSocket: WsCtor });
  admin = await t.as(['admin']);
  const team = await t.team('在线客服组');
  agent = await t.as(['agent'], { teamId: team.id });
  other = await t.as(['agent'], { teamId: (await t.team('其他组')).id });
  const res = await t.inject('POST', '/api/v1/channels', admin.token, {
    kind: 'webchat',
    name: '申城物业官网客服',
    teamId: team.id,
    config: { allowedOrigins: [`${SITE}/some/page`], greeting: '您好，请问有什么可以帮您？', messagesPerMinute: 30 },
  });
  expect(res.statusCode, res.body).toBe(201);
  channelId = res.json().id;
  expect(res.json().snippet).toContain(`data-channel="${channelId}"`);
  expect(res.json().snippet).toContain('/widget.js');
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('web chat widget', () => {
  it('the admin sees the channel with its snippet; bad settings are a 400 naming the field', async () => {
    const got = await t.inject('GET', `/api/v1/channels/${channelId}`, admin.token);
    expect(got.statusCode).toBe(200);
    expect(got.json().config.allowedOrigins).toEqual([SITE]); // normalised to the origin
    expect(got.json().snippet).toMatch(/^<script src="http:\/\/.+\/widget\.js" data-channel=/);
    const bad = await t.inject('POST', '/api/v1/channels', admin.token, { kind: 'webchat', name: 'x', config: { allowedOrigins: ['ftp://x'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('allowedOrigins');
    const patch = await t.inject('PATCH', `/api/v1/channels/${channelId}`, admin.token, { config: { allowedOrigins: [] } });
    expect(patch.statusCode).toBe(400);
    expect(patch.body).toContain('config.allowedOrigins');
  });

  it('the widget page may be framed only by the allowed sites (and our own pages); nothing for another id', async () => {
    expect(await widgetFrameAncestors(t.database, channelId)).toBe(`'self' ${SITE}`);
    expect(await widgetFrameAncestors(t.database, '00000000-0000-7000-8000-000000000000')).toBeNull();
    expect(await widgetFrameAncestors(t.database, "x' *")).toBeNull();
  });

  it('a visitor session is issued, hashed at rest, resumed with its token; another channel or a bad token is refused', async () => {
    const cfg = await t.app.inject({ method: 'GET', url: pub('/config') });
    expect(cfg.statusCode).toBe(200);
    expect(cfg.json()).toMatchObject({ name: '申城物业官网客服', greeting: '您好，请问有什么可以帮您？', online: true, nextOpen: null });
    const s = await session();
    expect(s.token.length).toBeGreaterThanOrEqual(40);
    const [row] = await t.database.rows<{ token_hash: string; customer_id: string }>(
      sql`SELECT token_hash, customer_id FROM webchat_visitors WHERE id = ${s.visitorId}`,
    );
    expect(row!.token_hash).not.toContain(s.token);
    const again = await t.app.inject({ method: 'POST', url: pub('/session'), headers: vh(s.token) });
    expect(again.statusCode).toBe(200);
    expect(again.json().visitorId).toBe(s.visitorId);
    const [c] = await t.database.rows<{ tags: string[] }>(sql`SELECT tags FROM customers WHERE id = ${row!.customer_id}`);
    expect(c!.tags).toContain('来自网页');
    expect((await t.app.inject({ method: 'GET', url: pub('/messages'), headers: vh('nope') })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: pub('/messages') })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/public/webchat/00000000-0000-7000-8000-000000000000/config' })).statusCode).toBe(404);
  });

  it('refuses a browser Origin that is neither ours nor an allowed site (HTTP and WebSocket)', async () => {
    const evil = { origin: 'https://evil.example' };
    expect((await t.app.inject({ method: 'GET', url: pub('/config'), headers: evil })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: pub('/session'), headers: evil })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: pub('/config'), headers: { origin: SITE } })).statusCode).toBe(200);
    const s = await session();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/public/webchat/${channelId}/ws?token=${s.token}`, { headers: evil });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
  });

  it('the first message makes one chat ticket (a resend with the same client id is a no-op); the next is a reply on it', async () => {
    const s = await session();
    const a = await send(s.token, 'c-1', '你好，我家水管漏水了');
    expect(a.statusCode, a.body).toBe(201);
    const dup = await send(s.token, 'c-1', '你好，我家水管漏水了');
    expect(dup.statusCode).toBe(200);
    expect(dup.json().seq).toBe(a.json().seq);
    const ticketId = await ticketOf(s.visitorId);
    const tk = (await t.inject('GET', `/api/v1/tickets/${ticketId}`, agent.token)).json();
    expect(tk).toMatchObject({ channel: 'chat', type: 'inquiry', subject: '你好，我家水管漏水了' });
    expect((await send(s.token, 'c-2', '在 3 号楼 502')).statusCode).toBe(201);
    const n = await t.database.rows<{ n: number }>(sql`SELECT count(DISTINCT ticket_id)::int AS n FROM webchat_events WHERE visitor_id = ${s.visitorId}`);
    expect(n[0]!.n).toBe(1);
    const after = (await t.inject('GET', `/api/v1/tickets/${ticketId}`, agent.token)).json();
    expect(after.replies.map((r: { body: string }) => r.body)).toContain('在 3 号楼 502');
    expect((await send(s.token, 'c-3', '   ')).statusCode).toBe(400);
  });

  it('the socket sends the backlog after the cursor, then live; a reconnect with the last seq gets only what was missed', async () => {
    const s = await session();
    await send(s.token, 'm-1', '请问物业费怎么交？');
    const ticketId = await ticketOf(s.visitorId);
    const a = connect(s.token);
    await a.until((m) => m.type === 'ready');
    expect(a.got.filter((m) => m.type === 'event').map((m) => m.event!.body)).toEqual(['请问物业费怎么交？']);
    expect(
      (await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '您好，可以在 APP 里缴纳。', visibility: 'public' })).statusCode,
    ).toBe(201);
    const live = await a.until((m) => m.type === 'event' && m.event!.author === 'agent');
    expect(live.event!.body).toBe('您好，可以在 APP 里缴纳。');
    // internal notes never reach the widget
    await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '内部备注', visibility: 'internal' });
    // message over the socket: acked once, even when sent twice
    a.ws.send(JSON.stringify({ type: 'message', clientId: 'ws-1', body: '好的，谢谢' }));
    a.ws.send(JSON.stringify({ type: 'message', clientId: 'ws-1', body: '好的，谢谢' }));
    const ack = await a.until((m) => m.type === 'ack' && m.clientId === 'ws-1');
    a.ws.close();
    await a.closed;
    const last = Math.max(...a.got.filter((m) => m.type === 'event').map((m) => m.event!.seq), ack.seq!);
    await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '不客气，还有其他问题吗？', visibility: 'public' });
    const b = connect(s.token, last);
    await b.until((m) => m.type === 'ready');
    expect(b.got.filter((m) => m.type === 'event').map((m) => m.event!.body)).toEqual(['不客气，还有其他问题吗？']);
    b.ws.close();
    const all = await history(s.token);
    expect(all.map((e) => e.body)).toEqual(['请问物业费怎么交？', '您好，可以在 APP 里缴纳。', '好的，谢谢', '不客气，还有其他问题吗？']);
  });

  it('typing goes both ways and is never stored', async () => {
    const s = await session();
    await send(s.token, 't-1', '在吗');
    const ticketId = await ticketOf(s.visitorId);
    const c = connect(s.token);
    await c.until((m) => m.type === 'ready');
    expect((await t.inject('POST', `/api/v1/webchat/tickets/${ticketId}/typing`, agent.token)).statusCode).toBe(204);
    await c.until((m) => m.type === 'typing');
    expect((await t.inject('POST', `/api/v1/webchat/tickets/${ticketId}/typing`, other.token)).statusCode).toBe(404);
    c.ws.send(JSON.stringify({ type: 'typing' }));
    let typing = false;
    for (let i = 0; i < 50 && !typing; i++) {
      const list = (await t.inject('GET', '/api/v1/webchat/conversations', agent.token)).json().items as {
        ticket: { id: string };
        visitorTyping: boolean;
        visitorOnline: boolean;
      }[];
      const row = list.find((x) => x.ticket.id === ticketId);
      typing = Boolean(row?.visitorTyping);
      if (typing) expect(row!.visitorOnline).toBe(true);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(typing).toBe(true);
    const stored = await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM webchat_events WHERE visitor_id = ${s.visitorId}`);
    expect(stored[0]!.n).toBe(1);
    c.ws.close();
  });

  it('photos go both ways; only that visitor can read them', async () => {
    const s = await session();
    const mine = multipart(await png({ r: 200, g: 0, b: 0 }), 'leak.png');
    const up = await t.app.inject({ method: 'POST', url: pub('/uploads'), headers: { ...vh(s.token), 'content-type': mine.type }, payload: mine.body });
    expect(up.statusCode, up.body).toBe(201);
    const photo = up.json().id as string;
    expect((await send(s.token, 'p-1', '', photo)).statusCode).toBe(201);
    const ticketId = await ticketOf(s.visitorId);
    const tk = (await t.inject('GET', `/api/v1/tickets/${ticketId}`, agent.token)).json();
    expect(tk.attachments.map((a: { id: string }) => a.id)).toContain(photo);
    // the agent answers with a photo
    const m = multipart(await png({ r: 0, g: 0, b: 200 }), 'answer.png');
    const agentUp = await t.inject('POST', '/api/v1/attachments', agent.token, m.body, { 'content-type': m.type });
    expect(agentUp.statusCode, agentUp.body).toBe(201);
    const answer = agentUp.json().id as string;
    expect(
      (await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '请看示意图', visibility: 'public', attachmentIds: [answer] }))
        .statusCode,
    ).toBe(201);
    const evs = await history(s.token);
    const withPhoto = evs.filter((e) => e.attachment).map((e) => [e.author, e.attachment!.id]);
    expect(withPhoto).toEqual([
      ['visitor', photo],
      ['agent', answer],
    ]);
    const img = await t.app.inject({ method: 'GET', url: pub(`/attachments/${answer}`), headers: vh(s.token) });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.headers['x-content-type-options']).toBe('nosniff');
    // another visitor: not found, for both photos; no token: 401
    const stranger = await session();
    for (const id of [photo, answer])
      expect((await t.app.inject({ method: 'GET', url: pub(`/attachments/${id}`), headers: vh(stranger.token) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: pub(`/attachments/${answer}`) })).statusCode).toBe(401);
    expect(await history(stranger.token)).toEqual([]);
    // the stranger cannot put this visitor's photo on their own message
    expect((await send(stranger.token, 'p-x', 'hi', photo)).statusCode).toBe(400);
    // not a photo: refused
    const txt = await t.app.inject({
      method: 'POST',
      url: pub('/uploads'),
      headers: { ...vh(s.token), 'content-type': 'multipart/form-data; boundary=XX' },
      payload: Buffer.from('--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n'),
    });
    expect(txt.statusCode).toBe(415);
  });

  it('留言 when no agent is on duty (per the channel calendar) becomes a ticket; the answer says when to expect a reply', async () => {
    const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const today = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(new Date()).toLowerCase().slice(0, 3);
    const otherDay = days[(days.indexOf(today) + 2) % 7]!;
    const cal = await t.inject('POST', '/api/v1/calendars', admin.token, {
      name: '客服值班',
      timeZone: 'Asia/Shanghai',
      weekly: { [otherDay]: [['09:00', '18:00']] },
    });
    expect(cal.statusCode, cal.body).toBe(201);
    const patch = await t.inject('PATCH', `/api/v1/channels/${channelId}`, admin.token, {
      config: { allowedOrigins: [SITE], calendarId: cal.json().id, offlineMessage: '客服下班了，请留言' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    try {
      const cfg = (await t.app.inject({ method: 'GET', url: pub('/config') })).json();
      expect(cfg.online).toBe(false);
      expect(cfg.offlineMessage).toBe('客服下班了，请留言');
      expect(Date.parse(cfg.nextOpen)).toBeGreaterThan(Date.now());
      const s = await session();
      const bad = await t.app.inject({
        method: 'POST',
        url: pub('/offline'),
        headers: vh(s.token),
        payload: { clientId: 'o-1', name: '王女士', phone: '123', message: '电梯坏了' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('phone');
      const res = await t.app.inject({
        method: 'POST',
        url: pub('/offline'),
        headers: vh(s.token),
        payload: { clientId: 'o-1', name: '王女士', phone: '13800138000', message: '电梯坏了' },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().expectReplyAfter).toBe(cfg.nextOpen);
      const ticketId = await ticketOf(s.visitorId);
      const tk = (await t.inject('GET', `/api/v1/tickets/${ticketId}`, agent.token)).json();
      expect(tk.channel).toBe('chat');
      expect(tk.description).toContain('电梯坏了');
      expect(tk.description).toContain('13800138000');
      const ids = await t.database.rows<{ kind: string; value: string }>(
        sql`SELECT kind, value FROM customer_identities WHERE customer_id = ${tk.customerId} ORDER BY kind`,
      );
      expect(ids.map((i) => i.kind)).toEqual(['phone', 'webchat_visitor']);
    } finally {
      await t.inject('PATCH', `/api/v1/channels/${channelId}`, admin.token, { config: { allowedOrigins: [SITE], messagesPerMinute: 30 } });
    }
  });

  it('the survey invitation after resolve arrives in the widget, recorded on the outbox and marked delivered; not without consent', async () => {
    const s = await session();
    await send(s.token, 's-1', '门禁卡失效了');
    const ticketId = await ticketOf(s.visitorId);
    const c = connect(s.token);
    await c.until((m) => m.type === 'ready');
    await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '已为您重新开通。', visibility: 'public' });
    expect((await t.inject('POST', `/api/v1/tickets/${ticketId}/resolve`, agent.token, { resolution: '门禁卡已重新开通' })).statusCode).toBe(200);
    const inv = await c.until((m) => m.type === 'event' && m.event!.kind === 'survey');
    expect(String(inv.event!.data.url)).toMatch(/\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    let row: { channel_id: string; kind: string; status: string; sent_at: Date | null; receipt: string | null } | undefined;
    for (let i = 0; i < 50; i++) {
      [row] = await t.database.rows<NonNullable<typeof row>>(
        sql`SELECT channel_id, kind, status, sent_at, receipt FROM channel_outbox WHERE ticket_id = ${ticketId}`,
      );
      if (row?.receipt) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatchObject({ channel_id: channelId, kind: 'survey', status: 'sent', receipt: 'delivered' });
    expect(row!.sent_at).toBeTruthy();
    c.ws.close();
    // a customer who withdrew survey consent gets no invitation in the widget
    const s2 = await session();
    await send(s2.token, 's-2', '楼道灯不亮');
    const t2 = await ticketOf(s2.visitorId);
    const [v2] = await t.database.rows<{ customer_id: string }>(sql`SELECT customer_id FROM webchat_visitors WHERE id = ${s2.visitorId}`);
    await t.database.rows(sql`UPDATE customers SET consent = '{"surveys": false}'::jsonb WHERE id = ${v2!.customer_id}`);
    await t.inject('POST', `/api/v1/tickets/${t2}/replies`, agent.token, { body: '已安排电工。', visibility: 'public' });
    expect((await t.inject('POST', `/api/v1/tickets/${t2}/resolve`, agent.token, { resolution: '已修好' })).statusCode).toBe(200);
    expect((await history(s2.token)).some((e) => e.kind === 'survey')).toBe(false);
  });

  it('visitor messages are rate-limited per visitor (429 with Retry-After), over HTTP and the socket', async () => {
    await t.inject('PATCH', `/api/v1/channels/${channelId}`, admin.token, { config: { allowedOrigins: [SITE], messagesPerMinute: 3 } });
    try {
      const s = await session();
      const codes = await Promise.all([1, 2, 3, 4, 5].map((i) => send(s.token, `r-${i}`, `消息 ${i}`).then((r) => r.statusCode)));
      expect(codes.filter((c) => c === 429).length).toBe(2);
      expect(codes.filter((c) => c === 201).length).toBe(3);
      const c = connect(s.token);
      await c.until((m) => m.type === 'ready');
      c.ws.send(JSON.stringify({ type: 'message', clientId: 'r-ws', body: '还有吗' }));
      const err = await c.until((m) => m.type === 'error');
      expect(err).toMatchObject({ clientId: 'r-ws', code: 'rate_limited' });
      c.ws.close();
      // another visitor is not affected
      expect((await send((await session()).token, 'r-1', '你好')).statusCode).toBe(201);
    } finally {
      await t.inject('PATCH', `/api/v1/channels/${channelId}`, admin.token, { config: { allowedOrigins: [SITE], messagesPerMinute: 30 } });
    }
  });

  it('a chat first-response standard (seconds) starts with the conversation and stops at the first agent answer', async () => {
    await standard(t, admin.token, {
      code: 'CHAT-60S',
      name: '在线客服 60 秒内首次响应',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 60,
      calendarId: null,
      appliesTo: { channels: ['chat'] },
    });
    const s = await session();
    await send(s.token, 'std-1', '快递柜打不开');
    const ticketId = await ticketOf(s.visitorId);
    const clock = async () =>
      (
        await t.database.rows<{ state: string; code: string }>(
          sql`SELECT si.state, s.code FROM standard_instances si JOIN standards s ON s.id = si.standard_id WHERE si.ticket_id = ${ticketId} AND s.code = 'CHAT-60S'`,
        )
      )[0];
    expect((await clock())?.state).toBe('running');
    await send(s.token, 'std-2', '在南门'); // the visitor's own follow-up does not stop it
    expect((await clock())?.state).toBe('running');
    await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '马上为您处理', visibility: 'public' });
    expect((await clock())?.state).toBe('met');
  });

  it('在线会话: open chat conversations the agent may see, unassigned first, waiting time until answered', async () => {
    const s = await session();
    await send(s.token, 'l-1', '我想咨询装修审批');
    const ticketId = await ticketOf(s.visitorId);
    const list = async (token: string) =>
      (await t.inject('GET', '/api/v1/webchat/conversations', token)).json().items as {
        ticket: { id: string; ownerId: string | null };
        waitingSince: string | null;
      }[];
    const mine = (await list(agent.token)).find((x) => x.ticket.id === ticketId);
    expect(mine?.waitingSince).toBeTruthy();
    expect((await list(other.token)).some((x) => x.ticket.id === ticketId)).toBe(false); // another team's agent does not see it
    const items = await list(agent.token);
    const firstOwned = items.findIndex((x) => x.ticket.ownerId);
    if (firstOwned >= 0) expect(items.slice(firstOwned).every((x) => x.ticket.ownerId)).toBe(true);
    expect((await t.inject('POST', `/api/v1/tickets/${ticketId}/take`, agent.token)).statusCode).toBe(200);
    await t.inject('POST', `/api/v1/tickets/${ticketId}/replies`, agent.token, { body: '您好，需要提交装修申请表。', visibility: 'public' });
    const after = (await list(agent.token)).find((x) => x.ticket.id === ticketId);
    expect(after?.waitingSince).toBeNull();
    expect((await t.inject('GET', '/api/v1/webchat/conversations', undefined)).statusCode).toBe(401);
  });
});
