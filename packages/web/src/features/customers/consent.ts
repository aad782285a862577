import type { CustomerConsent } from '../../api/types';

/** The consent flags the customer 360 shows and edits. */
export const CONSENTS = ['marketing', 'surveys', 'dataSharing', 'email', 'wechat', 'sms'] as const;
export type ConsentKey = (typeof CONSENTS)[number];

/** Contacted unless withdrawn (the server refuses only on `false`): survey invitations, e-mail, WeChat and SMS. */
const OPT_OUT: ReadonlySet<ConsentKey> = new Set(['surveys', 'email', 'wechat', 'sms']);

/** Whether the customer consents, as the server decides: opt-out flags until `false`, the others only when `true`. */
export const consentGranted = (consent: CustomerConsent | null | undefined, k: ConsentKey): boolean =>
  OPT_OUT.has(k) ? consent?.[k] !== false : consent?.[k] === true;

/**
 * The consent part of a PATCH from the checked flags: only the flags whose state the user changed (an untouched flag
 * keeps what the record says, absent stays absent); undefined when nothing changed.
 */
export function consentPatch(consent: CustomerConsent | null | undefined, checked: readonly string[]): Partial<Record<ConsentKey, boolean>> | undefined {
  const on = new Set(checked);
  const changed = CONSENTS.filter((k) => on.has(k) !== consentGranted(consent, k));
  return changed.length ? Object.fromEntries(changed.map((k) => [k, on.has(k)])) : undefined;
}
