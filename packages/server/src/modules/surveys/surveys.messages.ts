import type { MessageBundle } from '../../i18n/index';

/**
 * Texts the surveys module generates: none yet. Templates, questions and low-score reasons are content an admin
 * edits (seeded in Chinese, surveys.invitations.ts); a refused survey link answers with a stable reason
 * (surveys.policy.ts) that the public page translates.
 */
export const surveysMessages: MessageBundle = {
  'zh-CN': {},
  en: {},
};
