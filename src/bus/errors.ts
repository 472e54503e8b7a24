/** Thrown by a handler (or the bus) when retrying cannot help: the message is dead-lettered at once. */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';
}

/** The message does not match any contract the subscription accepts, or its payload fails the schema. */
export class SchemaError extends NonRetryableError {
  override name = 'SchemaError';
}

export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : `non-error thrown: ${JSON.stringify(thrown)}`);
}
