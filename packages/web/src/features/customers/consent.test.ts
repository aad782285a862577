import { describe, expect, it } from 'vitest';
import { consentGranted, consentPatch, CONSENTS } from './consent';

describe('customer consent flags (customer 360)', () => {
  it('surveys, e-mail, WeChat and SMS count as granted until withdrawn; marketing and data sharing only when given', () => {
    expect(CONSENTS.filter((k) => consentGranted({}, k))).toEqual(['surveys', 'email', 'wechat', 'sms']);
    expect(consentGranted({ sms: false }, 'sms')).toBe(false);
    expect(consentGranted({ wechat: false }, 'wechat')).toBe(false);
    expect(consentGranted({ wechat: true }, 'wechat')).toBe(true);
    expect(consentGranted({ marketing: true }, 'marketing')).toBe(true);
    expect(consentGranted(null, 'dataSharing')).toBe(false);
  });

  it('a PATCH carries only the flags the user changed', () => {
    // Untouched form on a record without flags: nothing is sent (absent must not become false).
    expect(consentPatch({}, ['surveys', 'email', 'wechat', 'sms'])).toBeUndefined();
    // Withdrawing WeChat: only wechat: false.
    expect(consentPatch({}, ['surveys', 'email', 'sms'])).toEqual({ wechat: false });
    expect(consentPatch({}, ['surveys', 'email', 'wechat'])).toEqual({ sms: false });
    // Giving it back and adding marketing.
    expect(consentPatch({ wechat: false }, ['marketing', 'surveys', 'email', 'wechat', 'sms'])).toEqual({ marketing: true, wechat: true });
  });
});
