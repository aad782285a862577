/**
 * Demo history for the dashboards (idempotent: runs once, marked `demo.measures` in settings): ~360 resolved and
 * open requests over the last 60 days for the demo agents, their survey answers (survey.answered events),
 * first-response standard outcomes and a few recovery cases, with sites and root-cause tags on complaints.
 * Rows and events are written directly (history, no clocks started); their tickets are queued for the measures worker.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { uuidv7 } from '../lib/ids';
import { systemCtx } from '../lib/context';
import { invalidateCatalogue } from '../engine/engine';
import { createStandard } from '../modules/standards/standards.commands';

const SITES = ['翠湖苑1号楼', '翠湖苑3号楼', '翠湖苑5号楼', '锦绣园A区', '锦绣园B区', '商业街南段'];
const CAUSES = ['响应慢', '态度', '收费', '维修质量', '沟通不到位', '噪音'];
const SUBJECTS: Record<string, string[]> = {
  inquiry: ['物业费缴费方式咨询', '车位月卡续费', '快递代收时间', '装修申请流程'],
  repair: ['卫生间漏水', '楼道灯不亮', '电梯异响', '空调不制冷', '门禁卡失灵'],
  complaint: ['维修师傅迟到', '夜间施工噪音', '物业费账单有误', '垃圾清运不及时', '客服态度不好'],
  suggestion: ['建议增加充电桩', '建议延长健身房开放时间'],
};

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function loadDemoMeasures(database: Database, now = Date.now()): Promise<number> {
  const [marked] = await database.rows<{ key: string }>(
    sql`INSERT INTO settings (key, value) VALUES ('demo.measures', ${JSON.stringify({ at: new Date(now).toISOString() })}::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
  );
  if (!marked) return 0;
  const agents = await database.rows<{ id: string; team_id: string }>(
    sql`SELECT id, team_id FROM staff WHERE active AND team_id IS NOT NULL AND (roles && ARRAY['agent', 'frontdesk', 'technician']::text[]) ORDER BY employee_no`,
  );
  const customers = await database.rows<{ id: string }>(sql`SELECT id FROM customers WHERE NOT internal ORDER BY id LIMIT 50`);
  const cats = await database.rows<{ id: string; name: string }>(sql`SELECT id, name FROM categories WHERE parent_id IS NOT NULL ORDER BY name`);
  // The history's first-response outcomes belong to a hard standard kept inactive (no clocks on new tickets).
  const findStd = () =>
    database.rows<{ id: string; v: string; code: string }>(sql`SELECT s.id, s.current_version_id AS v, s.code FROM standards s WHERE s.code = 'DEMO-FR-30M'`);
  let [std] = await findStd();
  if (!std) {
    await createStandard(database, systemCtx('demo'), {
      code: 'DEMO-FR-30M',
      name: '30 分钟内首次响应（历史）',
      encounter: '工单首次响应',
      kind: 'hard',
      target: 0.93,
      start: 'ticket.created',
      stop: 'ticket.first_public_reply',
      limitSeconds: 1800,
      active: false,
      description: '演示历史数据所用的首次响应标准（已停用）。',
    } as never);
    await database.rows(sql`UPDATE standards SET active = false WHERE code = 'DEMO-FR-30M'`);
    invalidateCatalogue();
    [std] = await findStd();
  }
  if (!agents.length || !customers.length) return 0;
  const r = rng(20261201);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const DAY = 86_400_000;
  let n = 0;
  await database.transaction(async (tx) => {
    for (let day = 60; day >= 1; day--) {
      const perDay = 4 + Math.floor(r() * 5);
      for (let k = 0; k < perDay; k++) {
        const a = pick(agents);
        const type = r() < 0.12 ? 'complaint' : r() < 0.45 ? 'repair' : r() < 0.9 ? 'inquiry' : 'suggestion';
        const created = now - day * DAY + Math.floor((8 + r() * 10) * 3_600_000);
        const fr = created + Math.floor((1 + r() ** 4 * 50) * 60_000);
        const resolvedAt = fr + Math.floor((0.3 + r() ** 2 * 30) * 3_600_000);
        // Still open: recent ones at random, and any whose resolution (or survey) would lie in the future.
        const open = (day <= 2 && r() < 0.5) || resolvedAt + 2 * 3_600_000 >= now;
        const resolved = open ? null : resolvedAt;
        const reopen = !open && r() < 0.06 ? 1 : 0;
        const handover = r() < 0.08 ? 1 : 0;
        const replies = 1 + (r() < 0.3 ? 1 : 0);
        const id = uuidv7();
        const date = new Date(created + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
        const number = `GD${date}-${String(9000 + k).padStart(4, '0')}`;
        const site = type === 'repair' || type === 'complaint' ? pick(SITES) : null;
        const tags = type === 'complaint' ? [pick(CAUSES), ...(r() < 0.3 ? [pick(CAUSES)] : [])].filter((x, i, all) => all.indexOf(x) === i) : [];
        const cat = cats.length ? pick(cats).id : null;
        const status = open ? 'in_progress' : r() < 0.5 ? 'closed' : 'resolved';
        await tx.execute(sql`INSERT INTO tickets (id, number, customer_id, type, channel, priority, status, subject, description, owner_id, team_id, category_id, tags, site,
            created_by_kind, first_public_reply_at, resolved_at, closed_at, reopen_count, handover_count, staff_public_reply_count, created_at, updated_at)
          VALUES (${id}, ${number}, ${pick(customers).id}, ${type}, ${pick(['phone', 'phone', 'wechat', 'portal', 'walk_in'])}, 'normal', ${status}, ${pick(SUBJECTS[type]!)}, ${'历史工单（演示数据）'},
            ${a.id}, ${a.team_id}, ${cat}, ${sql`ARRAY[${sql.join(
              tags.map((x) => sql`${x}`),
              sql`, `,
            )}]::text[]`}, ${site}, 'staff', ${new Date(fr)}, ${resolved === null ? null : new Date(resolved)},
            ${status === 'closed' && resolved ? new Date(resolved + DAY) : null}, ${reopen}, ${handover}, ${replies}, ${new Date(created)}, ${new Date(resolved ?? fr)})
          ON CONFLICT DO NOTHING`);
        const ev = async (kind: string, at: number, data: Record<string, unknown> = {}) =>
          tx.execute(sql`INSERT INTO events (at, kind, aggregate_type, aggregate_id, actor_kind, actor_id, data)
          VALUES (${new Date(Math.min(at, now - 60_000))}, ${kind}, 'ticket', ${id}, 'staff', ${a.id}, ${JSON.stringify(data)}::jsonb)`);
        await ev('ticket.created', created);
        await ev('ticket.first_public_reply', fr);
        if (resolved) {
          await ev('ticket.resolved', resolved);
          if (r() < 0.65) {
            const good = r() < (type === 'complaint' ? 0.55 : 0.88);
            const csat = good ? (r() < 0.6 ? 5 : 4) : 1 + Math.floor(r() * 3);
            const nps = good ? (r() < 0.55 ? 9 + Math.floor(r() * 2) : 7 + Math.floor(r() * 2)) : Math.floor(r() * 7);
            await ev('survey.answered', resolved + 2 * 3_600_000, {
              surveyId: uuidv7(),
              responseId: uuidv7(),
              answers: { csat, nps, ces: good ? 1 + Math.floor(r() * 3) : 4 + Math.floor(r() * 4) },
              lowScore: csat <= 2,
            });
            if (csat <= 2 && r() < 0.7)
              await ev('recovery.closed', resolved + 2 * DAY, { caseId: uuidv7(), outcome: r() < 0.6 ? 'recovered' : 'not_recovered' });
          }
        }
        if (std) {
          const met = fr - created <= 30 * 60_000;
          await tx.execute(sql`INSERT INTO standard_instances (id, standard_id, version_id, code, ticket_id, state, started_at, limit_ms, due_at, met_at, breached_at, ended_at, end_reason, owner_id, team_id, channel, ticket_type)
            VALUES (${uuidv7()}, ${std.id}, ${std.v}, ${std.code}, ${id}, ${met ? 'met' : 'breached'}, ${new Date(created)}, 1800000, ${new Date(created + 1_800_000)},
              ${met ? new Date(fr) : null}, ${met ? null : new Date(created + 1_800_000)}, ${new Date(fr)}, 'stop_event', ${a.id}, ${a.team_id}, 'phone', ${type})`);
        }
        await tx.execute(sql`INSERT INTO measure_queue (ticket_id) VALUES (${id})`);
        n++;
      }
    }
    await tx.execute(sql`SELECT pg_notify('chidu_measures_wake', '')`);
  });
  return n;
}
