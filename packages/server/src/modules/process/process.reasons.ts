/**
 * Transfer and handover reasons (seed 000: 转接电话须说明原因; 交接班). A short pick-list, each a message key
 * (`process.transfer_reason.<kind>`, zh-CN/en), plus free text. A leaf file: tickets.commands and the handovers read it.
 */
import { invalid } from '../../lib/errors';
import { text, type Text } from '../tickets/tickets.messages';

export const TRANSFER_REASONS = ['specialist', 'beyond_authority', 'customer_request', 'shift_handover', 'other'] as const;
export type TransferReason = (typeof TRANSFER_REASONS)[number];

/** The stored text of a reason: its label, with the free text when given (rendered in each reader's language). */
export function transferReasonText(kind: TransferReason, note?: string | null): Text {
  const label = text(`process.transfer_reason.${kind}`);
  return note ? text('process.transfer_reason_with_note', { label, note }) : label;
}

/**
 * The reason of a transfer from one agent or team to another: a pick-list kind, or free text alone (then 'other').
 * Missing both → 400 naming `reason`; 'other' needs the free text.
 */
export function requireTransferReason(kind: TransferReason | undefined, note: string | undefined): { kind: TransferReason; note: string | null } {
  const n = note?.trim() ? note.trim() : null;
  if (!kind && !n) throw invalid('reason', 'a transfer to another agent or team needs a reason (reasonKind or reason)');
  if (kind === 'other' && !n) throw invalid('reason', "say why (free text) when the reason is 'other'");
  return { kind: kind ?? 'other', note: n };
}
