/** Fixtures of the access matrix for environment checks (issue #15 item 8): a check with an open corrective task. */
import type { MatrixActor } from '../src/http/access';
import type { TestApp } from './harness';

type Res = { statusCode: number; json: () => any; body: string };
interface Env {
  t: TestApp;
  tokens: Record<MatrixActor, string | null>;
  ids: Record<MatrixActor, string>;
  fx: Record<string, string>;
  ok: <T = any>(p: Promise<Res>, want?: number[]) => Promise<T>;
}

/** A check of the fixture site (setupField) with one value out of range: its corrective task is open. */
async function failedCheck({ t, tokens, fx, ok }: Env): Promise<{ id: string; tasks: { id: string }[] }> {
  const values = [
    { key: 'temperature', value: 30 },
    { key: 'humidity', value: 50 },
    { key: 'lux_public', value: 400 },
    { key: 'lux_work', value: 600 },
    { key: 'pm25', value: 20 },
    { key: 'noise', value: 40 },
    { key: 'signage', value: 15 },
    { key: 'air_changes', value: 4 },
    { key: 'clean', value: true },
    { key: 'facilities', value: true },
    { key: 'water', value: true },
    { key: 'wifi', value: true },
  ];
  return ok(t.inject('POST', '/api/v1/env/checks', tokens.admin!, { siteId: fx.site, templateId: fx.envTemplate, values }), [201]);
}

export async function setupEnvironment(env: Env): Promise<void> {
  const { t, tokens, fx, ok } = env;
  const list = await ok<{ items: { id: string }[] }>(t.inject('GET', '/api/v1/env/templates', tokens.admin!));
  fx.envTemplate = list.items[0]!.id;
  const check = await failedCheck(env);
  fx.envCheck = check.id;
  fx.envTask = check.tasks[0]!.id;
}

/** The path parameter of an environment route (null: not one of them). */
export async function envParam(path: string, write: boolean, env: Env): Promise<string | null> {
  const { fx } = env;
  if (path.startsWith('/env/templates/{id}')) return fx.envTemplate!;
  if (path.startsWith('/env/checks/{id}')) return fx.envCheck!;
  if (path.startsWith('/env/tasks/{id}')) return write ? (await failedCheck(env)).tasks[0]!.id : fx.envTask!;
  if (path.startsWith('/env/sites/{id}')) return fx.site!;
  return null;
}
