import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf, planMonth } from '../src/modules/mystery/mystery.plan';
import { testApp, type TestApp } from './harness';

/**
 * Issue #15 item 7: mystery shopper (神秘顾客) and open inspection. Scripts are versioned, a month's plan spreads the
 * visits, an unannounced visit stays hidden from the site's staff until it is submitted, recording scores it with the
 * scorecard engine and evidence, the served agent then sees it and it counts in their composite, and the month view.
 */
let t: TestApp;
type Who = { token: string; staff: { id: string } };
let admin: Who, qa: Who, qa2: Who, supervisor: Who, agent: Who, other: Who;
let site: string, site2: string, card: string, phoneScript: string, counterScript: string;
const api = (m: 'GET' | 'POST' | 'PATCH', url: string, token: string, body?: unknown) => t.inject(m, `/api/v1${url}`, token, body);
const month = new Date().toISOString().slice(0, 7);

function multipart(name: string, data: Buffer) {
  const boundary = `----chidu${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
async function upload(token: string, name: string, data: Buffer): Promise<string> {
  const m = multipart(name, data);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/qa/mystery/uploads',
    payload: m.payload,
    headers: { ...m.headers, authorization: `Bearer ${token}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}
const png = () =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
function wav(): Buffer {
  const data = Buffer.alloc(800);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  qa = await t.as(['qa']);
  qa2 = await t.as(['qa']);
  supervisor = await t.as(['supervisor']);
  agent = await t.as(['agent']);
  other = await t.as(['agent']);
  site = (await api('POST', '/sites', admin.token, { name: '翠湖苑物业服务中心' })).json().id;
  site2 = (await api('POST', '/sites', admin.token, { name: '商业街前台' })).json().id;
  const c = await api('POST', '/qa/scorecards', qa.token, {
    name: '柜台暗访评分表',
    passMark: 80,
    items: [
      { key: 'greet', dimension: 'attitude', label: '起身问候', weight: 1, scale: { kind: 'yesno' } },
      { key: 'accurate', dimension: 'professional', label: '答复准确', weight: 2, scale: { kind: 'points', max: 5 } },
      { key: 'privacy', dimension: 'process', label: '未泄露业主信息', weight: 1, scale: { kind: 'yesno' }, critical: true },
      { key: 'queue', dimension: 'environment', label: '排队引导', weight: 1, scale: { kind: 'yesno' }, allowNa: true },
    ],
  });
  expect(c.statusCode, c.body).toBe(201);
  card = c.json().id;
});
afterAll(async () => t?.close());

describe('planning (pure)', () => {
  it('spreads visits evenly over the month, takes channels and kinds in turn and balances shoppers', () => {
    expect([0, 1].map((k) => dayOf('2026-02', k, 2))).toEqual(['2026-02-08', '2026-02-22']);
    expect(dayOf('2026-12', 0, 1)).toBe('2026-12-16');
    const out = planMonth(
      '2026-12',
      [{ siteId: 's1', visits: 4, channels: ['phone', 'walk_in'], kinds: ['mystery'], remaining: 4 }],
      ['a', 'b'],
      new Map([['a', 3]]),
    );
    expect(out.map((v) => v.channel)).toEqual(['phone', 'walk_in', 'phone', 'walk_in']);
    expect(out.map((v) => v.shopperId)).toEqual(['b', 'b', 'b', 'a']);
    expect(new Set(out.map((v) => v.plannedOn)).size).toBe(4);
    // Two of four already done: only the last two are planned, on their own days.
    const rest = planMonth('2026-12', [{ siteId: 's1', visits: 4, channels: ['phone'], kinds: ['open', 'mystery'], remaining: 2 }], ['a']);
    expect(rest.map((v) => [v.plannedOn, v.kind])).toEqual([
      ['2026-12-20', 'open'],
      ['2026-12-28', 'mystery'],
    ]);
  });
});

