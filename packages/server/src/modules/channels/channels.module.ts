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
import { channelsInboundWorker } from './channels.inbound';
import { queueDingtalkReply } from './channels.dingtalk.outbox';
import { queueSurveyWechat as queueSurveyWecomKf, wecomAppSender } from './channels.wecom.senders';
import { setWecomAppSender } from '../../realtime/delivery';
import { queueWebchatReply, queueWebchatSurvey } from './channels.webchat';
import { webchatAccess } from './channels.webchat.access';
import { webchatMessages } from './channels.webchat.messages';
import { registerWebchatRoutes } from './channels.webchat.routes';
import { registerTouchSender } from '../loops/touches';
import { queueTouchEmail, queueTouchSms, queueTouchWechat } from './channels.touch.senders';

// Survey invitations by email go through the channel outbox (surveys.delivery.ts records them as `queued`).
registerSurveySender('email', { enqueue: queueSurveyEmail });
// Visit reminders (field.reminders.worker.ts) by email and, within the 48-hour window, the WeChat Official Account.
registerReminderSender('email', { enqueue: queueReminderEmail });
registerReminderSender('wechat', { enqueue: queueReminderWechat });
// SMS (sms_aliyun / sms_tencent channels): invitations and reminders queued on the outbox, portal sign-in codes at once.
registerSurveySender('sms', { enqueue: queueSurveySms });
// Invitations on the WeChat channel: by 微信客服 (wecom_kf) within its window (48 h / 5 messages); else the Official
// Account: a customer-service message inside its 48-hour window, else the configured template / subscribe message.
registerSurveySender('wechat', {
  enqueue: async (tx, msg) => ((await queueSurveyWecomKf(tx, msg)) === 'queued' ? 'queued' : queueSurveyWechat(tx, msg)),
});
registerReminderSender('sms', { enqueue: queueReminderSms });
setCodeSender(smsCodeSender);
// Automatic care contacts / reactivation touches (loops/touches.ts): outbox kind `touch` on the customer's channel.
registerTouchSender('email', { enqueue: queueTouchEmail });
registerTouchSender('sms', { enqueue: queueTouchSms });
registerTouchSender('wechat', { enqueue: queueTouchWechat });
// 企业微信应用消息: staff notifications (realtime/delivery.ts) by the enabled wecom_app channel.
setWecomAppSender(wecomAppSender);

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
    { name: 'channels-dingtalk-reply', kinds: ['ticket.public_reply'], handle: queueDingtalkReply },
    { name: 'channels-webchat-reply', kinds: ['ticket.public_reply'], handle: queueWebchatReply },
    { name: 'channels-webchat-survey', kinds: ['survey.sent'], handle: queueWebchatSurvey },
  ],
  workers: [channelsWorker, channelsInboundWorker],
  messages: { 'zh-CN': { ...channelsMessages['zh-CN'], ...webchatMessages['zh-CN'] }, en: { ...channelsMessages.en, ...webchatMessages.en } },
});
