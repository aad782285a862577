/**
 * Field-service demo (上门服务): the 翠湖苑 site tree built from the demo customers' 楼栋 / 单元 / 房号, a few assets,
 * and today's visits of 杨师傅 (T0001) for his repair tickets, so the technician's day and the sites page are not empty.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { customers, fieldAssets, fieldSites, fieldVisits, staff, tickets } from '../db/schema';
import { uuidv7 } from '../lib/ids';
import { newNonce } from '../modules/field/field.code';
import { dayBounds, localDate } from '../modules/field/field.time';

const ESTATE = '翠湖苑';
const ADDRESS = '杭州市西湖区翠湖路 88 号';

export async function loadDemoField(database: Database): Promise<void> {
  await database.transaction(async (tx) => {
    if ((await tx.select({ id: fieldSites.id }).from(fieldSites).limit(1)).length) return;
    const site = async (name: string, kind: string, parentId: string | null, address: string | null = null) => {
      const id = uuidv7();
      await tx.insert(fieldSites).values({ id, parentId, kind, name, address, codeNonce: newNonce() });
      return id;
    };
    const estate = await site(ESTATE, 'community', null, ADDRESS);
    const people = await tx
      .select({ id: customers.id, building: customers.building, unit: customers.unit, room: customers.room })
      .from(customers)
      .where(inArray(customers.building, [...Array.from({ length: 10 }, (_, i) => `${i + 1}栋`), '商业街']));
    const ids = new Map<string, string>();
    const at = async (key: string, name: string, kind: string, parentId: string, address: string | null = null) => {
      let id = ids.get(key);
      if (!id) ids.set(key, (id = await site(name, kind, parentId, address)));
      return id;
    };
    const roomOf = new Map<string, string>();
    const sorted = [...people].sort((a, b) => `${a.building}${a.unit}${a.room}`.localeCompare(`${b.building}${b.unit}${b.room}`, 'zh-CN', { numeric: true }));
    for (const p of sorted) {
      if (!p.building || !p.room) continue;
      const b = await at(p.building, p.building, p.building === '商业街' ? 'site' : 'building', estate);
      const parent = p.unit ? await at(`${p.building}/${p.unit}`, p.unit, 'unit', b) : b;
      const addr = `${ADDRESS} ${p.building}${p.unit ?? ''}${p.room}`;
      roomOf.set(p.id, await at(`${p.building}/${p.unit ?? ''}/${p.room}`, p.room, p.building === '商业街' ? 'store' : 'room', parent, addr));
    }
    const assets: [string, string, string, string, string, string][] = [
      ['3栋', '1号电梯', '奥的斯 GeN2', 'OTIS-3-01', '2019-06-01', '2026-05-31'],
      ['3栋', '单元门禁主机', '海康 DS-K1T', 'HK-3-1', '2022-03-15', '2027-03-14'],
      ['5栋', '二次供水泵', '格兰富 CR10', 'GF-5-01', '2020-09-01', '2025-08-31'],
    ];
    for (const [building, name, model, serial, install, warranty] of assets) {
      const siteId = ids.get(building);
      if (siteId)
        await tx.insert(fieldAssets).values({ id: uuidv7(), siteId, name, model, serial, installDate: install, warrantyEnd: warranty, codeNonce: newNonce() });
    }
    // Today's visits of 杨师傅: his open repair tickets, at the customer's room, 14:00–16:00, then one every two hours.
    const [tech] = await tx.select({ id: staff.id }).from(staff).where(eq(staff.employeeNo, 'T0001'));
    if (!tech) return;
    const repairs = await tx
      .select({ id: tickets.id, customerId: tickets.customerId })
      .from(tickets)
      .where(and(eq(tickets.ownerId, tech.id), eq(tickets.type, 'repair')))
      .limit(3);
    const { from } = dayBounds(localDate(new Date()));
    for (const [i, r] of repairs.entries()) {
      const siteId = roomOf.get(r.customerId) ?? null;
      if (siteId) await tx.update(tickets).set({ siteId }).where(eq(tickets.id, r.id));
      const start = new Date(from.getTime() + (14 + 2 * i) * 3_600_000);
      await tx.insert(fieldVisits).values({
        id: uuidv7(),
        ticketId: r.id,
        siteId,
        technicianId: tech.id,
        startsAt: start,
        endsAt: new Date(start.getTime() + 2 * 3_600_000),
        state: 'accepted',
      });
    }
  });
}
