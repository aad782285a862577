import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';

/**
 * Who may read or act on a ticket: every actor × endpoint cell is asserted.
 * Ticket T belongs to customer A, is owned by `owner` in team A.
 */
let t: TestApp;
const tokens: Record<string, string | null> = {};
let customerA: string;
let ownerId: string;
let teammateId: string;

async function portalLogin(phone: string) {
  const code = (await t.inject('POST', '/api/v1/portal/auth/code', undefined, { phone })).json().demoCode;
  const res = await t.inject('POST', '/api/v1/portal/auth/verify', undefined, { phone, code });
  expect(res.statusCode).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await testApp({ CHIDU_DEMO: '1' });
  const teamA = (await t.team('A组')).id;
  const teamB = (await t.team('B组')).id;
  const owner = await t.as(['agent'], { teamId: teamA });
  const teammate = await t.as(['agent'], { teamId: teamA });
  ownerId = owner.staff.id;
  teammateId = teammate.staff.id;
  tokens.owner = owner.token;
  tokens.teammate = teammate.token;
  tokens.outsider = (await t.as(['agent'], { teamId: teamB })).token;
  tokens.supervisor = (await t.as(['supervisor'], { teamId: teamB })).token;
  tokens.technicianB = (await t.as(['technician'], { teamId: teamB })).token;
  tokens.qa = (await t.as(['qa'])).token;
  tokens.trainer = (await t.as(['trainer'])).token;
  tokens.anonymous = null;
  const a = await portalLogin('13911110001');
  const b = await portalLogin('13911110002');
  customerA = a.customer.id;
  tokens.customerA = a.token;
  tokens.customerB = b.token;
});
afterAll(async () => { await t?.close(); });

async function freshTicket(): Promise<string> {
  const res = await t.inject('POST', '/api/v1/tickets', tokens.owner!, { customerId: customerA, type: 'repair', channel: 'phone', subject: '门禁坏了', description: '单元门禁刷卡无反应' });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

type Cell = Record<string, number>;
const ACTORS = ['customerA', 'customerB', 'owner', 'teammate', 'outsider', 'supervisor', 'technicianB', 'qa', 'trainer', 'anonymous'];

const endpoints: { name: string; expect: Cell; call: (id: string, token: string | null) => Promise<{ statusCode: number; json: () => any }>; prepare?: (id: string) => Promise<void> }[] = [
  {
    name: 'GET /tickets/{id}',
    expect: { customerA: 200, customerB: 404, owner: 200, teammate: 200, outsider: 404, supervisor: 200, technicianB: 404, qa: 200, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('GET', `/api/v1/tickets/${id}`, tk ?? undefined),
  },
  {
    name: 'POST /tickets/{id}/replies',
    expect: { customerA: 201, customerB: 404, owner: 201, teammate: 201, outsider: 404, supervisor: 201, technicianB: 404, qa: 403, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/replies`, tk ?? undefined, { body: '您好', visibility: 'public' }),
  },
  {
    name: 'POST /tickets/{id}/resolve',
    expect: { customerA: 403, customerB: 403, owner: 200, teammate: 200, outsider: 404, supervisor: 200, technicianB: 404, qa: 403, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/resolve`, tk ?? undefined, { resolution: '已修复' }),
  },
  {
    name: 'POST /tickets/{id}/assign',
    expect: { customerA: 403, customerB: 403, owner: 403, teammate: 403, outsider: 404, supervisor: 200, technicianB: 404, qa: 403, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/assign`, tk ?? undefined, { ownerId: teammateId }),
  },
  {
    name: 'POST /tickets/{id}/handovers',
    expect: { customerA: 403, customerB: 403, owner: 201, teammate: 403, outsider: 404, supervisor: 201, technicianB: 404, qa: 403, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/handovers`, tk ?? undefined, { toStaffId: teammateId === '' ? ownerId : teammateId, situation: 's', need: 'n', done: 'd', pending: 'p', expectation: 'e', cautions: 'c' }),
  },
  {
    name: 'POST /tickets/{id}/compensations',
    expect: { customerA: 403, customerB: 403, owner: 201, teammate: 201, outsider: 404, supervisor: 201, technicianB: 404, qa: 403, trainer: 403, anonymous: 401 },
    call: (id, tk) => t.inject('POST', `/api/v1/tickets/${id}/compensations`, tk ?? undefined, { kind: 'coupon', amountFen: 5000, reason: '致歉' }),
  },
  {
    name: 'POST /portal/tickets/{id}/confirm',
    expect: { customerA: 200, customerB: 404, owner: 403, teammate: 403, outsider: 403, supervisor: 403, technicianB: 403, qa: 403, trainer: 403, anonymous: 401 },
    prepare: async (id) => { await t.inject('POST', `/api/v1/tickets/${id}/resolve`, tokens.owner!, { resolution: '已修复' }); },
    call: (id, tk) => t.inject('POST', `/api/v1/portal/tickets/${id}/confirm`, tk ?? undefined),
  },
];

describe('ticket access matrix (actors × endpoints)', () => {
  for (const ep of endpoints) {
    for (const actor of ACTORS) {
      it(`${ep.name} as ${actor} → ${ep.expect[actor]}`, async () => {
        const id = await freshTicket();
        if (ep.prepare) await ep.prepare(id);
        const res = await ep.call(id, tokens[actor]!);
        expect(res.statusCode, JSON.stringify(res.json())).toBe(ep.expect[actor]);
        if (res.statusCode >= 400) expect(res.json().code).toBeTruthy();
      });
    }
  }

  it('lists: each actor sees exactly what they may', async () => {
    const id = await freshTicket();
    const sees = async (actor: string) => {
      const res = await t.inject('GET', '/api/v1/tickets?limit=200', tokens[actor] ?? undefined);
      if (res.statusCode !== 200) return res.statusCode;
      return res.json().items.some((i: { id: string }) => i.id === id);
    };
    const want: Record<string, boolean | number> = { customerA: true, customerB: false, owner: true, teammate: true, outsider: false, supervisor: true, technicianB: false, qa: true, trainer: 403, anonymous: 401 };
    for (const actor of ACTORS) expect(await sees(actor), actor).toBe(want[actor]);
    const portal = await t.inject('GET', '/api/v1/portal/tickets', tokens.customerB!);
    expect(portal.json().items.some((i: { id: string }) => i.id === id)).toBe(false);
  });

  it('a customer sees public replies only, and no internal timeline data', async () => {
    const id = await freshTicket();
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, tokens.owner!, { body: '内部：客户较难沟通', visibility: 'internal' });
    await t.inject('POST', `/api/v1/tickets/${id}/replies`, tokens.owner!, { body: '师傅明早到', visibility: 'public' });
    const d = (await t.inject('GET', `/api/v1/tickets/${id}`, tokens.customerA!)).json();
    expect(d.replies.map((r: { body: string }) => r.body)).toEqual(['师傅明早到']);
    expect(JSON.stringify(d)).not.toContain('内部');
    expect(d.timeline.every((e: { actorId: unknown }) => e.actorId === null)).toBe(true);
    expect(d.timeline.map((e: { kind: string }) => e.kind)).not.toContain('ticket.internal_note');
  });
});
