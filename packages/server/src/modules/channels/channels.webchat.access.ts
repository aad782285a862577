import { everyone, publicRoute, staffOnly, TICKET_READERS, type AccessTable } from '../../http/access';

const token = 'no session: the visitor token (X-Visitor-Token, random, hashed at rest) is the credential; without it → 401';

/** Who may call the web chat widget routes (channels.webchat.routes.ts; the socket, like /ws, is not an OpenAPI operation). */
export const webchatAccess: AccessTable = {
  'GET /public/webchat/{channelId}/config': publicRoute(),
  'POST /public/webchat/{channelId}/session': publicRoute(),
  'GET /public/webchat/{channelId}/messages': publicRoute({ except: everyone(401), why: token }),
  'POST /public/webchat/{channelId}/messages': publicRoute({ except: everyone(401), why: token }),
  'POST /public/webchat/{channelId}/offline': publicRoute({ except: everyone(401), why: token }),
  'POST /public/webchat/{channelId}/identify/code': publicRoute({ except: everyone(401), why: token }),
  'POST /public/webchat/{channelId}/identify/verify': publicRoute({ except: everyone(401), why: token }),
  'POST /public/webchat/{channelId}/identify/portal': publicRoute({
    except: everyone(401),
    why: `${token}; then the customer portal session of the browser (cookie + X-CSRF-Token) is the proof`,
  }),
  'POST /public/webchat/{channelId}/uploads': publicRoute({ except: everyone(401), why: token }),
  'GET /public/webchat/{channelId}/attachments/{id}': publicRoute({ except: everyone(401), why: token }),
  'GET /webchat/conversations': staffOnly(TICKET_READERS),
  'POST /webchat/tickets/{id}/typing': staffOnly('tickets.work', { ticket: 'id' }),
};
