import { useEffect, useRef } from 'react';

/** A handler returning `false` leaves the key to the browser (e.g. Enter on a focused button). */
export type ShortcutMap = Record<string, (event: KeyboardEvent) => boolean | void>;

/** True when the key press belongs to a text field, a select or an editable element. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return target.getAttribute('role') === 'combobox' || target.getAttribute('role') === 'textbox';
}

/** An open antd modal or drawer owns the keyboard. */
function overlayOpen(): boolean {
  return Boolean(document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal, .ant-drawer-open'));
}

/**
 * Single-key shortcuts (`j`, `k`, `Enter`, `n`, `/`, `?`). They never fire while typing in a field,
 * with Ctrl/Alt/Meta held, during IME composition, or while a dialog/drawer is open.
 */
export function useShortcuts(map: ShortcutMap, enabled = true): void {
  const ref = useRef(map);
  useEffect(() => {
    ref.current = map;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isTypingTarget(e.target) || overlayOpen()) return;
      const handler = ref.current[e.key];
      if (!handler) return;
      if (handler(e) !== false) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled]);
}
