/**
 * The fields errors from Prisma, the pg driver, body-parser and Node may carry. Code that classifies an error it did
 * not throw reads it through this shape instead of `any`.
 */
export interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  type?: unknown;
  kind?: unknown;
  cause?: unknown;
  meta?: { code?: unknown; target?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
}

/** The error as an ErrorLike, or undefined when it is not an object. */
export const errorLike = (error: unknown): ErrorLike | undefined => (typeof error === 'object' && error !== null ? error : undefined);

/** A field of an ErrorLike as text ('' when absent or not a string or number). */
export const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** What to say about a caught value: its message when it is an Error. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
