/**
 * Demo quality inspection (idempotent: runs once, marked `demo.quality` in settings): the phone and chat scorecards
 * adopted, the appeal-ruling standard (QA-APPEAL) adopted, a month of manual inspections of the agents' resolved
 * tickets by the QA inspector 罗晓梅 (Q0001) with evidence notes and sandwich feedback, one appeal pending (filed through
 * the command, so its ruling clock runs) and one ruled, improvement proposals, and a sampling queue for the inspector.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { systemCtx, type Ctx } from '../lib/context';
import { uuidv7 } from '../lib/ids';
import { permissionsOf, type Role } from '../modules/identity/policy';
import { adoptTemplate as adoptScorecard, fileAppeal, ruleAppeal } from '../modules/quality/quality.commands';
import { scoreOf } from '../modules/quality/scorecard';
import { adoptTemplate as adoptStandard } from '../modules/standards/standards.commands';

const FEEDBACK = [
  {
    strength: '开场白规范，语气亲切，客户情绪很快平稳下来。',
    improvement: '复述确认需求时可以再完整一些，避免二次来电。',
    encouragement: '整体表现稳定，继续保持，下月争取满分！',
  },
  { strength: '答复准确，给出了明确的处理时限。', improvement: '结束前记得询问“还有其他需要帮助的吗？”。', encouragement: '专业度很好，注意细节会更出色。' },
  { strength: '耐心倾听，没有打断客户。', improvement: '“尽快”要换成具体时间，例如“今天 17:00 前回复您”。', encouragement: '服务态度值得大家学习，继续加油。' },
  { strength: '工单记录完整，交接清楚。', improvement: '避免使用“不知道”，可以说“我帮您确认后回复您”。', encouragement: '进步明显，相信下次会更好。' },
];
const PROPOSALS = [
  { no: 'K0001', title: '报修回访增加照片确认', body: '维修完成后请客户上传一张照片确认，减少“已修好但客户不认可”的返工。', state: 'adopted' },
  { no: 'K0002', title: '物业费账单增加明细说明', body: '账单上列出公摊电费的计算方式，可减少约三成的账单咨询。', state: 'adopted' },
  { no: 'K0004', title: '快递代收高峰期增加临时岗', body: '每天 17:00–19:00 快递领取集中，建议前台增派一人。', state: 'declined' },
  { no: 'K0005', title: '装修噪音投诉设置提醒短信', body: '装修施工许可生效时给同楼层住户发短信告知施工时间。', state: 'submitted' },
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function staffCtx(database: Database, no: string): Promise<Ctx | null> {
  const [s] = await database.rows<{ id: string; name: string; roles: Role[]; team_id: string | null }>(
    sql`SELECT id, name, roles, team_id FROM staff WHERE employee_no = ${no}`,
  );
  if (!s) return null;
  return {
    actor: { kind: 'staff', id: s.id, employeeNo: no, name: s.name, roles: s.roles, teamId: s.team_id, permissions: permissionsOf(s.roles), sessionId: null },
    requestId: null,
    ip: null,
  };
}

export async function loadDemoQuality(database: Database, now = Date.now()): Promise<number> {
  const [marked] = await database.rows<{ key: string }>(
    sql`INSERT INTO settings (key, value) VALUES ('demo.quality', ${JSON.stringify({ at: new Date(now).toISOString() })}::jsonb) ON CONFLICT DO NOTHING RETURNING key`,
  );
  if (!marked) return 0;
  const ctx = systemCtx('demo');
  const qa = await staffCtx(database, 'Q0001');
  if (!qa) return 0;
  const phone = await adoptScorecard(database, ctx, 'phone');
  await adoptScorecard(database, ctx, 'chat');
  if (!(await database.rows(sql`SELECT 1 FROM standards WHERE code = 'QA-APPEAL'`)).length)
    await adoptStandard(database, ctx, 'qa-appeal-ruling-2bd', { active: true });
  const items = phone.items;
  const DAY = 86_400_000;
  const r = rng(20261215);
  const tickets = await database.rows<{ id: string; owner_id: string; resolved_at: Date | string }>(
    sql`SELECT t.id, t.owner_id, t.resolved_at FROM tickets t JOIN staff s ON s.id = t.owner_id
        WHERE t.resolved_at IS NOT NULL AND t.resolved_at > ${new Date(now - 32 * DAY)} AND t.resolved_at < ${new Date(now - 2 * DAY)}
          AND s.employee_no LIKE 'K%' ORDER BY t.resolved_at`,
  );
  // About one in three resolved tickets of the last month, at most 40.
  const chosen = tickets.filter(() => r() < 0.35).slice(0, 40);
  let n = 0;
  await database.transaction(async (tx) => {
    for (const tk of chosen) {
      const scores = items.map((it) => {
        const max = it.scale.kind === 'yesno' ? 1 : it.scale.max;
        const miss = r() < (it.critical ? 0.03 : 0.15);
        const score =
          it.allowNa && r() < 0.4 ? null : miss ? (max === 1 ? 0 : Math.max(0, max - 2 - Math.floor(r() * 2))) : max === 1 ? 1 : max - (r() < 0.4 ? 1 : 0);
        return { item: it.key, score, ...(miss && score !== null ? { note: '录音中未听到，或用语不规范' } : {}) };
      });
      const res = scoreOf(items, scores, phone.passMark);
      const at = new Date(Math.min(new Date(tk.resolved_at).getTime() + (4 + r() * 40) * 3_600_000, now - DAY));
      await database.rows(
        sql`INSERT INTO qa_inspections (id, ticket_id, agent_id, inspector_id, scorecard_id, scorecard_version, state, scores, feedback,
          first_score, score, passed, submitted_at, acknowledged_at, created_at)
        VALUES (${uuidv7()}, ${tk.id}, ${tk.owner_id}, ${qa.actor.id}, ${phone.id}, ${phone.version}, 'acknowledged', ${JSON.stringify(scores)}::jsonb,
          ${JSON.stringify(FEEDBACK[n % FEEDBACK.length])}::jsonb, ${res.score}, ${res.score}, ${res.passed}, ${at}, ${new Date(at.getTime() + 6 * 3_600_000)}, ${at})`,
        tx,
      );
      n++;
    }
    for (const p of PROPOSALS) {
      const [a] = await database.rows<{ id: string; team_id: string | null }>(sql`SELECT id, team_id FROM staff WHERE employee_no = ${p.no}`, tx);
      const [sup] = await database.rows<{ id: string }>(sql`SELECT id FROM staff WHERE employee_no = 'S0001'`, tx);
      if (!a || !sup) continue;
      const created = new Date(now - (5 + Math.floor(r() * 15)) * DAY);
      const reviewed = p.state === 'submitted' ? null : new Date(Math.min(created.getTime() + 2 * DAY, now - DAY));
      await database.rows(
        sql`INSERT INTO qa_proposals (id, author_id, team_id, title, body, state, reviewed_by, reviewed_at, review_note, created_at)
        VALUES (${uuidv7()}, ${a.id}, ${a.team_id}, ${p.title}, ${p.body}, ${p.state}, ${reviewed ? sup.id : null}, ${reviewed}, ${reviewed ? (p.state === 'adopted' ? '已纳入下月流程' : '暂不具备条件') : null}, ${created})`,
        tx,
      );
    }
  });
  await demoAppeals(database, now);
  await demoQueue(database, qa, now);
  return n;
}

/** One appeal ruled (revised by supervisor 王海燕) and one pending (its ruling clock running), both filed through the commands. */
async function demoAppeals(database: Database, now: number) {
  const pick = async (no: string) =>
    (
      await database.rows<{ id: string }>(
        sql`SELECT i.id FROM qa_inspections i JOIN staff s ON s.id = i.agent_id WHERE s.employee_no = ${no} AND i.state = 'acknowledged' ORDER BY i.score ASC, i.id LIMIT 1`,
      )
    )[0]?.id;
  const open = async (no: string, reason: string) => {
    const id = await pick(no);
    const agent = await staffCtx(database, no);
    if (!id || !agent) return null;
    // Inside the appeal window: submitted a day ago.
    await database.rows(sql`UPDATE qa_inspections SET submitted_at = ${new Date(now - 86_400_000)} WHERE id = ${id}`);
    return (await fileAppeal(database, agent, id, { reason })).appealId;
  };
  const ruled = await open('K0002', '第 2 项“标准开场白”我说了，录音第 5 秒可以听到，请复核。');
  const sup = await staffCtx(database, 'S0001');
  if (ruled && sup) await ruleAppeal(database, sup, ruled, { decision: 'revised', score: 92, reason: '复听录音确认已使用标准开场白，改判。' });
  await open('K0001', '客户要求的上门时间超出服务范围，我已说明原因并给出替代方案，不属于推诿。');
}

