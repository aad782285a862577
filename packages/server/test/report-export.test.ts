/**
 * The dashboards' .xlsx export is a report: title, organisation, period and filters in words, one sheet per table
 * and chart, rates as percentage cells beside numerator and denominator (equal to the JSON endpoint), durations as
 * day fractions formatted [h]:mm:ss, frozen header, zh-CN sheet names (en on request). Read back with a small
 * OOXML reader (ZIP central directory + inflate, cells by regex) — the export has no library to read it with.
 */
import { inflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/lib/context';
import { uuidv7 } from '../src/lib/ids';
import { drainMeasures } from '../src/modules/measures/worker';
import { recordTicketEvent, type TicketSnapshot } from '../src/modules/tickets/ticket-events';
import { testApp, type TestApp } from './harness';

const H = 3_600_000;
const M = 60_000;
const T0 = Date.parse('2026-03-02T00:00:00+08:00');
const DAYQ = 'from=2026-03-02&to=2026-03-02';

// ───────────────────────────── a minimal .xlsx reader ─────────────────────────────

function unzip(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

interface XCellRead {
  s: number;
  v: string | number | null;
}
interface Book {
  names: string[];
  styles: string;
  sheets: Map<string, { xml: string; cells: Map<string, XCellRead> }>;
}

const unxml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

function readBook(buf: Buffer): Book {
  const files = unzip(buf);
  const wb = files.get('xl/workbook.xml')!;
  const names = [...wb.matchAll(/<sheet name="([^"]*)" sheetId="(\d+)"/g)].map((m) => unxml(m[1]!));
  const sheets = new Map<string, { xml: string; cells: Map<string, XCellRead> }>();
  names.forEach((n, i) => {
    const xml = files.get(`xl/worksheets/sheet${i + 1}.xml`)!;
    const cells = new Map<string, XCellRead>();
    for (const m of xml.matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(\/>|>(.*?)<\/c>)/g)) {
      const attrs = m[2] ?? '';
      const s = Number(/ s="(\d+)"/.exec(attrs)?.[1] ?? 0);
      const body = m[4] ?? '';
      const text = /<t[^>]*>(.*?)<\/t>/.exec(body)?.[1];
      const num = /<v>(.*?)<\/v>/.exec(body)?.[1];
      cells.set(m[1]!, { s, v: text !== undefined ? unxml(text) : num !== undefined ? Number(num) : null });
    }
    sheets.set(n, { xml, cells });
  });
  return { names, styles: files.get('xl/styles.xml')!, sheets };
}

/** The cell style's number format code (custom formats of the workbook). */
function formatOf(book: Book, s: number): string | null {
  const xfs = /<cellXfs[^>]*>(.*?)<\/cellXfs>/.exec(book.styles)![1]!;
  const xf = [...xfs.matchAll(/<xf [^>]*?numFmtId="(\d+)"/g)][s];
  const id = xf?.[1];
  if (!id) return null;
  return new RegExp(`<numFmt numFmtId="${id}" formatCode="([^"]*)"`).exec(book.styles)?.[1] ?? (id === '0' ? 'General' : `builtin:${id}`);
}

/** Column letter of a heading in a sheet's header row. */
function columnOf(sheet: { cells: Map<string, XCellRead> }, headerRow: number, heading: string): string {
  for (const [ref, c] of sheet.cells) {
    const m = /^([A-Z]+)(\d+)$/.exec(ref);
    if (m && Number(m[2]) === headerRow && c.v === heading) return m[1]!;
  }
  throw new Error(`no heading ${heading}`);
}

// ───────────────────────────── data ─────────────────────────────

let t: TestApp;
let director: string;
let teamA: string;
let teamB: string;

async function ticket(o: { teamId: string; type?: string; channel?: string; created: number; firstReply?: number; resolved?: number; csat?: number }) {
  const id = uuidv7();
  const customerId = uuidv7();
  const status = o.resolved !== undefined ? 'resolved' : 'in_progress';
  const snap: TicketSnapshot = {
    id,
    number: `GD-${id.slice(-8)}`,
    customerId,
    customerTier: 'regular',
    customerVip: false,
    type: o.type ?? 'inquiry',
    channel: o.channel ?? 'phone',
    priority: 'normal',
    status,
    previousStatus: status,
    ownerId: null,
    teamId: o.teamId,
    categoryId: null,
    site: null,
    createdAt: new Date(o.created),
  };
  await t.database.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO customers (id, name, tier) VALUES (${customerId}, ${'客户'}, 'regular')`);
    await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, team_id, created_by_kind, created_at,
        first_public_reply_at, resolved_at, staff_public_reply_count)
      VALUES (${id}, ${snap.number}, ${customerId}, ${snap.type}, ${snap.channel}, 'normal', ${status}, ${'报表工单'}, '', ${o.teamId}, 'system', ${new Date(o.created)},
        ${o.firstReply !== undefined ? new Date(o.firstReply) : null}, ${o.resolved !== undefined ? new Date(o.resolved) : null}, ${o.firstReply !== undefined ? 1 : 0})`);
    await recordTicketEvent(tx, systemCtx('test'), snap, 'ticket.created', {}, new Date(o.created));
    if (o.csat !== undefined)
      await recordTicketEvent(
        tx,
        systemCtx('test'),
        snap,
        'survey.answered',
        { surveyId: uuidv7(), responseId: uuidv7(), answers: { csat: o.csat }, lowScore: o.csat <= 2 },
        new Date(o.created + 5 * H),
      );
  });
}

