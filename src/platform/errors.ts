/**
 * Error categories every layer may throw; the API maps each category to one TRPCError code in one place
 * (api/trpc.ts). Messages say what was wrong and what is allowed.
 */
export type ErrorCategory = 'not-found' | 'conflict' | 'invalid' | 'elsewhere' | 'unavailable';

export abstract class CategorizedError extends Error {
  abstract readonly category: ErrorCategory;
}

export class NotFoundError extends CategorizedError {
  override name = 'NotFoundError';
  readonly category = 'not-found';
}

export class ConflictError extends CategorizedError {
  override name = 'ConflictError';
  readonly category = 'conflict';
}

/** The procedure belongs to a module this process does not run (split mode). */
export class ModuleNotHereError extends CategorizedError {
  override name = 'ModuleNotHereError';
  readonly category = 'elsewhere';
}

/** The storage cannot take the write now (disk full, I/O error): nothing of it was stored; retrying later may work. */
export class StorageUnavailableError extends CategorizedError {
  override name = 'StorageUnavailableError';
  readonly category = 'unavailable';
}

/** The request is well-formed but asks for something that cannot be (e.g. a resume point past the end). */
export class InvalidRequestError extends CategorizedError {
  override name = 'InvalidRequestError';
  readonly category = 'invalid';
}
