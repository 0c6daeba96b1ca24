/** class-transformer transforms of the order DTOs: input is normalised before it is validated and stored. */
export { blankToUndefined, lower, nationalPhone, trim, upper } from '../../common/http/transforms.js';

/** Optional text compared case-insensitively (email): lower-cased, blank counts as absent. */
export const lowerOrAbsent = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() || undefined : value;

/** "+91 98123-45678" and "+919812345678" are the same number: keep digits and a leading +. */
export const stripPhone = (phone: string) => phone.replace(/[\s().-]/g, '');
export const normalizePhone = ({ value }: { value: unknown }) => (typeof value === 'string' ? stripPhone(value) : value);
export const PHONE_FORMAT = /^\+?[0-9]{6,15}$/;
export const PHONE_MESSAGE = 'phone must be a phone number (6 to 15 digits, optional leading +)';

/** "42", "ol-42" and "OL-000042" all name order OL-000042. */
export function normalizeOrderNumber(input: string): string | undefined {
  const match = /^(?:OL-?)?0*(\d{1,12})$/i.exec(input.trim());
  return match ? `OL-${match[1].padStart(6, '0')}` : undefined;
}
