import { useEffect } from 'react';
import { onInsertIntoReply } from './api';

/** Reply boxes call this: a script inserted from the knowledge suggestions lands in the text. */
export function useKbInsert(ticketId: string, setBody: (fn: (prev: string) => string) => void): void {
  useEffect(() => onInsertIntoReply(ticketId, (text) => setBody((prev) => (prev.trim() ? `${prev.trimEnd()}\n${text}` : text))), [ticketId, setBody]);
}
