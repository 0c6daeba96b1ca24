/**
 * A provider API base variable's problems: an http(s) origin, and exactly the provider's own in production (only
 * tests and local development point providers elsewhere: the simulator).
 */
export function checkApiBase(name: string, value: string, production: string, isProduction: boolean): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name}: must be an http(s) URL`];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [`${name}: must be an http(s) URL`];
  if (url.pathname !== '/' || url.search) return [`${name}: must be a scheme, host and port only (no path)`];
  if (isProduction && value.replace(/\/$/, '') !== production) return [`${name}: must be ${production} in production`];
  return [];
}
