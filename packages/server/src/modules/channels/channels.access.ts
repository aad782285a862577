import { everyone, publicRoute, staffOnly, TICKET_READERS, type AccessTable } from '../../http/access';

const admin = 'channels.manage' as const;

/** Who may call the channel routes (channels.routes.ts). Inbound webhooks authenticate by the channel's own secret. */
export const channelsAccess: AccessTable = {
  'POST /inbound/{channel}': publicRoute({
    except: everyone(403),
    why: 'no session: signed with X-Chidu-Signature (HMAC of CHIDU_WEBHOOK_SECRET); unsigned or off → 403',
  }),
  'GET /public/channels/wechat/{id}': publicRoute({
    except: everyone(403),
    why: 'no session: the WeChat signature (sha1 of the channel token, timestamp, nonce) is the credential; without it → 403',
  }),
  'POST /public/channels/sms/{id}/receipt': publicRoute({
    except: everyone(403),
    why: 'no session: the random token in the channel receipt URL is the credential (the providers do not sign receipts); wrong or missing → 403, nothing changes',
  }),
  'POST /public/channels/wechat/{id}': publicRoute({
    except: everyone(403),
    why: 'no session: the WeChat signature (and msg_signature in safe mode) is the credential; forged or missing → 403, nothing stored',
  }),
  'POST /public/channels/dingtalk/{id}': publicRoute({
    except: everyone(403),
    why: 'no session: the DingTalk sign header (HmacSHA256 of timestamp + appSecret, at most 1 h old) is the credential; forged, stale or missing → 403, nothing stored',
  }),
  'GET /channels/dingtalk/staff': staffOnly(admin),
  'PUT /channels/dingtalk/staff/{staffId}': staffOnly(admin),
  'GET /public/channels/wecom/{id}': publicRoute({
    except: everyone(403),
    why: 'no session: the WeCom msg_signature (sha1 of the channel token, timestamp, nonce, echostr) and the CorpID inside the decrypted echostr are the credential; without them → 403',
  }),
  'POST /public/channels/wecom/{id}': publicRoute({
    except: everyone(403),
    why: 'no session: the WeCom msg_signature over the encrypted event and the CorpID inside it are the credential; forged or missing → 403, nothing pulled nor stored',
  }),
  'GET /channels': staffOnly(admin),
  'POST /channels': staffOnly(admin),
  'GET /channels/outbox': staffOnly(admin),
  'POST /channels/outbox/{id}/retry': staffOnly(admin),
  'GET /channels/{id}': staffOnly(admin),
  'PATCH /channels/{id}': staffOnly(admin),
  'POST /channels/{id}/test': staffOnly(admin),
  'GET /channels/{id}/log': staffOnly(admin),
  'GET /channels/{id}/review': staffOnly(admin),
  'GET /channels/{id}/inbound': staffOnly(admin),
  'POST /channels/{id}/inbound/{messageId}/retry': staffOnly(admin),
  'POST /channels/{id}/inbound/{messageId}/discard': staffOnly(admin),
  'GET /channels/review': staffOnly('channels.work'),
  'POST /channels/review/{id}/ticket': staffOnly('channels.work'),
  'POST /channels/review/{id}/attach': staffOnly('channels.work'),
  'POST /channels/review/{id}/discard': staffOnly('channels.work'),
  'GET /tickets/{id}/deliveries': staffOnly(TICKET_READERS, { ticket: 'id' }),
};
