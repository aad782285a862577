/** Personal data masking for lists, logs and the audit trail (个人信息保护). */
export function maskPhone(v: string | null | undefined): string | null {
  if (!v) return v ?? null;
  const digits = v.replace(/\s|-/g, '');
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return '****';
}

export function maskEmail(v: string | null | undefined): string | null {
  if (!v) return v ?? null;
  const at = v.indexOf('@');
  if (at <= 0) return '***';
  return `${v[0]}***${v.slice(at)}`;
}

export function maskIdNumber(v: string | null | undefined): string | null {
  if (!v) return v ?? null;
  return v.length > 8 ? `${v.slice(0, 4)}**********${v.slice(-4)}` : '****';
}

const SECRET_FIELDS = new Set(['password', 'passwordHash', 'totpSecret', 'totpPendingSecret', 'recoveryCodeHashes', 'token', 'tokenHash', 'csrfToken']);
const MASKERS: Record<string, (v: string) => string | null> = {
  phone: maskPhone,
  mobile: maskPhone,
  email: maskEmail,
  idNumber: maskIdNumber,
};

/** Mask one field's value for the audit trail / logs. */
export function maskField(field: string, value: unknown): unknown {
  if (SECRET_FIELDS.has(field)) return value === null || value === undefined ? value : '[secret]';
  const m = MASKERS[field];
  if (m && typeof value === 'string') return m(value);
  return value;
}

/** Free-text scrubber for log lines: mainland mobile numbers and 18-digit id numbers. */
export function scrubText(s: string): string {
  return s.replace(/(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)/g, '$1********$3').replace(/(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g, '$1****$3');
}
