/**
 * Plain-text structured logging to stderr: `time level component message k=v`.
 * Values go through redaction by key so a secret passed by mistake is masked
 * rather than written; callers still never pass secrets on purpose.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /(secret|token|private|seed|password|credential|key$)/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export function createLogger(component: string, level: LogLevel = envLevel()): Logger {
  const write = (l: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[l] < ORDER[level]) return;
    const extra = fields
      ? Object.entries(fields)
          .map(([k, v]) => `${k}=${SECRET_KEY.test(k) ? '[redacted]' : formatValue(v)}`)
          .join(' ')
      : '';
    process.stderr.write(
      `${new Date().toISOString()} ${l.padEnd(5)} ${component}: ${msg}${extra ? ' ' + extra : ''}\n`,
    );
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (c) => createLogger(`${component}/${c}`, level),
  };
}

function envLevel(): LogLevel {
  const v = process.env.KUBEDOS_LOG_LEVEL;
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

function formatValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"]/.test(s ?? '') ? JSON.stringify(s) : String(s);
}