describe('scripts', () => {
  it('creates versioned scripts; bad input names the field', async () => {
    const bad = await api('POST', '/qa/mystery/scripts', qa.token, { title: '', channel: 'fax', story: 'x', steps: [], scorecardId: card });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('channel');
    const noCard = await api('POST', '/qa/mystery/scripts', qa.token, {
      title: '电话咨询物业费',
      channel: 'phone',
      story: '业主',
      steps: ['问'],
      scorecardId: site,
    });
    expect(noCard.statusCode).toBe(400);
    expect(noCard.json().errors[0].path).toBe('scorecardId');
    const phone = await api('POST', '/qa/mystery/scripts', qa.token, {
      title: '电话咨询物业费',
      channel: 'phone',
      story: '我是 5 栋业主，想问物业费怎么交、能不能开电子发票。',
      steps: ['拨打客服热线', '询问物业费标准', '询问电子发票'],
      scorecardId: card,
      evidence: ['audio'],
    });
    expect(phone.statusCode, phone.body).toBe(201);
    phoneScript = phone.json().id;
    const counter = await api('POST', '/qa/mystery/scripts', qa.token, {
      title: '前台办理停车卡',
      siteId: site,
      channel: 'walk_in',
      story: '新入住业主到前台办理月租停车卡。',
      steps: ['到前台', '说明来意', '询问所需材料', '询问费用'],
      scorecardId: card,
      evidence: ['photo'],
    });
    expect(counter.statusCode, counter.body).toBe(201);
    counterScript = counter.json().id;
    expect(counter.json()).toMatchObject({ version: 1, siteName: '翠湖苑物业服务中心', scorecardName: '柜台暗访评分表' });
    const agentTry = await api('POST', '/qa/mystery/scripts', agent.token, { title: 'x', channel: 'phone', story: 'x', steps: ['x'], scorecardId: card });
    expect(agentTry.statusCode).toBe(403);
  });
});

