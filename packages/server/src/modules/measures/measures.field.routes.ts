import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../../http/app';
import { ctxOf } from '../../http/auth';
import { fieldMeasures } from './measures.field.commands';
import { FieldMeasures, FieldMeasuresQ } from './measures.field.schema';

/** GET /measures/field: the field-service measures with their numerators and denominators. */
export function registerFieldMeasuresRoutes(base: FastifyInstance, deps: AppDeps) {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/measures/field',
    {
      schema: {
        tags: ['measures'],
        summary: 'Field-service measures: on-time arrival, first-time fix, visits per technician per day, parts cost, repeat repairs by asset type',
        querystring: FieldMeasuresQ,
        response: { 200: FieldMeasures },
      },
    },
    async (req) => fieldMeasures(deps.database, ctxOf(req), req.query),
  );
}
