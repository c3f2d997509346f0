import { isatty } from 'node:tty'
import { trace } from '@opentelemetry/api'
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { PinoPretty } from 'pino-pretty'

export type { Logger }

/** `json`: one object per line, for collectors; `pretty`: one readable line, for a terminal. */
export type LogFormat = 'json' | 'pretty'

/**
 * The format asked for (`LOG_FORMAT`), else pretty when stdout is a terminal and JSON when it is
 * not (containers, tests, CI). The terminal is asked about file descriptor 1 rather than
 * `process.stdout`, which is no TTY in a worker thread (the embedded gateway's) even when the
 * process writes to a terminal.
 */
export function logFormatOf(
  format: LogFormat | undefined,
  isTerminal: () => boolean = () => isatty(1),
): LogFormat {
  return format ?? (isTerminal() ? 'pretty' : 'json')
}

/** Paths that must never reach a log line, wherever they appear in a logged object. */
export const redactPaths = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'cardNumber',
  '*.cardNumber',
  '*.*.cardNumber',
  '*.*.*.cardNumber',
  'cvc',
  '*.cvc',
  '*.*.cvc',
  '*.*.*.cvc',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'res.headers["set-cookie"]',
]

// A primary account number (13 to 19 digits, spaces or dashes allowed) inside free text.
const pan = /\b(?:\d[ -]?){12,18}(\d{4})\b/g

/** Masks anything that looks like a card number in a string, keeping the last four digits. */
export function maskCardNumbers(text: string): string {
  return text.replace(pan, '****$1')
}

/**
 * Logs carrying the service name and, inside a traced request or message handler, the trace and
 * span ids (the request id is added by the HTTP server's child logger): JSON, or pretty on a
 * terminal (see logFormatOf). `destination` (stdout by default) is for tests.
 */
export function createLogger(
  options: {
    service?: string
    level?: string
    format?: LogFormat
    destination?: DestinationStream
  } & Pick<LoggerOptions, 'base'>,
): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? 'info',
    // A process hosting several services (the embedded mode) names none here: each service's
    // child logger adds its own, so no line carries two.
    base: { ...(options.service ? { service: options.service } : {}), ...(options.base ?? {}) },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan()
      if (!span) return {}
      const { traceId, spanId } = span.spanContext()
      return { traceId, spanId }
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskCardNumbers(a) : a))
        method.apply(this, masked as Parameters<typeof method>)
      },
    },
  }
  if (logFormatOf(options.format) === 'json') {
    return options.destination ? pino(settings, options.destination) : pino(settings)
  }
  // A synchronous stream on this thread, not pino's transport: a transport starts a worker
  // thread per logger, which a developer's terminal does not need and tests would pay for.
  const pretty = PinoPretty({
    sync: true,
    destination: options.destination ?? 1,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // One line per entry, as in JSON: a request is one line in a terminal too.
    singleLine: true,
    ...(options.destination ? { colorize: false } : {}),
  })
  return pino(settings, pretty)
}
