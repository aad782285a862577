import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpsTags } from '../src/modules/field/field.work.exif';
import { reportTime, yuan } from '../src/modules/field/field.work.report';
import { testApp, type TestApp } from './harness';

/** Visit work (#16 items 4–5, api.md "engineer A"): photos, quote, sign-off on the phone or by link, the service report PDF. */
let t: TestApp;
let admin: string;
let agent: string;
let techA: { token: string; id: string; name: string };
let techB: { token: string; id: string };
let customer: { id: string; token: string };
let otherCustomer: string;
const STEPS = ['show_id', 'survey_site', 'explain_steps_cost', 'safety', 'clean_up', 'customer_check', 'farewell_contact'];
const api = (m: 'GET' | 'POST' | 'PUT', url: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.inject(m, `/api/v1${url}`, token, body, headers);

const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function multipart(fields: Record<string, string>, file?: { name: string; data: Buffer; type?: string }) {
  const boundary = `----chidu${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'image/jpeg'}\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
function upload(visitId: string, token: string, fields: Record<string, string>, file?: { name: string; data: Buffer; type?: string }, key?: string) {
  const m = multipart(fields, file);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/visits/${visitId}/photos`,
    payload: m.payload,
    headers: { ...m.headers, authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
  });
}

/** A 2400×1800 JPEG with a camera make and GPS position in its EXIF. */
let gpsJpeg: Buffer;
let signature: string;
const count = async (table: string, visitId: string) =>
  Number((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE visit_id = ${visitId}`))[0]!.n);
const attachmentsOf = async (ticketId: string) =>
  Number((await t.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM attachments WHERE ticket_id = ${ticketId}`))[0]!.n);

