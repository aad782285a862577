import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the customer (CRM) routes (customers.routes.ts). See src/http/access.ts. */
export const customersAccess: AccessTable = {
  'POST /customers': staffOnly('customers.write'),
  'GET /customers': staffOnly('customers.read'),
  'GET /customers/{id}': staffOnly('customers.read'),
  'PATCH /customers/{id}': staffOnly('customers.write'),
  // The profile is shared CRM data; the tickets inside follow ticket visibility (tickets/visibility.ts).
  'GET /customers/{id}/360': staffOnly('customers.read'),
  'POST /customers/duplicates': staffOnly('customers.read'),
  'POST /customers/{id}/merge': staffOnly('customers.merge'),
};
