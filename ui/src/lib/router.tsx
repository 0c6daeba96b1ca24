import { useEffect, useState } from 'preact/hooks';
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';

/**
 * A small client-side router over the History API: the page's server route (/console/...) serves one HTML file and
 * this decides what to show. Links are real <a href> elements, so opening in a new tab and copying a link work.
 */

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
addEventListener('popstate', notify);

export interface Location {
  path: string;
  query: URLSearchParams;
  /** path plus query string, as in the address bar. */
  href: string;
}

function current(): Location {
  return { path: location.pathname, query: new URLSearchParams(location.search), href: location.pathname + location.search };
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === location.pathname + location.search) return;
  history[options.replace ? 'replaceState' : 'pushState'](null, '', href);
  notify();
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return loc;
}

/** "/console/orders" plus the query parameters that are set (empty values dropped). */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

type LinkProps = AnchorHTMLAttributes & { href: string; children?: ComponentChildren };

/** An <a> that navigates within the app on a plain click and behaves as a normal link otherwise (new tab, copy). */
export function Link({ href, onClick, ...props }: LinkProps) {
  return (
    <a
      href={href}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
      {...props}
    />
  );
}

/** Replaces the current entry with `to` once rendered (a redirect that keeps rendering pure). */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
