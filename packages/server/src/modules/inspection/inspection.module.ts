import { defineModule } from '../module';
import { inspectionAccess } from './inspection.access';
import { registerInspectionRoutes } from './inspection.routes';
import { INSPECTED_KINDS, inspectionWorker, queueForInspection } from './inspection.worker';

/** Automatic inspection (全量质检): every staff message checked by editable rules within seconds (docs/quality.md). */
export const inspectionModule = defineModule({
  name: 'inspection',
  access: inspectionAccess,
  routes: registerInspectionRoutes,
  consumers: [
    {
      name: 'inspection',
      kinds: INSPECTED_KINDS,
      handle: (tx, ctx, ticket, event) => queueForInspection(tx, [{ ctx, ticket, event, fresh: false }]),
      batch: queueForInspection,
    },
  ],
  workers: [inspectionWorker],
});