describe('a month of visits', () => {
  let visit: string;
  it('plans the month: refuses a channel without a script and a shopper without qa.inspect', async () => {
    const noScript = await api('POST', '/qa/mystery/plans', qa.token, {
      month,
      sites: [{ siteId: site2, visits: 2, channels: ['walk_in'] }],
      shopperIds: [qa.staff.id],
    });
    expect(noScript.statusCode).toBe(400);
    expect(noScript.json().errors[0].path).toBe('sites.0.channels.0');
    const notShopper = await api('POST', '/qa/mystery/plans', qa.token, {
      month,
      sites: [{ siteId: site, visits: 2, channels: ['walk_in'] }],
      shopperIds: [agent.staff.id],
    });
    expect(notShopper.statusCode).toBe(400);
    expect(notShopper.json().errors[0].path).toBe('shopperIds.0');
    const res = await api('POST', '/qa/mystery/plans', qa.token, {
      month,
      sites: [
        { siteId: site, visits: 2, channels: ['walk_in', 'phone'], kinds: ['mystery', 'open'] },
        { siteId: site2, visits: 1, channels: ['phone'], kinds: ['remote'] },
      ],
      shopperIds: [qa.staff.id, qa2.staff.id],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ month, planned: 3 });
    // Re-planning replaces the visits not yet done.
    const again = await api('POST', '/qa/mystery/plans', qa.token, {
      month,
      sites: [{ siteId: site, visits: 2, channels: ['walk_in', 'phone'], kinds: ['mystery', 'open'] }],
      shopperIds: [qa.staff.id],
    });
    expect(again.json().planned).toBe(2);
    const all = (await api('GET', `/qa/mystery/visits?month=${month}`, qa.token)).json().items;
    expect(all).toHaveLength(3);
    const counter = all.find((v: { channel: string; site: { id: string } }) => v.channel === 'walk_in' && v.site.id === site);
    expect(counter).toMatchObject({
      kind: 'mystery',
      state: 'planned',
      script: { id: counterScript, version: 1, title: '前台办理停车卡' },
      allowed: { submit: true },
    });
    visit = counter.id;
  });

  it('an unannounced visit is invisible to the site’s supervisor and agents until it is submitted', async () => {
    for (const who of [supervisor, agent]) {
      expect((await api('GET', `/qa/mystery/visits/${visit}`, who.token)).statusCode).toBe(404);
      const list = (await api('GET', `/qa/mystery/visits?month=${month}`, who.token)).json().items;
      expect(list.map((v: { id: string }) => v.id)).not.toContain(visit);
    }
    // The supervisor sees the announced (open / remote) visits, not the mystery one, and no plan.
    const sup = (await api('GET', `/qa/mystery/visits?month=${month}`, supervisor.token)).json().items;
    expect(sup.map((v: { kind: string }) => v.kind).sort()).toEqual(['open', 'remote']);
    const view = (await api('GET', `/qa/mystery/month?month=${month}`, supervisor.token)).json();
    expect(view.totals.planned).toBe(2);
    expect(view.plans).toEqual([]);
    expect((await api('GET', `/qa/mystery/month?month=${month}`, qa.token)).json().totals.planned).toBe(3);
  });

  it('a script change is a new version; the planned visit keeps its version', async () => {
    const res = await api('PATCH', `/qa/mystery/scripts/${counterScript}`, qa.token, { steps: ['到前台', '说明来意', '询问所需材料', '询问费用', '离开'] });
    expect(res.json().version).toBe(2);
    const v = (await api('GET', `/qa/mystery/visits/${visit}`, qa.token)).json();
    expect(v.script.version).toBe(1);
    expect(v.script.steps).toHaveLength(4);
  });

  it('recording refuses bad input naming the field, someone else’s visit and a missing photo', async () => {
    const photo = await upload(qa.token, 'counter.png', await png());
    const scores = [
      { item: 'greet', score: 0, note: '前台未起身' },
      { item: 'accurate', score: 5 },
      { item: 'privacy', score: 1 },
      { item: 'queue', score: null },
    ];
    const base = {
      visitedAt: new Date(Date.now() - 3600_000).toISOString(),
      steps: [true, true, true, false],
      scores,
      evidence: [photo],
      servedIds: [agent.staff.id],
    };
    const badItem = await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, { ...base, scores: scores.slice(1) });
    expect(badItem.statusCode).toBe(400);
    expect(badItem.json().errors[0].path).toBe('scores.greet');
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, { ...base, steps: [true] })).json().errors[0].path).toBe('steps');
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, { ...base, evidence: [] })).json().errors[0].path).toBe('evidence');
    const foreign = await upload(qa2.token, 'x.png', await png());
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, { ...base, evidence: [foreign] })).json().errors[0].path).toBe('evidence.0');
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, { ...base, servedIds: [qa.staff.id] })).json().errors[0].path).toBe(
      'servedIds.0',
    );
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa2.token, base)).statusCode).toBe(403);

    const res = await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, base);
    expect(res.statusCode, res.body).toBe(200);
    // (0×1 + 5/5×2 + 1×1) / 4 weights (queue N/A) = 75, below the pass mark 80.
    expect(res.json()).toMatchObject({ state: 'submitted', score: 75, passed: false, served: [{ id: agent.staff.id }] });
    expect(res.json().steps.map((s: { done: boolean }) => s.done)).toEqual([true, true, true, false]);
    expect((await api('POST', `/qa/mystery/visits/${visit}/submit`, qa.token, base)).statusCode).toBe(409);
  });

  it('after submission the served agent and the supervisor see it (the shopper anonymous to the agent); others do not', async () => {
    const mine = await api('GET', `/qa/mystery/visits/${visit}`, agent.token);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ score: 75, shopper: null });
    expect((await api('GET', `/qa/mystery/visits/${visit}`, supervisor.token)).json().shopper.id).toBe(qa.staff.id);
    expect((await api('GET', `/qa/mystery/visits/${visit}`, other.token)).statusCode).toBe(404);
    const ev = (await api('GET', `/qa/mystery/visits/${visit}`, agent.token)).json().evidence[0];
    const file = await api('GET', `/qa/mystery/visits/${visit}/evidence/${ev.attachmentId}`, agent.token);
    expect(file.statusCode).toBe(200);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-type']).toBe('image/png');
    expect((await api('GET', `/qa/mystery/visits/${visit}/evidence/${ev.attachmentId}`, other.token)).statusCode).toBe(404);
  });

  it('the visit counts in the served agent’s composite like an inspection', async () => {
    const perf = (await api('GET', `/performance?month=${month}`, agent.token)).json();
    expect(perf.parts.qa).toMatchObject({ score: 75, numerator: 75, denominator: 1 });
  });

  it('the month view: planned vs done per site, averages per site and channel; a remote call with a recording', async () => {
    const view = (await api('GET', `/qa/mystery/month?month=${month}`, qa.token)).json();
    const s1 = view.sites.find((s: { siteId: string }) => s.siteId === site);
    expect(s1).toMatchObject({ planned: 2, done: 1, average: 75, passRate: 0 });
    expect(view.channels).toEqual([{ channel: 'walk_in', done: 1, average: 75 }]);
    expect(view.plans).toHaveLength(2);
    // An ad-hoc remote call in the past, not yet recorded: overdue.
    const remote = await api('POST', '/qa/mystery/visits', qa.token, {
      scriptId: phoneScript,
      siteId: site2,
      kind: 'remote',
      shopperId: qa.staff.id,
      plannedOn: '2026-01-05',
    });
    expect(remote.statusCode, remote.body).toBe(201);
    expect(remote.json()).toMatchObject({ overdue: true, month: '2026-01' });
    const audio = await upload(qa.token, 'call.wav', wav());
    const scores = [
      { item: 'greet', score: 1 },
      { item: 'accurate', score: 4 },
      { item: 'privacy', score: 0 },
      { item: 'queue', score: 1 },
    ];
    const res = await api('POST', `/qa/mystery/visits/${remote.json().id}/submit`, qa.token, {
      visitedAt: new Date(Date.now() - 60_000).toISOString(),
      steps: [true, true, true],
      scores,
      evidence: [audio],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ score: 0, passed: false }); // 一票否决
    const jan = (await api('GET', '/qa/mystery/month?month=2026-01', qa.token)).json();
    expect(jan.totals).toMatchObject({ planned: 1, done: 1, overdue: 0, average: 0 });
  });
});
