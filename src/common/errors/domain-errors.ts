/**
 * Typed domain errors. Services throw these; the one exception filter maps them to HTTP.
 * `details` is safe to show to clients.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  field: string;
  errors: string[];
}

/** Bad input: `details` is a FieldError[] naming each field when the input was a request body or query. */
export class InvalidInputError extends DomainError {
  readonly status = 400;
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(entity: string, id?: string) {
    super(id ? `${entity} ${id} not found` : `${entity} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
}

export class UnprocessableError extends DomainError {
  readonly status = 422;
}

/** A Serializable transaction kept conflicting after every retry: safe for the client to retry. */
export class TransactionConflictError extends DomainError {
  readonly status = 409;
  constructor(attempts: number) {
    super(`The request conflicted with concurrent updates ${attempts} times; please retry`);
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
}

/** A provider we called (a messaging API, an SMTP server) refused or failed; the message says which and how. */
export class UpstreamError extends DomainError {
  readonly status = 502;
}
