import { registerReminderSender } from '../field/field.reminders';
import { registerSurveySender } from '../surveys/surveys.delivery';
import { defineModule } from '../module';
import { setCodeSender } from '../portal/portal.commands';
import { channelsAccess } from './channels.access';
import { channelsMessages } from './channels.messages';
import { queueEmailReply, queueReminderEmail, queueReminderWechat, queueSurveyEmail, queueWechatReply } from './channels.outbox';
import { registerChannelRoutes } from './channels.routes';
import { queueReminderSms, queueSurveySms, smsCodeSender } from './channels.sms.senders';
import { channelsWorker } from './channels.worker';
import { queueWebchatReply, queueWebchatSurvey } from './channels.webchat';
import { webchatAccess } from './channels.webchat.access';
import { webchatMessages } from './channels.webchat.messages';
import { registerWebchatRoutes } from './channels.webchat.routes';

// Survey invitations by email go through the channel outbox (surveys.delivery.ts records them as `queued`).
registerSurveySender('email', { enqueue: queueSurveyEmail });
// Visit reminders (field.reminders.worker.ts) by email and, within the 48-hour window, the WeChat Official Account.
registerReminderSender('email', { enqueue: queueReminderEmail });
registerReminderSender('wechat', { enqueue: queueReminderWechat });
// SMS (sms_aliyun / sms_tencent channels): invitations and reminders queued on the outbox, portal sign-in codes at once.
registerSurveySender('sms', { enqueue: queueSurveySms });
registerReminderSender('sms', { enqueue: queueReminderSms });
setCodeSender(smsCodeSender);

export const channelsModule = defineModule({
  name: 'channels',
  access: { ...channelsAccess, ...webchatAccess },
  routes: (api, deps) => {
    registerChannelRoutes(api, deps);
    registerWebchatRoutes(api, deps);
  },
  consumers: [
    { name: 'channels-email-reply', kinds: ['ticket.public_reply'], handle: queueEmailReply },
    { name: 'channels-wechat-reply', kinds: ['ticket.public_reply'], handle: queueWechatReply },
    { name: 'channels-webchat-reply', kinds: ['ticket.public_reply'], handle: queueWebchatReply },
    { name: 'channels-webchat-survey', kinds: ['survey.sent'], handle: queueWebchatSurvey },
  ],
  workers: [channelsWorker],
  messages: { 'zh-CN': { ...channelsMessages['zh-CN'], ...webchatMessages['zh-CN'] }, en: { ...channelsMessages.en, ...webchatMessages.en } },
});
