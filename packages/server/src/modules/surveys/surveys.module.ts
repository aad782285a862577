import { defineModule } from '../module';
import { surveysAccess } from './surveys.access';
import { surveysMessages } from './surveys.messages';
import { registerSurveyRoutes } from './surveys.routes';

/** Survey templates, invitations, public answers and soft-standard compliance (the closed loops are loops.module.ts). */
export const surveysModule = defineModule({ name: 'surveys', access: surveysAccess, routes: registerSurveyRoutes, messages: surveysMessages });
