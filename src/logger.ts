/** A structured (JSON lines) logger; the same shape as Temporal's `Logger`, so the Runtime can use it. */

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppLogger {
  log(level: LogLevel, message: string, meta?: Record<string, unknown>): void;
  trace(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export function createJsonLogger(
  level: LogLevel = 'INFO',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  base: Record<string, unknown> = {},
): AppLogger {
  const threshold = LOG_LEVELS.indexOf(level);
  const log = (lvl: LogLevel, message: string, meta?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(lvl) < threshold) return;
    const head = { time: new Date().toISOString(), level: lvl.toLowerCase(), msg: message, ...base };
    let line: string;
    try {
      line = JSON.stringify({ ...head, ...meta }, errorReplacer);
    } catch {
      line = JSON.stringify(head); // e.g. a circular meta object: the message still gets out
    }
    write(line);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

/** Errors as name and message only (a stack or cause may quote request data). */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger that drops everything (tests, library default). */
export const silentLogger: AppLogger = createJsonLogger('ERROR', () => {});
