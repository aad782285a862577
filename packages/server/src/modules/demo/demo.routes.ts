import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { AppError } from '../../lib/errors';
import { demoAccounts } from '../../demo/accounts';
import { DemoAccounts } from './demo.schema';

export function registerDemoRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/demo/accounts',
    {
      config: { public: true },
      schema: {
        tags: ['demo'],
        summary: 'Demo mode only (CHIDU_DEMO=1, else 404): one demo login per role and the demo password, for the sign-in page',
        response: { 200: DemoAccounts },
      },
    },
    () => {
      if (!deps.config.CHIDU_DEMO) throw new AppError('not_found', 'Not in demo mode');
      return demoAccounts();
    },
  );
}
