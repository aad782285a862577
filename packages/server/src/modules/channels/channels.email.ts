/**
 * Email as a channel, the parts without I/O: parsing a raw message (mailparser: GBK/GB2312/Big5 bodies, RFC 2047
 * base64/quoted-printable subjects), recognising auto-replies and bounces, trimming quoted history and signatures,
 * the ticket token in subjects and building a threaded reply (nodemailer message options).
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface ParsedEmail {
  messageId: string;
  from: string | null;
  fromName: string | null;
  to: string[];
  subject: string;
  /** The new text of the message: quoted history and signature trimmed. */
  text: string;
  inReplyTo: string[];
  /** Why nothing may be created for this mail (auto-reply or bounce), or null. */
  automatic: 'auto_reply' | 'bounce' | null;
  /** The receiving server marked it as spam (X-Spam-Flag: YES, X-Spam-Status: Yes…): it waits for review. */
  spam: boolean;
  attachments: { filename: string; content: Buffer }[];
}

const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value).flatMap((v) => (v.address ? [v.address.toLowerCase()] : []));

const ids = (v: string | string[] | undefined) =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((x) => x.match(/<[^<>\s]+>/g) ?? []).map((x) => x.toLowerCase());

/** Auto-Submitted (RFC 3834), X-Autoreply / X-Autorespond, Precedence auto_reply|bulk|junk|list, DSN multipart/report, MAILER-DAEMON. */
export function automaticKind(m: ParsedMail, from: string | null): ParsedEmail['automatic'] {
  const h = m.headers;
  const header = (k: string) => {
    const v = h.get(k);
    if (v === undefined || v === null) return '';
    return (typeof v === 'string' ? v : typeof v === 'object' && 'value' in v && typeof v.value === 'string' ? v.value : JSON.stringify(v)).toLowerCase();
  };
  const ct = header('content-type');
  if (ct.includes('multipart/report') || /^(mailer-daemon|postmaster)@/i.test(from ?? '') || (from ?? '') === '') return 'bounce';
  const auto = header('auto-submitted');
  if (auto && auto !== 'no') return 'auto_reply';
  if (h.has('x-autoreply') || h.has('x-autorespond') || h.has('x-auto-response-suppress')) return 'auto_reply';
  if (/^(auto_reply|bulk|junk|list)$/.test(header('precedence').trim())) return 'auto_reply';
  return null;
}

/**
 * The new part of a reply: stops at the quoted history ("On … wrote:", "在 … 写道：", "-----原始邮件-----",
 * "-----Original Message-----", "发件人：" blocks, `>` lines) and at the signature ("-- " line).
 */
export function trimQuoted(text: string): string {
  const out: string[] = [];
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const l = line.trim();
    if (line === '-- ' || l === '--') break;
    if (/^-{2,}\s*(原始邮件|Original Message|转发邮件)/i.test(l)) break;
    if (/^(On .+ wrote:|在.+写道[:：]?)$/.test(l)) break;
    if (/^(发件人|From)[:：]/.test(l) && out.length > 0) break;
    if (l.startsWith('>')) continue;
    out.push(line);
  }
  return out.join('\n').trim();
}

/** X-Spam-Flag: YES / X-Spam-Status: Yes (SpamAssassin, rspamd) / X-Spam: yes. */
export function spamFlagged(m: ParsedMail): boolean {
  const v = (k: string) => {
    const x = m.headers.get(k);
    return typeof x === 'string' ? x.trim().toLowerCase() : '';
  };
  return v('x-spam-flag') === 'yes' || v('x-spam-status').startsWith('yes') || v('x-spam') === 'yes';
}

export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipHtmlToText: false });
  const from = addresses(m.from)[0] ?? null;
  const fromName = m.from?.value[0]?.name || null;
  // mailparser derives the text from the HTML part when a mail has no text part; HTML itself is never stored.
  const body = m.text ?? '';
  return {
    messageId: ids(m.messageId)[0] ?? `<no-id-${Buffer.from(raw.subarray(0, 4096)).toString('base64url').slice(0, 40)}>`,
    from,
    fromName,
    to: [...addresses(m.to), ...addresses(m.cc)],
    subject: (m.subject ?? '').trim(),
    text: trimQuoted(body),
    inReplyTo: [...ids(m.inReplyTo), ...ids(m.references)],
    automatic: automaticKind(m, from),
    spam: spamFlagged(m),
    attachments: m.attachments.filter((a) => a.content.length > 0).map((a) => ({ filename: a.filename ?? 'attachment', content: a.content })),
  };
}

/** `[#T20261205-0001]` → `T20261205-0001`. */
export const ticketToken = (subject: string): string | null => /\[#([A-Za-z0-9-]{4,40})\]/.exec(subject)?.[1] ?? null;

/** Subject of a reply: `Re: <subject> [#number]` (the token once). */
export function replySubject(subject: string, number: string): string {
  const base = subject.replace(/\s*\[#[^\]]+\]\s*/g, ' ').trim();
  return `${/^re:/i.test(base) ? base : `Re: ${base}`} [#${number}]`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** HTML and plain text of an outgoing mail (the body is plain text already sanitised by the ticket). */
export function mailBodies(body: string, footer: string): { text: string; html: string } {
  const text = `${body}\n\n-- \n${footer}\n`;
  const para = (s: string) => escapeHtml(s).replace(/\n/g, '<br>');
  const html = `<!doctype html><html lang="zh-CN"><body style="font-family:'PingFang SC','Microsoft YaHei',sans-serif;font-size:14px;line-height:1.6"><div>${para(body)}</div><hr style="border:none;border-top:1px solid #ddd"><div style="color:#888;font-size:12px">${para(footer)}</div></body></html>`;
  return { text, html };
}
