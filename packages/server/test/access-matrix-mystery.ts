/**
 * Fixtures of the access matrix for the mystery shopper (issue #15 item 7): a script on the fixture scorecard and site,
 * a planned unannounced visit of the qa account as shopper, and a submitted one with a photo that served agentOwner.
 */
import sharp from 'sharp';
import type { MatrixActor } from '../src/http/access';
import { envParam as environmentParam } from './access-matrix-env';
import { FIELD_WORK_BODIES } from './access-matrix-more';
import type { TestApp } from './harness';

export { setupEnvironment } from './access-matrix-env';

type Res = { statusCode: number; json: () => any; body: string };
interface Env {
  t: TestApp;
  tokens: Record<MatrixActor, string | null>;
  ids: Record<MatrixActor, string>;
  fx: Record<string, string>;
  ok: <T = any>(p: Promise<Res>, want?: number[]) => Promise<T>;
}

/** Valid bodies of field work and of a visit's submission, so that the shopper check (403 for an admin) answers. */
export const MORE_BODIES: Record<string, unknown> = {
  ...FIELD_WORK_BODIES,
  'POST /qa/mystery/visits/{id}/submit': { visitedAt: '2026-01-01T10:00:00+08:00', steps: [], scores: [{ item: 'greeting', score: 1 }], evidence: [] },
};

async function plannedVisit({ t, tokens, ids, fx, ok }: Env): Promise<string> {
  const body = { scriptId: fx.mysteryScript, siteId: fx.site, kind: 'mystery', shopperId: ids.qa, plannedOn: new Date().toISOString().slice(0, 10) };
  return (await ok(t.inject('POST', '/api/v1/qa/mystery/visits', tokens.admin!, body), [201])).id;
}

export async function setupMystery(env: Env): Promise<void> {
  const { t, tokens, ids, fx, ok } = env;
  const script = { title: '前台办理停车卡', channel: 'walk_in', story: '新业主办理停车卡', steps: ['到前台'], scorecardId: fx.scorecard, evidence: ['photo'] };
  fx.mysteryScript = (await ok(t.inject('POST', '/api/v1/qa/mystery/scripts', tokens.admin!, script), [201])).id;
  fx.mysteryVisit = await plannedVisit(env);
  const done = await plannedVisit(env);
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const boundary = '----chidumatrix';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const up = await t.app.inject({
    method: 'POST',
    url: '/api/v1/qa/mystery/uploads',
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${tokens.qa}` },
  });
  if (up.statusCode !== 201) throw new Error(`fixture upload failed: ${up.statusCode} ${up.body}`);
  fx.mysteryEvidence = up.json().id;
  const submit = {
    visitedAt: new Date(Date.now() - 60_000).toISOString(),
    steps: [true],
    scores: [{ item: 'greeting', score: 1 }],
    evidence: [fx.mysteryEvidence],
    servedIds: [ids.agentOwner],
  };
  await ok(t.inject('POST', `/api/v1/qa/mystery/visits/${done}/submit`, tokens.qa!, submit));
  fx.mysteryDone = done;
}

/** The path parameter of a mystery-shopper route (null: not one of them). */
export async function mysteryParam(path: string, name: string, write: boolean, env: Env): Promise<string | null> {
  const { fx } = env;
  if (path.startsWith('/qa/mystery/scripts/{id}')) return fx.mysteryScript!;
  if (path.startsWith('/qa/mystery/visits/{id}/evidence')) return name === 'attachmentId' ? fx.mysteryEvidence! : fx.mysteryDone!;
  if (path.startsWith('/qa/mystery/visits/{id}/submit')) return write ? plannedVisit(env) : fx.mysteryVisit!;
  if (path.startsWith('/qa/mystery/visits/{id}')) return fx.mysteryVisit!;
  return null;
}

/** The path parameter of an environment or a mystery-shopper route (null: neither). */
export async function envParam(path: string, write: boolean, env: Env, name: string): Promise<string | null> {
  return (await environmentParam(path, write, env)) ?? (await mysteryParam(path, name, write, env));
}
