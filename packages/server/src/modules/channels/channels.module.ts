import { registerReminderSender } from '../field/field.reminders';
import { registerSurveySender } from '../surveys/surveys.delivery';
import { defineModule } from '../module';
import { setCodeSender } from '../portal/portal.commands';
import { channelsAccess } from './channels.access';
import { channelsMessages } from './channels.messages';
import { queueEmailReply, queueReminderEmail, queueSurveyEmail, queueWechatReply } from './channels.outbox';
import { queueReminderWechat, queueSurveyWechat } from './channels.wechat.senders';
import { registerChannelRoutes } from './channels.routes';
import { queueReminderSms, queueSurveySms, smsCodeSender } from './channels.sms.senders';
import { channelsWorker } from './channels.worker';
import { queueDingtalkReply } from './channels.dingtalk.outbox';

// Survey invitations by email go through the channel outbox (surveys.delivery.ts records them as `queued`).
registerSurveySender('email', { enqueue: queueSurveyEmail });
// Visit reminders (field.reminders.worker.ts) by email and, within the 48-hour window, the WeChat Official Account.
registerReminderSender('email', { enqueue: queueReminderEmail });
registerReminderSender('wechat', { enqueue: queueReminderWechat });
// SMS (sms_aliyun / sms_tencent channels): invitations and reminders queued on the outbox, portal sign-in codes at once.
registerSurveySender('sms', { enqueue: queueSurveySms });
// WeChat OA: a customer-service message inside the 48-hour window, else the configured template / subscribe message.
registerSurveySender('wechat', { enqueue: queueSurveyWechat });
registerReminderSender('sms', { enqueue: queueReminderSms });
setCodeSender(smsCodeSender);

export const channelsModule = defineModule({
  name: 'channels',
  access: channelsAccess,
  routes: registerChannelRoutes,
  consumers: [
    { name: 'channels-email-reply', kinds: ['ticket.public_reply'], handle: queueEmailReply },
    { name: 'channels-wechat-reply', kinds: ['ticket.public_reply'], handle: queueWechatReply },
    { name: 'channels-dingtalk-reply', kinds: ['ticket.public_reply'], handle: queueDingtalkReply },
  ],
  workers: [channelsWorker],
  messages: channelsMessages,
});
