import { anyPrincipal, TICKET_READERS, type AccessTable } from '../../http/access';

/** Who may call the attachment routes (attachments.routes.ts). See src/http/access.ts. */
export const attachmentsAccess: AccessTable = {
  'POST /attachments': anyPrincipal(['tickets.work', 'tickets.create']),
  // The fixture attachment is on ticket T: its uploader, or whoever may see T (customers: public replies only).
  'GET /attachments/{id}': anyPrincipal(TICKET_READERS, {
    except: { customerB: 404, agentOther: 404, frontdesk: 404, technicianB: 404 },
    why: "follows the visibility of the attachment's ticket",
  }),
  'GET /attachments/{id}/thumbnail': anyPrincipal(TICKET_READERS, {
    except: { customerB: 404, agentOther: 404, frontdesk: 404, technicianB: 404 },
    why: "follows the visibility of the attachment's ticket",
  }),
};
