import { defineModule } from '../module';
import { customersAccess } from './customers.access';
import { customersMessages } from './customers.messages';
import { registerCustomerRoutes } from './customers.routes';

export const customersModule = defineModule({ name: 'customers', access: customersAccess, routes: registerCustomerRoutes, messages: customersMessages });
