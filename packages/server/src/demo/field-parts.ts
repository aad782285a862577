/**
 * Demo data of spare parts (备件, #16 item 6): a catalogue of everyday repair parts, stock in 中心仓库 and in the vans
 * of 杨师傅, 朱师傅 and 胡师傅 (T0001–T0003), each receipt and issue in the ledger. A few parts sit just above or below
 * their threshold so the page's low-stock list is not empty. Idempotent: only when there is no part yet.
 */
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { fieldParts, fieldStock, fieldStockLocations, fieldStockMovements, staff } from '../db/schema';
import { uuidv7 } from '../lib/ids';

// code, name, unit, unit cost (fen), warehouse threshold, van threshold, warehouse stock, per-van stock
const PARTS: [string, string, string, number, number, number, number, number][] = [
  ['R32-1KG', '空调冷媒R32 1kg', '瓶', 8500, 10, 1, 24, 2],
  ['VC-35', '水龙头阀芯 35mm 陶瓷', '个', 1800, 20, 2, 46, 4],
  ['LED-T8-12', 'LED灯管 T8 1.2m 18W', '支', 2200, 30, 3, 25, 6],
  ['LOCK-C', '门锁锁芯 C级', '个', 6800, 8, 1, 12, 2],
  ['PPR-20', 'PPR水管 20mm（4米）', '根', 1500, 15, 0, 40, 2],
  ['SEAL-4', '马桶进水阀密封圈', '个', 300, 50, 5, 120, 10],
  ['FUSE-16A', '空气开关 16A 1P', '个', 2600, 10, 1, 6, 1],
];
const TECHS = ['T0001', 'T0002', 'T0003'];

export async function loadDemoFieldParts(database: Database): Promise<void> {
  await database.transaction(async (tx) => {
    if ((await tx.select({ id: fieldParts.id }).from(fieldParts).limit(1)).length) return;
    const techs = await tx.select({ id: staff.id, name: staff.name, no: staff.employeeNo }).from(staff).where(inArray(staff.employeeNo, TECHS));
    const warehouse = uuidv7();
    await tx.insert(fieldStockLocations).values({ id: warehouse, kind: 'warehouse', name: '中心仓库' });
    const vans = techs.sort((a, b) => a.no.localeCompare(b.no)).map((t) => ({ id: uuidv7(), kind: 'van', name: `${t.name}的车载库存`, technicianId: t.id }));
    if (vans.length) await tx.insert(fieldStockLocations).values(vans);
    const stock: (typeof fieldStock.$inferInsert)[] = [];
    const ledger: (typeof fieldStockMovements.$inferInsert)[] = [];
    for (const [code, name, unit, cost, low, vanLow, inWarehouse, perVan] of PARTS) {
      const id = uuidv7();
      await tx.insert(fieldParts).values({ id, code, name, unit, unitCostFen: cost, lowStockThreshold: low, vanLowStockThreshold: vanLow });
      const received = inWarehouse + perVan * vans.length;
      ledger.push({ id: uuidv7(), kind: 'receive', partId: id, qty: received, toLocationId: warehouse, unitCostFen: cost, note: '期初入库' });
      stock.push({ locationId: warehouse, partId: id, qty: inWarehouse });
      for (const v of vans) {
        stock.push({ locationId: v.id, partId: id, qty: perVan });
        ledger.push({
          id: uuidv7(),
          kind: 'issue',
          partId: id,
          qty: perVan,
          fromLocationId: warehouse,
          toLocationId: v.id,
          unitCostFen: cost,
          note: '期初领用',
        });
      }
    }
    await tx.insert(fieldStock).values(stock);
    await tx.insert(fieldStockMovements).values(ledger);
  });
}
