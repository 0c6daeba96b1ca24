import { ApiError, createOrderlineClient, unwrap, type Schemas } from '@orderline/client';
import { apiBaseUrl } from '../lib/brand-base.js';
import { useEffect, useState } from 'preact/hooks';

/**
 * The console's sign-in state and its API client. The access token lives only in this module's memory (never in
 * storage, so injected script cannot carry it off later); the browser session is the httpOnly refresh cookie that
 * POST /auth/refresh exchanges for a new access token: on start, and whenever the API says the token expired.
 */

export type User = Schemas['UserResponse'];

export type SessionState = { status: 'starting' } | { status: 'signed-out'; reason?: string } | { status: 'signed-in'; user: User };

let state: SessionState = { status: 'starting' };
let accessToken: string | undefined;
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  listeners.forEach((listener) => listener());
}

/** Adds the access token; when the API answers 401 (expired token), refreshes once and sends the request again. */
async function authorizedFetch(request: Request): Promise<Response> {
  // Read once, sent as plain bytes (twice if need be): JSON bodies are small.
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  const send = (token: string | undefined) => {
    const headers = new Headers(request.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(request.url, { method: request.method, headers, body, signal: request.signal, credentials: 'same-origin' });
  };
  const sentWith = accessToken;
  const response = await send(sentWith);
  if (response.status !== 401 || /^(\/b\/[^/]+)?\/auth\//.test(new URL(request.url).pathname) || !sentWith) return response;
  // Another request may already have refreshed while this one was in flight.
  if (accessToken === sentWith && !(await refresh())) {
    set({ status: 'signed-out', reason: 'Your session has ended. Sign in again.' });
    return response;
  }
  return send(accessToken);
}

/** The typed API client every console screen uses. */
export const api = createOrderlineClient({ baseUrl: apiBaseUrl(), fetch: authorizedFetch });

let refreshing: Promise<boolean> | undefined;

/**
 * A new access token from the refresh cookie. One refresh at a time in this tab, and with the Web Locks API one at a
 * time across the brand's tabs too: each refresh token works once, so two tabs refreshing with the same cookie would
 * look like a stolen token and end the session.
 */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const run = async () => {
      try {
        const token = await unwrap(api.POST('/auth/refresh'));
        accessToken = token.accessToken;
        if (state.status !== 'signed-in' || state.user.id !== token.user.id) set({ status: 'signed-in', user: token.user });
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) accessToken = undefined;
        else throw error;
        return false;
      }
    };
    try {
      // Web Locks are missing in older browsers: there the tabs simply do not coordinate.
      return 'locks' in navigator ? await navigator.locks.request('orderline-session-refresh', run) : await run();
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** On page load: resume the browser session if there is one. A failure other than "no session" is thrown. */
export async function resumeSession(): Promise<void> {
  if (!(await refresh()) && state.status === 'starting') set({ status: 'signed-out' });
}

/** Signs in and starts the browser session. Only staff (ADMIN) accounts may use the console. */
export async function signIn(email: string, password: string): Promise<void> {
  const token = await unwrap(api.POST('/auth/login', { body: { email, password, refreshCookie: true } }));
  if (token.user.role !== 'ADMIN') {
    await api.POST('/auth/logout');
    throw new ApiError(403, 'This account is not a staff account: the console is for the brand’s staff.', null);
  }
  accessToken = token.accessToken;
  set({ status: 'signed-in', user: token.user });
}

export async function signOut(): Promise<void> {
  try {
    await api.POST('/auth/logout');
  } finally {
    accessToken = undefined;
    set({ status: 'signed-out', reason: 'You have signed out.' });
  }
}

export function useSession(): SessionState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    const update = () => setCurrent(state);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return current;
}
