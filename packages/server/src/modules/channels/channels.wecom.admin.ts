/** Administration of the WeCom channel kinds (wecom_kf 微信客服, wecom_app 企业微信应用): settings split, view, 测试连接. */
import type { z } from 'zod';
import type { ChannelRow } from './channels.repo';
import type * as s from './channels.schema';
import { WechatApiError } from './channels.token';
import { fetchWecomToken, openWecomSecrets, type WecomConfig, type WecomSecrets } from './channels.wecom';

export const isWecomKind = (kind: string): kind is 'wecom_kf' | 'wecom_app' => kind === 'wecom_kf' || kind === 'wecom_app';

type KfIn = z.infer<typeof s.WecomKfConfigPatch>;
type AppIn = z.infer<typeof s.WecomAppConfigPatch>;

/** The callback URL a 微信客服 channel reports (entered as the callback URL in the WeCom admin console). */
export const wecomCallbackUrl = (origin: string, id: string) => `${origin.replace(/\/+$/, '')}/api/v1/public/channels/wecom/${id}`;

/** Settings: the public part and the secrets; absent secrets keep the old ones. */
export function splitWecom(cfg: KfIn | AppIn, old: WecomSecrets): { config: WecomConfig; secrets: WecomSecrets } {
  const kf = cfg as Partial<KfIn>;
  const app = cfg as Partial<AppIn>;
  const config: WecomConfig = {
    corpId: cfg.corpId,
    ...(kf.openKfId ? { openKfId: kf.openKfId } : {}),
    ...(app.agentId ? { agentId: app.agentId } : {}),
    ...(cfg.apiBase ? { apiBase: cfg.apiBase } : {}),
    ...(kf.ratePerMinute ? { ratePerMinute: kf.ratePerMinute } : {}),
  };
  const secrets: WecomSecrets = {
    ...old,
    ...(cfg.secret !== undefined ? { secret: cfg.secret } : {}),
    ...(kf.token !== undefined ? { token: kf.token } : {}),
    ...(kf.encodingAesKey !== undefined ? { encodingAesKey: kf.encodingAesKey } : {}),
  };
  return { config, secrets };
}

/** The kind's part of the channel envelope: config with secrets as {configured: true}; 微信客服 also its callback URL. */
export function wecomView(row: ChannelRow, origin?: string) {
  const yes = { configured: true as const };
  const cfg = row.config as WecomConfig;
  const sec = openWecomSecrets(row);
  return {
    config: {
      ...cfg,
      ...(sec.secret ? { secret: yes } : {}),
      ...(sec.token ? { token: yes } : {}),
      ...(sec.encodingAesKey ? { encodingAesKey: yes } : {}),
    },
    callbackUrl: origin && row.kind === 'wecom_kf' ? wecomCallbackUrl(origin, row.id) : undefined,
  };
}

/** 测试连接: gettoken with the stored CorpID and Secret. */
export async function testWecom(row: ChannelRow): Promise<{ ok: boolean; error?: string }> {
  try {
    await fetchWecomToken(row.config as WecomConfig, openWecomSecrets(row));
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof WechatApiError ? err.kind : 'failed' };
  }
}
