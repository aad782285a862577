import { defineModule } from '../module';
import { qualityAccess } from './quality.access';
import { qualityMessages } from './quality.messages';
import { registerQualityRoutes } from './quality.routes';

/** Quality inspection (质检): scorecards, manual inspections, appeals, sampling plans, the performance composite, proposals. */
export const qualityModule = defineModule({ name: 'quality', access: qualityAccess, routes: registerQualityRoutes, messages: qualityMessages });
