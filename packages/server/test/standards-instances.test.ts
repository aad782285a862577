/** GET /standards/{id}/instances — the clocks behind a compliance number (drill-down of the 服务标准 page). */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './harness';
import { deactivateAll, event, standard, ticketRow } from './standards-helpers';

let t: TestApp;
let admin: { staff: { id: string }; token: string };
let supervisor: { staff: { id: string }; token: string };
let agent: { staff: { id: string; name: string }; token: string };
let teamA: string;
let teamB: string;

beforeAll(async () => {
  t = await testApp();
  admin = await t.as(['admin']);
  supervisor = await t.as(['supervisor']);
  teamA = (await t.team('一线组', supervisor.staff.id)).id;
  teamB = (await t.team('二线组')).id;
  agent = await t.as(['agent'], { teamId: teamA });
});
afterAll(async () => {
  await t?.close();
});

describe('instances behind a compliance number', () => {
  it('lists met / breached / running clocks with their ticket, filters like compliance, pages with a cursor', async () => {
    await deactivateAll(t.database);
    const id = await standard(t, admin.token, {
      code: 'INST',
      name: '首次响应（明细）',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 3600,
      target: 0.9,
    });
    const make = async (o: Record<string, unknown>, outcome: 'met' | 'breached' | 'running') => {
      let s = await ticketRow(t.database, { ownerId: agent.staff.id, teamId: teamA, ...o });
      s = await event(t.database, s, 'ticket.created');
      if (outcome === 'met') await event(t.database, s, 'ticket.first_public_reply');
      if (outcome === 'breached') {
        await t.database.rows(
          sql`UPDATE standard_instances SET started_at = started_at - interval '2 hours', segment_started_at = segment_started_at - interval '2 hours', due_at = due_at - interval '2 hours', next_action_at = next_action_at - interval '2 hours' WHERE ticket_id = ${s.id}`,
        );
        await event(t.database, s, 'ticket.first_public_reply');
      }
      return s;
    };
    const m1 = await make({ channel: 'phone' }, 'met');
    const m2 = await make({ channel: 'email' }, 'met');
    const b1 = await make({ channel: 'email', tier: 'gold' }, 'breached');
    const r1 = await make({ channel: 'wechat', teamId: teamB, ownerId: null }, 'running');

    const c = (await t.inject('GET', `/api/v1/standards/${id}/compliance`, supervisor.token)).json();
    expect(c).toMatchObject({ met: 2, breached: 1, running: 1 });

    const all = await t.inject('GET', `/api/v1/standards/${id}/instances`, supervisor.token);
    expect(all.statusCode).toBe(200);
    expect(all.json().items).toHaveLength(4);
    expect(all.json().nextCursor).toBeNull();

    const breached = (await t.inject('GET', `/api/v1/standards/${id}/instances?state=breached`, supervisor.token)).json();
    expect(breached.items).toHaveLength(1);
    const b = breached.items[0];
    expect(b).toMatchObject({
      ticketId: b1.id,
      ticketNumber: b1.number,
      ticketSubject: '测试工单',
      state: 'breached',
      version: 1,
      cycle: 1,
      ownerId: agent.staff.id,
      ownerName: agent.staff.name,
      teamId: teamA,
      teamName: '一线组',
      channel: 'email',
      tier: 'gold',
      paused: false,
    });
    expect(Date.parse(b.breachedAt)).toBe(Date.parse(b.dueAt));
    expect(b.endedAt).not.toBeNull();
    expect(b.metAt).toBeNull();
    // the count behind the number equals the number
    expect(breached.items.length).toBe(c.breached);

    const met = (await t.inject('GET', `/api/v1/standards/${id}/instances?state=met`, supervisor.token)).json();
    expect(met.items.map((i: { ticketId: string }) => i.ticketId).sort()).toEqual([m1.id, m2.id].sort());
    expect(met.items.every((i: { metAt: string | null }) => i.metAt !== null)).toBe(true);

    const running = (await t.inject('GET', `/api/v1/standards/${id}/instances?state=running`, supervisor.token)).json();
    expect(running.items).toEqual([expect.objectContaining({ ticketId: r1.id, state: 'running', endedAt: null, teamName: '二线组', ownerName: null })]);

    const byTeam = (await t.inject('GET', `/api/v1/standards/${id}/instances?teamId=${teamB}`, supervisor.token)).json();
    expect(byTeam.items.map((i: { ticketId: string }) => i.ticketId)).toEqual([r1.id]);
    const byChannel = (await t.inject('GET', `/api/v1/standards/${id}/instances?channel=email&state=met`, supervisor.token)).json();
    expect(byChannel.items.map((i: { ticketId: string }) => i.ticketId)).toEqual([m2.id]);
    const byTier = (await t.inject('GET', `/api/v1/standards/${id}/instances?tier=gold`, supervisor.token)).json();
    expect(byTier.items.map((i: { ticketId: string }) => i.ticketId)).toEqual([b1.id]);
    const byAgent = (await t.inject('GET', `/api/v1/standards/${id}/instances?agentId=${agent.staff.id}`, supervisor.token)).json();
    expect(byAgent.items).toHaveLength(3);
    const old = (await t.inject('GET', `/api/v1/standards/${id}/instances?from=2020-01-01&to=2020-01-31`, supervisor.token)).json();
    expect(old.items).toEqual([]);

    // pages: newest first, two at a time, no duplicates, nothing lost
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.inject('GET', `/api/v1/standards/${id}/instances?limit=2${cursor ? `&cursor=${cursor}` : ''}`, supervisor.token);
      const body = res.json<{ items: { id: string }[]; nextCursor: string | null }>();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(4);
    expect(seen).toEqual([...all.json().items.map((i: { id: string }) => i.id)]);
  });

  it('needs standards.compliance, validates the filters by field, 404 for an unknown standard', async () => {
    const id = await standard(t, admin.token, {
      code: 'INST2',
      name: '明细权限',
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 60,
    });
    expect((await t.inject('GET', `/api/v1/standards/${id}/instances`, agent.token)).statusCode).toBe(403);
    expect((await t.inject('GET', `/api/v1/standards/${id}/instances`)).statusCode).toBe(401);
    const bad = await t.inject('GET', `/api/v1/standards/${id}/instances?state=late`, supervisor.token);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('state');
    const badFrom = await t.inject('GET', `/api/v1/standards/${id}/instances?from=yesterday`, supervisor.token);
    expect(badFrom.statusCode).toBe(400);
    expect(badFrom.json().errors[0].path).toBe('from');
    const missing = await t.inject('GET', '/api/v1/standards/01890000-0000-7000-8000-000000000000/instances', supervisor.token);
    expect(missing.statusCode).toBe(404);
  });
});
