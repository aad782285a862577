import { staffOnly, type AccessTable } from '../../http/access';

/** Who may call the customer (CRM) routes (customers.routes.ts). See src/http/access.ts. */
export const customersAccess: AccessTable = {
  'POST /customers': staffOnly('customers.write'),
  'GET /customers': staffOnly('customers.read'),
  'GET /customers/{id}': staffOnly('customers.read'),
  'PATCH /customers/{id}': staffOnly('customers.write'),
  // The profile is shared CRM data; the tickets inside follow ticket visibility (tickets/visibility.ts).
  'GET /customers/{id}/360': staffOnly('customers.read'),
  // Every channel's messages: only on the customer's tickets the caller may see; none visible → 404 (the matrix's
  // customer A also has a walk-in ticket of team B, so every staff reader sees some; the 404 is in channels-templates.test.ts).
  'GET /customers/{id}/messages': staffOnly('customers.read'),
  'POST /customers/duplicates': staffOnly('customers.read'),
  'POST /customers/{id}/merge': staffOnly('customers.merge'),
};
