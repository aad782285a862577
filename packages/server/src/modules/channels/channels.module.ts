import { registerReminderSender } from '../field/field.reminders';
import { registerSurveySender } from '../surveys/surveys.delivery';
import { defineModule } from '../module';
import { channelsAccess } from './channels.access';
import { channelsMessages } from './channels.messages';
import { queueEmailReply, queueReminderEmail, queueReminderWechat, queueSurveyEmail, queueWechatReply } from './channels.outbox';
import { registerChannelRoutes } from './channels.routes';
import { channelsWorker } from './channels.worker';

// Survey invitations by email go through the channel outbox (surveys.delivery.ts records them as `queued`).
registerSurveySender('email', { enqueue: queueSurveyEmail });
// Visit reminders (field.reminders.worker.ts) by email and, within the 48-hour window, the WeChat Official Account.
registerReminderSender('email', { enqueue: queueReminderEmail });
registerReminderSender('wechat', { enqueue: queueReminderWechat });

export const channelsModule = defineModule({
  name: 'channels',
  access: channelsAccess,
  routes: registerChannelRoutes,
  consumers: [
    { name: 'channels-email-reply', kinds: ['ticket.public_reply'], handle: queueEmailReply },
    { name: 'channels-wechat-reply', kinds: ['ticket.public_reply'], handle: queueWechatReply },
  ],
  workers: [channelsWorker],
  messages: channelsMessages,
});
