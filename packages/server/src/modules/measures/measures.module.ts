import { defineModule } from '../module';
import { measuresWorker, registerMeasures } from './index';
import { measuresAccess } from './measures.access';
import { fieldMeasuresMessages } from './measures.field.messages';
import { measuresMessages } from './measures.messages';
import { queueTicketForMeasures, queueTicketsForMeasures } from './worker';

export const measuresModule = defineModule({
  name: 'measures',
  access: measuresAccess,
  messages: { 'zh-CN': { ...measuresMessages['zh-CN'], ...fieldMeasuresMessages['zh-CN'] }, en: { ...measuresMessages.en, ...fieldMeasuresMessages.en } },
  routes: registerMeasures,
  consumers: [
    {
      name: 'measures',
      // Every kind: any ticket event can change the ticket's facts (status, owner, replies, answers, clocks), so each
      // one queues its ticket for the rollup worker (same transaction).
      kinds: '*',
      handle: queueTicketForMeasures,
      batch: queueTicketsForMeasures,
    },
  ],
  workers: [measuresWorker],
});
