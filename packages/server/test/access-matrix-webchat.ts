/**
 * Fixtures of the access matrix for the web chat widget routes (issue #14 item 3): a webchat channel (made on first
 * use). Visitor routes are called without a visitor token (→ 401 for every actor: sessions and staff tokens are not
 * visitor tokens); the typing route takes the ticket T.
 */
import type { MatrixActor } from '../src/http/access';
import type { TestApp } from './harness';

type Res = { statusCode: number; json: () => any; body: string };
interface Env {
  t: TestApp;
  tokens: Record<MatrixActor, string | null>;
  fx: Record<string, string>;
  ok: <T = any>(p: Promise<Res>, want?: number[]) => Promise<T>;
}

/** The path parameter of a webchat route (null: not one of them). */
export async function webchatParam(path: string, env: Env): Promise<string | null> {
  const { t, tokens, fx, ok } = env;
  if (path.startsWith('/public/webchat/{channelId}')) {
    // (also the photo id of /attachments/{id}: refused before the photo is looked at)
    fx.webchat ??= (
      await ok(
        t.inject('POST', '/api/v1/channels', tokens.admin!, { kind: 'webchat', name: '矩阵网页聊天', config: { allowedOrigins: ['https://matrix.example'] } }),
        [201],
      )
    ).id as string;
    return fx.webchat;
  }
  if (path.startsWith('/webchat/tickets/{id}')) return fx.ticket!;
  return null;
}
