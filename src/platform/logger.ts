import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Field paths that never reach a log line, whatever object they sit in. */
const REDACT = ['paymentToken', '*.paymentToken', '*.*.paymentToken', 'authorization', '*.authorization', 'token', '*.token'];

/** `destination` defaults to stdout; tests pass a stream to read the lines. */
export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  const options = { level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
