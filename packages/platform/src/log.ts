import { trace } from '@opentelemetry/api'
import { pino, type Logger, type LoggerOptions } from 'pino'

export type { Logger }

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
 * JSON logs carrying the service name and, inside a traced request or message handler, the
 * trace and span ids (the request id is added by the HTTP server's child logger).
 */
export function createLogger(
  options: { service?: string; level?: string } & Pick<LoggerOptions, 'base'>,
): Logger {
  return pino({
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
  })
}
