import { staffOnly, anyPrincipal, TICKET_READERS, type AccessTable } from '../../http/access';

/** Who may call the ticket routes (tickets.routes.ts, workflows.routes.ts). See src/http/access.ts. */
export const ticketsAccess: AccessTable = {
  'POST /tickets': staffOnly('tickets.create'),
  'GET /tickets': anyPrincipal(TICKET_READERS),
  'GET /tickets/{id}': anyPrincipal(TICKET_READERS, { ticket: 'id' }),
  'PATCH /tickets/{id}': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/replies': anyPrincipal('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/resolve': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/reopen': anyPrincipal('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/close': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/status': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/assign': staffOnly('tickets.work', {
    ticket: 'id', except: { agentOwner: 403, agentTeammate: 403, technicianA: 403 },
    why: 'an owned ticket is re-assigned only by tickets.assign_any (supervisors); others hand it over',
  }),
  'POST /tickets/{id}/take': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/handovers': staffOnly('tickets.work', {
    ticket: 'id', except: { agentTeammate: 403, technicianA: 403 }, why: 'only the owner or a supervisor hands a ticket over',
  }),
  'POST /handovers/{id}/confirm': staffOnly('tickets.work', {
    except: { admin: 403, director: 403, supervisor: 403, agentOwner: 403, agentOther: 404, frontdesk: 404, technicianA: 404, technicianB: 404 },
    why: 'only the receiver (agentTeammate) confirms; the sender and supervisors are refused, others do not see the handover',
  }),
  'POST /handovers/{id}/decline': staffOnly('tickets.work', {
    except: { admin: 403, director: 403, supervisor: 403, agentOwner: 403, agentOther: 404, frontdesk: 404, technicianA: 404, technicianB: 404 },
    why: 'only the receiver (agentTeammate) declines',
  }),
  'GET /handovers': staffOnly('tickets.work'),
  'POST /tickets/{id}/compensations': staffOnly('tickets.work', { ticket: 'id' }),
  'GET /approvals': staffOnly('tickets.work'),
  // Fixture: ¥50 asked by technicianA (limit ¥0) on a team-A ticket. Deciding needs a limit that covers the amount.
  'POST /approvals/{id}/approve': staffOnly('tickets.work', {
    except: { admin: 403, technicianA: 403, supervisor: 403, agentOwner: 403, agentTeammate: 403, agentOther: 'deny', frontdesk: 'deny', technicianB: 'deny' },
    why: 'only someone above the requester decides (docs/security.md#approvals): a director, or a supervisor of the requester\'s team (the fixture supervisor leads team B: 403); the requester never decides; the requester\'s peers (agents of team A) may see the ticket but are not above them (403); staff of another team must not see a team-A approval (agentOther: 404)',
  }),
  'POST /approvals/{id}/reject': staffOnly('tickets.work', {
    except: { admin: 403, technicianA: 403, supervisor: 403, agentOwner: 403, agentTeammate: 403, agentOther: 'deny', frontdesk: 'deny', technicianB: 'deny' },
    why: 'as approve',
  }),
  'PUT /tickets/{id}/order-lines': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/order/confirm': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/order/changes': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/links': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/{id}/merge': staffOnly('tickets.work', { ticket: 'id' }),
  'POST /tickets/bulk': staffOnly('tickets.bulk'),
  'GET /categories': staffOnly(),
  'POST /categories': staffOnly('categories.manage'),
  'GET /dispatch/rules': staffOnly('tickets.work'),
  'POST /dispatch/rules': staffOnly('dispatch.manage'),
  'PUT /dispatch/rules/{id}': staffOnly('dispatch.manage'),
  'DELETE /dispatch/rules/{id}': staffOnly('dispatch.manage'),
  'POST /dispatch/dry-run': staffOnly('tickets.work'),
  'GET /me/filters': staffOnly(),
  'POST /me/filters': staffOnly(),
  'DELETE /me/filters/{id}': staffOnly(undefined, {
    except: { admin: 404, director: 404, supervisor: 404, agentTeammate: 404, agentOther: 404, frontdesk: 404, technicianA: 404, technicianB: 404, qa: 404, trainer: 404 },
    why: 'a saved filter belongs to its owner (agentOwner); anyone else gets 404',
  }),
  'POST /me/duty': staffOnly(),
  'GET /teams/load': staffOnly('tickets.work'),
};
