export type RequestHeaders = Record<string, string | string[] | undefined>;

/** One header of a request as Node gives them (lower-case names; repeated headers as arrays: the first counts). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