let hourSeq = 0;
/** A repair ticket of the portal customer with a visit of techA, moved as far as `to`. */
async function visitAt(to: 'scheduled' | 'arrived' | 'started' | 'completed', opts: { quote?: boolean } = {}) {
  const site = (await api('POST', '/sites', admin, { name: `翠湖苑-${++hourSeq}`, address: '杭州市西湖区文三路 1 号' })).json().id as string;
  const room = (await api('POST', '/sites', admin, { name: '1201', parentId: site, kind: 'room' })).json().id as string;
  const tk = await api('POST', '/tickets', agent, { customerId: customer.id, type: 'repair', channel: 'phone', subject: '热水器不出热水', siteId: room });
  expect(tk.statusCode, tk.body).toBe(201);
  const ticketId = tk.json().id as string;
  const start = new Date(Date.UTC(2031, 2, 1) + hourSeq * 3_600_000 * 3);
  const v = await api('POST', `/tickets/${ticketId}/visits`, agent, {
    technicianId: techA.id,
    start: start.toISOString(),
    end: new Date(start.getTime() + 7_200_000).toISOString(),
  });
  expect(v.statusCode, v.body).toBe(201);
  const id = v.json().id as string;
  if (to === 'scheduled') return { id, ticketId };
  const code = (await api('GET', `/sites/${room}/qr`, admin)).json().code as string;
  expect((await api('POST', `/visits/${id}/depart`, techA.token)).statusCode).toBe(200);
  expect((await api('POST', `/visits/${id}/arrive`, techA.token, { code })).statusCode).toBe(200);
  if (opts.quote) {
    expect((await api('POST', `/visits/${id}/quote`, techA.token, { items: [{ description: '更换温控阀', amountFen: 12_000 }] })).statusCode).toBe(201);
    expect((await api('POST', `/visits/${id}/quote/accept`, techA.token, {})).statusCode).toBe(200);
  }
  if (to === 'arrived') return { id, ticketId };
  expect((await api('POST', `/visits/${id}/start`, techA.token)).statusCode).toBe(200);
  if (to === 'started') return { id, ticketId };
  expect((await api('PUT', `/visits/${id}/checklist`, techA.token, { steps: STEPS })).statusCode).toBe(200);
  const done = await api('POST', `/visits/${id}/complete`, techA.token, { notes: '更换温控阀，试机正常', labourMinutes: 45 });
  expect(done.statusCode, done.body).toBe(200);
  return { id, ticketId };
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  admin = (await t.as(['admin'])).token;
  agent = (await t.as(['agent'])).token;
  const a = await t.staff({ roles: ['technician'], name: '杨师傅' });
  techA = { token: await t.login(a.employeeNo), id: a.id, name: '杨师傅' };
  const b = await t.as(['technician']);
  techB = { token: b.token, id: b.staff.id };
  const portalLogin = async (name: string, phone: string) => {
    const id = (await api('POST', '/customers', agent, { name, phone })).json().id as string;
    const code = (await api('POST', '/portal/auth/code', undefined, { phone })).json().demoCode;
    const verified = await api('POST', '/portal/auth/verify', undefined, { phone, code });
    expect(verified.statusCode, verified.body).toBe(200);
    return { id, token: verified.json().token as string };
  };
  customer = await portalLogin('王丽', '13800138000');
  otherCustomer = (await portalLogin('李先生', '13911113333')).token;
  gpsJpeg = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 180, g: 90, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'X1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 10/1 30/1' },
    })
    .toBuffer();
  const sig = await sharp({ create: { width: 400, height: 160, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([
      { input: Buffer.from('<svg width="400" height="160"><path d="M20 120 C 80 20, 160 20, 380 100" stroke="black" stroke-width="4" fill="none"/></svg>') },
    ])
    .png()
    .toBuffer();
  signature = `data:image/png;base64,${sig.toString('base64')}`;
});
afterAll(async () => t?.close());

describe('photos', () => {
  it('re-encodes to ≤ 1600 px without EXIF, keeps only the GPS on request, and files the photo on the ticket', async () => {
    const { id, ticketId } = await visitAt('arrived');
    expect(Object.keys(gpsTags((await sharp(gpsJpeg).metadata()).exif))).toContain('GPSLatitude');

    const plain = await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json()).toMatchObject({ phase: 'before', width: 1600, height: 1200, hasLocation: false });
    const got = await api('GET', `/attachments/${plain.json().attachmentId}`, techA.token);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect(got.headers['content-disposition']).toMatch(/^attachment/);
    const meta = await sharp(got.rawPayload).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(1600);
    expect(meta.exif).toBeUndefined();
    expect(got.rawPayload.includes(Buffer.from('TestCam'))).toBe(false);

    const kept = await upload(id, techA.token, { phase: 'after', keepLocation: 'true' }, { name: 'b.jpg', data: gpsJpeg });
    expect(kept.statusCode, kept.body).toBe(201);
    expect(kept.json().hasLocation).toBe(true);
    const keptBytes = (await api('GET', `/attachments/${kept.json().attachmentId}`, techA.token)).rawPayload;
    const keptMeta = await sharp(keptBytes).metadata();
    expect(gpsTags(keptMeta.exif)).toMatchObject({ GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitude: '120/1 10/1 30/1' });
    expect(keptBytes.includes(Buffer.from('TestCam'))).toBe(false);

    // The photos are attachments of the ticket (they show with its files) and listed in the visit's work.
    const ticket = (await api('GET', `/tickets/${ticketId}`, agent)).json();
    expect(ticket.attachments.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([plain.json().attachmentId, kept.json().attachmentId]));
    const work = (await api('GET', `/visits/${id}/work`, techA.token)).json();
    expect(work.photos.map((p: { phase: string }) => p.phase)).toEqual(['before', 'after']);
    expect(work).toMatchObject({ quote: null, signoff: null, reportAttachmentId: null });
  });

  it('refuses another technician (404), a visit not yet arrived (409 visit_state), not an image and bad fields (400 naming them)', async () => {
    const early = await visitAt('scheduled');
    const res = await upload(early.id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg });
    expect(res.statusCode).toBe(409);
    expect(res.json().reason).toBe('visit_state');
    const { id } = await visitAt('arrived');
    expect((await upload(id, techB.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg })).statusCode).toBe(404);
    expect((await upload(id, agent, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg })).statusCode).toBe(403);
    const text = await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: Buffer.from('not an image at all, just text') });
    expect(text.statusCode).toBe(400);
    expect(text.json().errors[0].path).toBe('file');
    const pdf = await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') });
    expect(pdf.statusCode).toBe(400);
    const fields = await upload(id, techA.token, { phase: 'during', keepLocation: 'maybe' });
    expect(fields.statusCode).toBe(400);
    expect(
      fields
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['file', 'keepLocation', 'phase']);
    expect(await count('field_visit_photos', id)).toBe(0);
  });

  it('replaying an upload with the same Idempotency-Key changes nothing', async () => {
    const { id, ticketId } = await visitAt('arrived');
    const first = await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg }, 'photo-key-1');
    expect(first.statusCode).toBe(201);
    const files = await attachmentsOf(ticketId);
    const again = await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg }, 'photo-key-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await count('field_visit_photos', id)).toBe(1);
    expect(await attachmentsOf(ticketId)).toBe(files);
    const reused = await upload(id, techA.token, { phase: 'after' }, { name: 'a.jpg', data: gpsJpeg }, 'photo-key-1');
    expect(reused.statusCode).toBe(422);
  });
});

