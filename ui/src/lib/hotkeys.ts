import { useEffect, useRef } from 'preact/hooks';

const typingIn = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
const activatable = (target: EventTarget | null) =>
  target instanceof HTMLElement && !!target.closest('a[href], button, summary, [role="button"]');

/**
 * Single-key shortcuts for a screen ("/", "j", "k", "Enter", "Escape"). Ignored while the user types in a field
 * (except Escape, which leaves the field), while a modal dialog is open (it owns the keyboard), with Ctrl, Cmd or
 * Alt held (those belong to the browser), and for Enter on a link or button (which activates it).
 */
export function useHotkeys(handlers: Partial<Record<string, (event: KeyboardEvent) => void>>): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (document.querySelector('dialog[open]')) return;
      if (typingIn(event.target)) {
        if (event.key === 'Escape') (event.target as HTMLElement).blur();
        return;
      }
      // Enter on a focused link or button does what that element does.
      if (event.key === 'Enter' && activatable(event.target)) return;
      const handler = current.current[event.key];
      if (handler) {
        event.preventDefault();
        handler(event);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}
