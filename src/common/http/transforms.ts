import { Transform } from 'class-transformer';

/** class-transformer transforms (@Transform): input is normalised before it is validated and stored. */
type Input = { value: unknown };

/** Trims surrounding whitespace of a string input; other values pass through. */
export const trim = ({ value }: Input) => (typeof value === 'string' ? value.trim() : value);
export const lower = ({ value }: Input) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
export const upper = ({ value }: Input) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
/** Blank optional text counts as absent. */
export const blankToUndefined = ({ value }: Input) => (typeof value === 'string' ? value.trim() || undefined : value);

/** Trims surrounding whitespace so " Kurta " and "Kurta" are the same name. */
export const Trim = () => Transform(trim);

/** Accepts "true"/"false" query strings as booleans; anything else reaches @IsBoolean and fails there. */
export const QueryBoolean = () => Transform(({ value }: Input) => (value === 'true' ? true : value === 'false' ? false : value));

/** The comparable part of a phone number: its last 10 digits (a national number, with or without country code or trunk 0). */
export const nationalPhone = (phone: string) => phone.replace(/\D/g, '').slice(-10);
