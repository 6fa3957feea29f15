/**
 * Progress and diagnostics go to stderr as plain lines; results go to stdout and never through this.
 * A logger is built once at the entry and passed down: no module-level instance.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(options: { write: (line: string) => void; level?: LogLevel; timestamps?: boolean; now?: () => Date }): Logger {
  const min = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string): void => {
    if (ORDER[level] < min) return;
    const stamp = options.timestamps ? `${now().toISOString()} ` : '';
    const tag = level === 'info' ? '' : `${level}: `;
    for (const line of message.split('\n')) options.write(`${stamp}${tag}${line}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}
