import { customerOnly, each, publicRoute, staffOnly, type AccessTable } from '../../http/access';

const ownVisit = {
  except: each(['admin', 'technicianB'], 404),
  why: 'a visit is worked only by its technician (the fixture visit is technicianA’s); anyone else gets 404',
} as const;
const READERS = ['field.work', 'field.view', 'field.dispatch', 'tickets.read_all'] as const;

/** Who may call the visit-work routes (field.work.routes.ts): photos, quote, sign-off, the service report. */
export const fieldWorkAccess: AccessTable = {
  'POST /visits/{id}/photos': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/quote': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/quote/accept': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/signoff': staffOnly('field.work', ownVisit),
  'POST /visits/{id}/signoff-link': staffOnly(['field.work', 'field.dispatch'], {
    except: each(['technicianB'], 404),
    why: 'the visit’s technician or a dispatcher; another technician gets 404',
  }),
  'GET /visits/{id}/work': staffOnly(READERS, {
    except: each(['technicianB', 'agentOther', 'frontdesk'], 404),
    why: 'the visit’s technician, or staff who can see its ticket (T: not agentOther, not frontdesk) and view or dispatch field service; another technician gets 404',
  }),
  'GET /visits/{id}/report.pdf': staffOnly(READERS, {
    except: each(['technicianB', 'agentOther', 'frontdesk'], 404),
    why: 'as GET /visits/{id}/work (the fixture is a signed-off visit on T); 404 while a visit has no service report',
  }),
  'GET /portal/visits/{id}/report.pdf': customerOnly({ except: each(['customerB'], 404), why: 'only the ticket’s customer' }),
  'GET /portal/tickets/{id}/visit-reports': customerOnly({ ticket: 'id' }),
  'GET /public/visit-signoff/{token}': publicRoute(),
  'POST /public/visit-signoff/{token}': publicRoute(),
};
