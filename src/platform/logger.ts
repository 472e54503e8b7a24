import { pino, type Logger } from 'pino';

export type { Logger };

/** Field paths that never reach a log line, whatever object they sit in. */
const REDACT = ['paymentToken', '*.paymentToken', '*.*.paymentToken', 'authorization', '*.authorization', 'token', '*.token'];

export function createLogger(level: string = 'info'): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
