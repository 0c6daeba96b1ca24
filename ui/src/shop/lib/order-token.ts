/**
 * Where a guest's order token lives in the browser: this tab's sessionStorage, under the order id. Checkout puts it
 * there and opens /pay/:orderId; a link that carries it (a message to the customer) does so in the URL fragment
 * (/pay/:orderId#t=<token>), which browsers never send to a server and never put in a Referer. The page moves it into
 * sessionStorage and takes it out of the address bar before any payment provider's script loads. It is never in a
 * path or query string (server and proxy logs), and never in localStorage (it would outlive the tab).
 */
const key = (orderId: string) => `orderline:order-token:${orderId}`;

export function rememberOrderToken(orderId: string, token: string): void {
  try {
    sessionStorage.setItem(key(orderId), token);
  } catch {
    // Blocked storage: the link with the fragment still works in this tab.
  }
}

export function takeOrderToken(orderId: string): string | undefined {
  const fromLink = /(?:^#|&)t=([A-Za-z0-9_-]{20,128})(?:&|$)/.exec(location.hash)?.[1];
  if (fromLink) {
    rememberOrderToken(orderId, fromLink);
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  try {
    return sessionStorage.getItem(key(orderId)) ?? fromLink;
  } catch {
    return fromLink;
  }
}
