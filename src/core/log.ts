/** Diagnostics for operators (pino, on stderr). Never attacker events: those go through the event bus. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', destination: number = 2): Logger {
  return pino({ level, base: { name: 'dicomhawk' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: destination, sync: false }));
}

/** A logger that discards everything (tools and tests that do not need diagnostics). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