describe('quote', () => {
  it('a pending quote blocks start (409 quote_pending) until the customer accepts; no quote, no charge', async () => {
    const { id } = await visitAt('arrived');
    const bad = await api('POST', `/visits/${id}/quote`, techA.token, { items: [{ description: '', amountFen: -1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['items[0].description', 'items[0].amountFen']));
    expect((await api('POST', `/visits/${id}/quote`, techA.token, { items: [] })).json().errors[0].path).toBe('items');
    expect((await api('POST', `/visits/${id}/quote`, techB.token, { items: [{ description: '上门费', amountFen: 3000 }] })).statusCode).toBe(404);
    const noQuote = await api('POST', `/visits/${id}/quote/accept`, techA.token, {});
    expect(noQuote.statusCode).toBe(409);
    expect(noQuote.json().reason).toBe('no_quote');

    const items = [
      { description: '上门费', amountFen: 3000 },
      { description: '更换温控阀', amountFen: 9050 },
    ];
    const q = await api('POST', `/visits/${id}/quote`, techA.token, { items }, { 'idempotency-key': 'quote-1' });
    expect(q.statusCode, q.body).toBe(201);
    expect(q.json()).toMatchObject({ totalFen: 12050, state: 'pending' });
    const replay = await api('POST', `/visits/${id}/quote`, techA.token, { items }, { 'idempotency-key': 'quote-1' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(q.json());
    expect(await count('field_visit_quotes', id)).toBe(1);

    const blocked = await api('POST', `/visits/${id}/start`, techA.token);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().reason).toBe('quote_pending');
    const acc = await api('POST', `/visits/${id}/quote/accept`, techA.token, {}, { 'idempotency-key': 'accept-1' });
    expect(acc.statusCode, acc.body).toBe(200);
    expect(acc.json()).toEqual({ state: 'accepted' });
    const accAgain = await api('POST', `/visits/${id}/quote/accept`, techA.token, {}, { 'idempotency-key': 'accept-1' });
    expect(accAgain.headers['idempotent-replayed']).toBe('true');
    expect((await t.auditRows('field.visit_quote_accepted')).filter((r) => r.target_id === id)).toHaveLength(1);
    const changed = await api('POST', `/visits/${id}/quote`, techA.token, { items });
    expect(changed.statusCode).toBe(409);
    expect(changed.json().reason).toBe('quote_accepted');

    expect((await api('POST', `/visits/${id}/start`, techA.token)).json().state).toBe('started');
    const late = await api('POST', `/visits/${id}/quote`, techA.token, { items });
    expect(late.statusCode).toBe(409);
    expect(late.json().reason).toBe('visit_state');
    expect((await api('GET', `/visits/${id}/work`, techA.token)).json().quote).toMatchObject({ totalFen: 12050, state: 'accepted', items });
    // Without a quote the work starts at once (no charge).
    const free = await visitAt('arrived');
    expect((await api('POST', `/visits/${free.id}/start`, techA.token)).statusCode).toBe(200);
  });
});

describe('sign-off and the service report', () => {
  it("on the technician's phone: validates the signature, builds the 回执 PDF once, tells the ticket; replay changes nothing", async () => {
    const { id, ticketId } = await visitAt('arrived', { quote: true });
    expect((await upload(id, techA.token, { phase: 'before' }, { name: 'a.jpg', data: gpsJpeg })).statusCode).toBe(201);
    expect((await api('POST', `/visits/${id}/start`, techA.token)).statusCode).toBe(200);
    const tooEarly = await api('POST', `/visits/${id}/signoff`, techA.token, { signature, rating: 5 });
    expect(tooEarly.statusCode).toBe(409);
    expect(tooEarly.json().reason).toBe('visit_state');
    expect((await api('PUT', `/visits/${id}/checklist`, techA.token, { steps: STEPS })).statusCode).toBe(200);
    expect((await upload(id, techA.token, { phase: 'after' }, { name: 'b.jpg', data: gpsJpeg })).statusCode).toBe(201);
    expect((await api('POST', `/visits/${id}/complete`, techA.token, { notes: '更换温控阀，试机正常', labourMinutes: 45 })).statusCode).toBe(200);

    const jpegAsPng = `data:image/png;base64,${gpsJpeg.subarray(0, 2000).toString('base64')}`;
    const bad = await api('POST', `/visits/${id}/signoff`, techA.token, { signature: jpegAsPng, rating: 5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('signature');
    const badInput = await api('POST', `/visits/${id}/signoff`, techA.token, { signature: 'hello', rating: 6 });
    expect(badInput.statusCode).toBe(400);
    expect(
      badInput
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['rating', 'signature']);
    const big = `data:image/png;base64,${Buffer.alloc(310 * 1024, 1).toString('base64')}`;
    const tooBig = await api('POST', `/visits/${id}/signoff`, techA.token, { signature: big, rating: 5 });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().errors[0].path).toBe('signature');
    expect((await api('POST', `/visits/${id}/signoff`, techB.token, { signature, rating: 5 })).statusCode).toBe(404);

    // A part from the technician's van goes on the report.
    const partId = (await api('POST', '/field/parts', admin, { code: 'VALVE-T1', name: '温控阀', unit: '个', unitCostFen: 6800 })).json().id as string;
    const wh = (await api('POST', '/field/stock/locations', admin, { kind: 'warehouse', name: '中心仓库' })).json().id as string;
    const van = (await api('POST', '/field/stock/locations', admin, { kind: 'van', technicianId: techA.id })).json().id as string;
    expect((await api('POST', '/field/stock/receive', admin, { partId, locationId: wh, qty: 5 })).statusCode).toBe(201);
    expect((await api('POST', '/field/stock/issue', admin, { partId, fromLocationId: wh, toLocationId: van, qty: 2 })).statusCode).toBe(201);
    const used = await api('POST', `/visits/${id}/parts`, techA.token, { partId, qty: 1 });
    expect(used.statusCode, used.body).toBe(201);

    const body = { signature, rating: 4, comment: '师傅很专业' };
    const signed = await api('POST', `/visits/${id}/signoff`, techA.token, body, { 'idempotency-key': 'sign-1' });
    expect(signed.statusCode, signed.body).toBe(201);
    const reportId = signed.json().reportAttachmentId as string;
    const files = await attachmentsOf(ticketId);
    const replay = await api('POST', `/visits/${id}/signoff`, techA.token, body, { 'idempotency-key': 'sign-1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ reportAttachmentId: reportId });
    expect(await attachmentsOf(ticketId)).toBe(files);
    expect(await count('field_visit_signoffs', id)).toBe(1);
    const twice = await api('POST', `/visits/${id}/signoff`, techA.token, body);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().reason).toBe('already_signed');
    const photosAfter = await upload(id, techA.token, { phase: 'after' }, { name: 'b.jpg', data: gpsJpeg });
    expect(photosAfter.statusCode).toBe(409);

    const events = await t.database.rows<{ kind: string; data: { rating?: number; method?: string } }>(
      sql`SELECT kind, data FROM events WHERE aggregate_id = ${ticketId} AND kind = 'field.visit_signed'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ rating: 4, method: 'on_device' });
    const work = (await api('GET', `/visits/${id}/work`, agent)).json();
    expect(work).toMatchObject({ reportAttachmentId: reportId, signoff: { rating: 4, comment: '师傅很专业', method: 'on_device' } });
    const ticket = (await api('GET', `/tickets/${ticketId}`, agent)).json();
    const file = ticket.attachments.find((a: { id: string }) => a.id === reportId);
    expect(file).toMatchObject({ mime: 'application/pdf' });
    expect(file.filename).toMatch(/^服务回执-.+\.pdf$/);

    // The PDF: staff who see the ticket and the technician; the ticket's customer on the portal; nobody else.
    const pdf = await api('GET', `/visits/${id}/report.pdf`, agent);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['x-content-type-options']).toBe('nosniff');
    expect(pdf.headers['content-disposition']).toMatch(/^attachment;/);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.rawPayload.length).toBeLessThan(1024 * 1024);
    expect((await api('GET', `/visits/${id}/report.pdf`, techA.token)).statusCode).toBe(200);
    expect((await api('GET', `/visits/${id}/report.pdf`, techB.token)).statusCode).toBe(404);
    expect((await api('GET', `/visits/${id}/work`, techB.token)).statusCode).toBe(404);
    const portal = await api('GET', `/portal/visits/${id}/report.pdf`, customer.token);
    expect(portal.statusCode).toBe(200);
    expect(portal.rawPayload.equals(pdf.rawPayload)).toBe(true);
    expect((await api('GET', `/portal/visits/${id}/report.pdf`, otherCustomer)).statusCode).toBe(404);
    expect((await api('GET', `/portal/tickets/${ticketId}/visit-reports`, customer.token)).json().items).toEqual([
      expect.objectContaining({ visitId: id, reportAttachmentId: reportId }),
    ]);
    expect((await api('GET', `/portal/tickets/${ticketId}/visit-reports`, otherCustomer)).statusCode).toBe(404);

    const number = ticket.number as string;
    if (hasPdftotext) {
      const dir = mkdtempSync(join(tmpdir(), 'chidu-report-'));
      try {
        writeFileSync(join(dir, 'r.pdf'), pdf.rawPayload);
        execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'r.pdf'), join(dir, 'r.txt')]);
        const text = readFileSync(join(dir, 'r.txt'), 'utf8');
        for (const s of [
          '服务回执',
          number,
          techA.name,
          '热水器不出热水',
          '¥120.00',
          '更换温控阀，试机正常',
          '45 分钟',
          '扫码签到',
          '维修前照片',
          '维修后照片',
          '师傅很专业',
          '温控阀',
          '¥68.00',
        ])
          expect(text, s).toContain(s);
        expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
        expect(text).not.toContain('13800138000');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('through a one-time link: the summary without phone numbers, single use, expiry → 410 token_expired', async () => {
    const { id, ticketId } = await visitAt('completed');
    expect((await api('POST', `/visits/${id}/signoff-link`, techB.token)).statusCode).toBe(404);
    const link = await api('POST', `/visits/${id}/signoff-link`, techA.token, undefined, { 'idempotency-key': 'link-1' });
    expect(link.statusCode, link.body).toBe(201);
    const { token, url, expiresAt } = link.json();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(url).toMatch(new RegExp(`/signoff/${token}$`));
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    const replay = await api('POST', `/visits/${id}/signoff-link`, techA.token, undefined, { 'idempotency-key': 'link-1' });
    expect(replay.json()).toEqual(link.json());
    expect(await count('field_signoff_links', id)).toBe(1);
    // Only the hash is stored.
    const stored = await t.database.rows<{ token_hash: string }>(sql`SELECT token_hash FROM field_signoff_links WHERE visit_id = ${id}`);
    expect(stored[0]!.token_hash).not.toContain(token);
    // A dispatcher may make one too.
    expect((await api('POST', `/visits/${id}/signoff-link`, agent)).statusCode).toBe(201);

    const summary = await api('GET', `/public/visit-signoff/${token}`);
    expect(summary.statusCode, summary.body).toBe(200);
    expect(summary.json()).toMatchObject({ subject: '热水器不出热水', technicianName: '杨师傅', notes: '更换温控阀，试机正常', labourMinutes: 45, parts: [] });
    expect(summary.json().sitePath.at(-1)).toBe('1201');
    expect(summary.body).not.toMatch(/1380013|138\*{4}/);
    expect((await api('GET', `/public/visit-signoff/${'x'.repeat(43)}`)).statusCode).toBe(404);
    const bad = await api('POST', `/public/visit-signoff/${token}`, undefined, { rating: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('rating');

    const signed = await api('POST', `/public/visit-signoff/${token}`, undefined, { signature, rating: 5, comment: '满意' });
    expect(signed.statusCode, signed.body).toBe(201);
    const again = await api('POST', `/public/visit-signoff/${token}`, undefined, { rating: 5 });
    expect(again.statusCode).toBe(410);
    expect(again.json().reason).toBe('token_expired');
    expect((await api('GET', `/public/visit-signoff/${token}`)).statusCode).toBe(410);
    expect(await count('field_visit_signoffs', id)).toBe(1);
    expect((await api('GET', `/visits/${id}/work`, techA.token)).json().signoff).toMatchObject({ rating: 5, method: 'link' });
    const events = await t.database.rows<{ kind: string }>(sql`SELECT kind FROM events WHERE aggregate_id = ${ticketId} AND kind = 'field.visit_signed'`);
    expect(events).toHaveLength(1);

    // An expired link → 410 as well.
    const other = await visitAt('completed');
    const l2 = (await api('POST', `/visits/${other.id}/signoff-link`, techA.token)).json();
    await t.database.db.execute(sql`UPDATE field_signoff_links SET expires_at = now() - interval '1 minute' WHERE visit_id = ${other.id}`);
    const late = await api('POST', `/public/visit-signoff/${l2.token}`, undefined, { rating: 5 });
    expect(late.statusCode).toBe(410);
    expect(late.json().reason).toBe('token_expired');
    expect(await count('field_visit_signoffs', other.id)).toBe(0);
    // Not completed yet: no link.
    const open = await visitAt('arrived');
    expect((await api('POST', `/visits/${open.id}/signoff-link`, techA.token)).json().reason).toBe('visit_state');
  });

  it('formats report times in Asia/Shanghai and money in yuan', () => {
    expect(reportTime(new Date('2026-12-06T06:05:00Z'), 'zh-CN')).toBe('2026年12月6日 14:05');
    expect(reportTime(new Date('2026-12-06T16:30:00Z'), 'en')).toBe('2026-12-07 00:30');
    expect(yuan(12050)).toBe('¥120.50');
  });
});

describe('the portal after a completed visit', () => {
  it('shows the completed visit and its 回执 instead of the slot picker; a new booking only once the request is reopened', async () => {
    const { id, ticketId } = await visitAt('completed');
    const slots = () => api('GET', `/portal/tickets/${ticketId}/slots?days=3`, customer.token);
    const s1 = await slots();
    expect(s1.statusCode, s1.body).toBe(200);
    expect(s1.json()).toMatchObject({
      bookable: false,
      items: [],
      booked: null,
      completed: { visitId: id, technicianName: '杨师傅', reportAttachmentId: null },
    });
    const start = new Date(Date.now() + 3 * 86_400_000);
    const window = { start: start.toISOString(), end: new Date(start.getTime() + 7_200_000).toISOString() };
    const refused = await api('POST', `/portal/tickets/${ticketId}/bookings`, customer.token, window);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().reason).toBe('visit_not_bookable');

    const signed = await api('POST', `/visits/${id}/signoff`, techA.token, { signature, rating: 5 });
    expect(signed.statusCode, signed.body).toBe(201);
    expect((await slots()).json().completed.reportAttachmentId).toBe(signed.json().reportAttachmentId);

    // The problem comes back: the request is resolved, then reopened → a new visit can be booked again.
    const resolved = await api('POST', `/tickets/${ticketId}/resolve`, agent, { resolution: '已修好' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect((await slots()).json().bookable).toBe(false);
    const reopened = await api('POST', `/tickets/${ticketId}/reopen`, agent, { reason: '又不出热水了' });
    expect(reopened.statusCode, reopened.body).toBe(200);
    const s2 = (await slots()).json();
    expect(s2.bookable).toBe(true);
    expect(s2.completed.visitId).toBe(id);
  });
});
