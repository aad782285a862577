import { defineModule } from '../module';
import { mysteryAccess } from './mystery.access';
import { registerMysteryRoutes } from './mystery.routes';

/** Mystery shopper and open inspection (神秘顾客 / 明查暗访): scenario scripts, monthly plans, visits, the month view. */
export const mysteryModule = defineModule({ name: 'mystery', access: mysteryAccess, routes: registerMysteryRoutes });
