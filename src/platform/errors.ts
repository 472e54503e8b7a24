/**
 * Error categories every layer may throw; the API maps each to one TRPCError code in one place.
 * Messages say what was wrong and what is allowed.
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export class InvalidRequestError extends Error {
  override name = 'InvalidRequestError';
}

/** The procedure belongs to a module this process does not run (split mode). */
export class ModuleNotHereError extends Error {
  override name = 'ModuleNotHereError';
}
