/** Trims surrounding whitespace of a string input (class-transformer @Transform); other values pass through. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
