/** Fixtures of the access matrix for the quality routes (issue #15): an inspection of T (owned by agentOwner) by the qa account. */
import type { MatrixActor } from '../src/http/access';
import type { TestApp } from './harness';

type Res = { statusCode: number; json: () => any; body: string };
interface Env {
  t: TestApp;
  tokens: Record<MatrixActor, string | null>;
  fx: Record<string, string>;
  ok: <T = any>(p: Promise<Res>, want?: number[]) => Promise<T>;
}

export function qualityFixtures(env: () => Env) {
  /** An inspection of T by the qa account; submitted unless `submitted` is false. */
  async function newInspection(submitted: boolean, score = 1): Promise<string> {
    const { t, tokens, fx, ok } = env();
    const id = (await ok(t.inject('POST', '/api/v1/qa/inspections', tokens.qa!, { ticketId: fx.ticket, scorecardId: fx.scorecard }), [201])).id as string;
    if (submitted)
      await ok(
        t.inject('POST', `/api/v1/qa/inspections/${id}/submit`, tokens.qa!, {
          scores: [{ item: 'greeting', score }],
          feedback: { strength: '好', improvement: '改', encouragement: '加油' },
        }),
      );
    return id;
  }
  async function newAppeal(): Promise<string> {
    const { t, tokens, ok } = env();
    const id = await newInspection(true);
    return (await ok(t.inject('POST', `/api/v1/qa/inspections/${id}/appeal`, tokens.agentOwner!, { reason: '申诉' }), [201])).appealId as string;
  }
  async function newProposal(): Promise<string> {
    const { t, tokens, ok } = env();
    return (await ok(t.inject('POST', '/api/v1/proposals', tokens.agentOwner!, { title: '建议', body: '内容' }), [201])).id as string;
  }
  /** A coaching task: an inspection of agentOwner's ticket with the item failed. */
  async function newCoaching(): Promise<string> {
    const { t, tokens, ok } = env();
    const inspection = await newInspection(true, 0);
    const list = await ok<{ items: { id: string; inspectionId: string }[] }>(t.inject('GET', '/api/v1/qa/coaching?state=open&limit=200', tokens.admin!));
    return list.items.find((c) => c.inspectionId === inspection)!.id;
  }
  async function setupQuality(): Promise<void> {
    const { t, tokens, fx, ok } = env();
    const card = { name: '矩阵评分表', passMark: 60, items: [{ key: 'greeting', dimension: 'attitude', label: '问候', weight: 1, scale: { kind: 'yesno' } }] };
    fx.scorecard = (await ok(t.inject('POST', '/api/v1/qa/scorecards', tokens.admin!, card), [201])).id;
    fx.inspection = await newInspection(true);
    fx.appeal = await newAppeal();
    fx.proposal = await newProposal();
    fx.coaching = await newCoaching();
    const plan = { name: '每周 5%', period: 'week', sharePercent: 5 };
    fx.samplingPlan = (await ok(t.inject('POST', '/api/v1/qa/sampling-plans', tokens.admin!, plan), [201])).id;
  }
  return { newInspection, newAppeal, newProposal, newCoaching, setupQuality };
}