/** A few recent resolved tickets queued for the inspector (as a sampling plan's draw would). */
async function demoQueue(database: Database, qa: Ctx, now: number) {
  const planId = uuidv7();
  await database.rows(sql`INSERT INTO qa_sampling_plans (id, name, period, share_percent, min_per_week, mandatory)
    VALUES (${planId}, '客服中心每周抽检 5%', 'week', 5, 2, ${JSON.stringify({ complaints: true, csatAtMost: 2, breached: true, criticalHits: true })}::jsonb)`);
  const rows = await database.rows<{ id: string; owner_id: string; type: string }>(
    sql`SELECT t.id, t.owner_id, t.type FROM tickets t JOIN staff s ON s.id = t.owner_id
        WHERE t.resolved_at IS NOT NULL AND t.resolved_at > ${new Date(now - 7 * 86_400_000)} AND s.employee_no LIKE 'K%'
          AND NOT EXISTS (SELECT 1 FROM qa_inspections i WHERE i.ticket_id = t.id) ORDER BY t.resolved_at DESC LIMIT 6`,
  );
  const week = new Date(now).toISOString().slice(0, 10);
  for (const [k, t] of rows.entries())
    await database.rows(sql`INSERT INTO qa_samples (id, plan_id, period_start, ticket_id, agent_id, inspector_id, reason, state)
      VALUES (${uuidv7()}, ${planId}, ${week}, ${t.id}, ${t.owner_id}, ${qa.actor.id}, ${t.type === 'complaint' ? 'complaint' : k % 3 === 0 ? 'minimum' : 'random'}, 'queued')`);
}
