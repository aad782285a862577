import type { MessageBundle } from '../../i18n/index';

/** Server texts of the web chat widget channel (customer names and tags it creates, ticket texts, its log lines). */
export const webchatMessages: MessageBundle = {
  'zh-CN': {
    'channels.webchat.customer': '网页访客',
    'channels.webchat.tag': '来自网页',
    'channels.webchat.photo': '[图片]',
    'channels.webchat.offline': '【留言】',
    'channels.log.webchat_ticket': '网页访客发起会话，已建工单 {number}',
    'channels.log.webchat_offline': '网页访客留言（{phone}）',
    'channels.log.test_webchat': '检查网页聊天设置：{result}',
    'channels.log.webchat_verified': '网页访客已验证手机号（{phone}，{via}）',
    'channels.log.webchat_verified_known': '网页访客已验证手机号（{phone}，{via}），已关联到已有客户',
  },
  en: {
    'channels.webchat.customer': 'Web visitor ',
    'channels.webchat.tag': 'From the website',
    'channels.webchat.photo': '[Photo]',
    'channels.webchat.offline': '[Message left]',
    'channels.log.webchat_ticket': 'A web visitor started a conversation; ticket {number} created',
    'channels.log.webchat_offline': 'A web visitor left a message ({phone})',
    'channels.log.test_webchat': 'Web chat settings checked: {result}',
    'channels.log.webchat_verified': 'A web visitor verified a mobile number ({phone}, {via})',
    'channels.log.webchat_verified_known': 'A web visitor verified a mobile number ({phone}, {via}) and was linked to a known customer',
  },
};
