import { useEffect, useState } from 'preact/hooks';
import type { AnchorHTMLAttributes, ComponentChildren } from 'preact';
import { brandBase } from './brand-base.js';

/**
 * A small client-side router over the History API: the page's server route (/console/...) serves one HTML file and
 * this decides what to show. Links are real <a href> elements, so opening in a new tab and copying a link work.
 * Paths here are the app's own (`/console/orders`): under a brand's path prefix (`/b/<slug>/console/orders`, platform
 * mode) the prefix is taken off what the app reads and put back on what goes to the address bar and the links.
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
  const path = location.pathname.slice(brandBase().length) || '/';
  return { path, query: new URLSearchParams(location.search), href: path + location.search };
}

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  const target = brandBase() + href;
  if (target === location.pathname + location.search) return;
  history[options.replace ? 'replaceState' : 'pushState'](null, '', target);
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
      href={brandBase() + href}
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
