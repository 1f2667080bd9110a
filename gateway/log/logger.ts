// The gateway's own log (not the access log): pino JSON on stderr, so stdout stays for access logs.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { component: 'gateway' } }, pino.destination({ dest: 2, sync: false }));
}