beforeAll(async () => {
  t = await testApp({ CHIDU_ORG_NAME: '测试物业有限公司' });
  teamA = (await t.team('一组')).id;
  teamB = (await t.team('二组')).id;
  director = (await t.as(['director'])).token;
  await ticket({ teamId: teamA, created: T0 + 1 * H, firstReply: T0 + 1 * H + 10 * M, resolved: T0 + 3 * H, csat: 5 });
  await ticket({ teamId: teamA, created: T0 + 2 * H, firstReply: T0 + 2 * H + 25 * M, resolved: T0 + 4 * H + 30 * M, csat: 2 });
  await ticket({ teamId: teamA, type: 'complaint', channel: 'wechat', created: T0 + 3 * H, firstReply: T0 + 3 * H + 5 * M, csat: 4 });
  await ticket({ teamId: teamB, created: T0 + 4 * H, firstReply: T0 + 4 * H + 50 * M, resolved: T0 + 9 * H, csat: 5 });
  await drainMeasures(t.database);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const xlsx = async (q: string, headers?: Record<string, string>) => {
  const r = await t.inject('GET', `/api/v1/measures/export?${q}`, director, undefined, headers);
  expect(r.statusCode).toBe(200);
  expect(r.headers['content-type']).toContain('spreadsheetml');
  return readBook(r.rawPayload);
};

describe('xlsx report of the overview', () => {
  it('title block, sheets, frozen header, percentages and durations equal to the JSON endpoint', async () => {
    const book = await xlsx(`${DAYQ}&groupBy=team&channel=phone&format=xlsx&lang=zh-CN`);
    expect(book.names).toEqual(['概览', '按团队', '趋势图（按日）', '首次响应分布', '解决时长分布']);
    const summary = book.sheets.get('概览')!;
    expect(summary.cells.get('A1')?.v).toBe('服务指标报表');
    expect(summary.cells.get('A2')?.v).toBe('组织：测试物业有限公司');
    expect(summary.cells.get('A3')?.v).toBe('统计期间：2026-03-02 至 2026-03-02（时区 Asia/Shanghai）');
    expect(summary.cells.get('A4')?.v).toBe('筛选条件：渠道：电话');
    expect(String(summary.cells.get('A5')?.v)).toMatch(/^导出时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // The header row (7) is frozen on every sheet.
    for (const s of book.sheets.values()) expect(s.xml).toContain('<pane ySplit="7" topLeftCell="A8" activePane="bottomLeft" state="frozen"/>');

    const json = (await t.inject('GET', `/api/v1/measures?${DAYQ}&groupBy=team&channel=phone`, director)).json();
    const byTeam = book.sheets.get('按团队')!;
    expect(byTeam.cells.get('A7')?.v).toBe('团队');
    const csat = columnOf(byTeam, 7, 'CSAT');
    const csatN = columnOf(byTeam, 7, 'CSAT 分子(4–5分)');
    const csatD = columnOf(byTeam, 7, 'CSAT 分母');
    const fr50 = columnOf(byTeam, 7, '首次响应 P50');
    const rows = json.rows as {
      labels: { team: string };
      csat: { value: number; numerator: number; denominator: number };
      firstResponseSeconds: { p50: number };
    }[];
    expect(rows.length).toBe(2);
    rows.forEach((r, i) => {
      const n = 8 + i;
      expect(byTeam.cells.get(`A${n}`)?.v).toBe(r.labels.team);
      const rate = byTeam.cells.get(`${csat}${n}`)!;
      expect(rate.v).toBe(r.csat.value);
      expect(formatOf(book, rate.s)).toBe('0.0%');
      expect(byTeam.cells.get(`${csatN}${n}`)?.v).toBe(r.csat.numerator);
      expect(byTeam.cells.get(`${csatD}${n}`)?.v).toBe(r.csat.denominator);
      const dur = byTeam.cells.get(`${fr50}${n}`)!;
      expect(dur.v).toBeCloseTo(r.firstResponseSeconds.p50 / 86_400, 12);
      expect(formatOf(book, dur.s)).toBe('[h]:mm:ss');
    });
    expect(byTeam.cells.get(`A${8 + rows.length}`)?.v).toBe('合计');
    expect(byTeam.cells.get(`${csatN}${8 + rows.length}`)?.v).toBe(json.total.csat.numerator);
    // Team A over phone: CSAT answers 5 and 2 → 1/2; first responses 10 and 25 min → P50 10 min.
    expect(rows.find((r) => r.labels.team === '一组')!.csat).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });

    // Summary: one row per measure, value formatted by its kind.
    const label = (n: number) => summary.cells.get(`A${n}`)?.v;
    const csatRow = [...Array(20).keys()].map((i) => i + 8).find((n) => label(n) === '满意度 CSAT')!;
    expect(summary.cells.get(`B${csatRow}`)?.v).toBe(json.total.csat.value);
    expect(formatOf(book, summary.cells.get(`B${csatRow}`)!.s)).toBe('0.0%');
    expect(summary.cells.get(`C${csatRow}`)?.v).toBe(json.total.csat.numerator);
    expect(summary.cells.get(`D${csatRow}`)?.v).toBe(json.total.csat.denominator);
    expect(summary.cells.get(`E${csatRow}`)?.v).toBe(0.85);
    expect(summary.cells.get(`F${csatRow}`)?.v).toBe('未达标');

    // The trend chart's data: one row per day with the same counters.
    const trend = book.sheets.get('趋势图（按日）')!;
    expect(trend.cells.get('A8')?.v).toBe('2026-03-02');
    expect(trend.cells.get(`${columnOf(trend, 7, 'CSAT 分母')}8`)?.v).toBe(json.total.csat.denominator);

    // Distribution buckets: bounds as durations, counts adding up to the JSON distribution.
    const dist = (await t.inject('GET', `/api/v1/measures/distribution?${DAYQ}&channel=phone&measure=firstResponse`, director)).json();
    const fr = book.sheets.get('首次响应分布')!;
    expect(formatOf(book, fr.cells.get('B8')!.s)).toBe('[h]:mm:ss');
    expect(fr.cells.get('B8')?.v).toBeCloseTo(300 / 86_400, 12);
    const counts = dist.buckets.map((_: unknown, i: number) => fr.cells.get(`C${8 + i}`)?.v);
    expect(counts).toEqual(dist.buckets.map((b: { count: number }) => b.count));
  });

  it('filters in words (team name), and English sheet names and headings when asked', async () => {
    const zh = await xlsx(`${DAYQ}&teamId=${teamA}&format=xlsx`);
    expect(zh.sheets.get('概览')!.cells.get('A4')?.v).toBe('筛选条件：团队：一组');
    expect(zh.names).toEqual(['概览', '趋势图（按日）', '首次响应分布', '解决时长分布']);
    const en = await xlsx(`${DAYQ}&groupBy=team&format=xlsx`, { 'accept-language': 'en' });
    expect(en.names).toEqual(['Summary', 'By team', 'Trend by day', 'First response distribution', 'Resolution distribution']);
    const s = en.sheets.get('Summary')!;
    expect(s.cells.get('A1')?.v).toBe('Service measures report');
    expect(s.cells.get('A3')?.v).toBe('Period: 2026-03-02 to 2026-03-02 (time zone Asia/Shanghai)');
    expect(s.cells.get('A4')?.v).toBe('Filters: none (all data)');
    expect(en.sheets.get('By team')!.cells.get('A7')?.v).toBe('Team');
  });

  it('a 60-day period has a weekly trend sheet', async () => {
    const b = await xlsx('from=2026-02-01&to=2026-04-01&format=xlsx');
    expect(b.names).toContain('趋势图（按周）');
  });

  it('complaint analysis and team board are reports too; CSV stays one table', async () => {
    const c = await xlsx(`${DAYQ}&view=complaints&format=xlsx`);
    expect(c.names).toEqual(['概览', '投诉分类', '投诉根因', '重复问题']);
    expect(c.sheets.get('概览')!.cells.get('A1')?.v).toBe('投诉分析报表');
    const json = (await t.inject('GET', `/api/v1/measures?${DAYQ}`, director)).json();
    const sum = c.sheets.get('概览')!;
    const row = [...Array(10).keys()].map((i) => i + 8).find((n) => sum.cells.get(`A${n}`)?.v === '投诉率')!;
    expect(sum.cells.get(`B${row}`)?.v).toBe(json.total.complaintRate.value);
    expect(sum.cells.get(`C${row}`)?.v).toBe(json.total.complaintRate.numerator);
    expect(sum.cells.get(`D${row}`)?.v).toBe(json.total.complaintRate.denominator);

    const b = await xlsx(`view=board&teamId=${teamA}&format=xlsx`);
    expect(b.names).toEqual(['坐席负荷', '积压工单']);
    expect(b.sheets.get('坐席负荷')!.cells.get('A4')?.v).toBe('筛选条件：团队：一组');
    const backlog = b.sheets.get('积压工单')!;
    expect(backlog.cells.get('A8')?.v).toMatch(/处理中|已分派|新建/);

    const csv = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&groupBy=team&format=csv`, director);
    expect(csv.statusCode).toBe(200);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.rawPayload.subarray(3).toString('utf8').split('\r\n')[0]).toMatch(/^团队,工单数,CSAT,/);
  });

  it('bad input is a 400 naming the field', async () => {
    const r = await t.inject('GET', `/api/v1/measures/export?${DAYQ}&format=pdf`, director);
    expect(r.statusCode).toBe(400);
    expect(JSON.stringify(r.json())).toContain('format');
  });
});
