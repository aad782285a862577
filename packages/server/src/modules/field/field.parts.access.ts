import { each, staffOnly, type AccessTable } from '../../http/access';

/** Who may call the spare-parts routes (field.parts.routes.ts). */
export const fieldPartsAccess: AccessTable = {
  'GET /field/parts': staffOnly(['field.work', 'field.manage']),
  'POST /field/parts': staffOnly('field.manage'),
  'GET /field/stock': staffOnly('field.manage'),
  'POST /field/stock/locations': staffOnly('field.manage'),
  'POST /field/stock/receive': staffOnly('field.manage'),
  'POST /field/stock/issue': staffOnly('field.manage'),
  'POST /field/stock/return': staffOnly('field.manage'),
  'GET /visits/{id}/parts': staffOnly(['field.work', 'field.dispatch', 'field.manage'], {
    except: each(['technicianB'], 404),
    why: 'parts of a visit are seen by its technician (the fixture visit is technicianA’s) and by dispatch / field managers',
  }),
  'POST /visits/{id}/parts': staffOnly('field.work', {
    except: each(['admin', 'technicianB'], 404),
    why: 'only the visit’s technician records parts (the fixture visit is technicianA’s); anyone else gets 404',
  }),
  'DELETE /visits/{id}/parts/{usageId}': staffOnly('field.work', {
    except: each(['admin', 'technicianB'], 404),
    why: 'only the visit’s technician takes parts off (the fixture visit is technicianA’s); anyone else gets 404',
  }),
};
