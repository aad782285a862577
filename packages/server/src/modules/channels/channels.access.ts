import { everyone, publicRoute, type AccessTable } from '../../http/access';

/** Who may call the channel routes (channels.ts). Inbound webhooks authenticate by the channel's own secret. */
export const channelsAccess: AccessTable = {
  'POST /inbound/{channel}': publicRoute({ except: everyone(403), why: 'no session: signed with X-Chidu-Signature (HMAC of CHIDU_WEBHOOK_SECRET); unsigned or off → 403' }),
};
