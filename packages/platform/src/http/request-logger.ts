import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino'

type LogMethod = (...args: unknown[]) => void

/**
 * A request's logger that becomes pino's child of the server's logger (with the request id bound)
 * only when something is logged at an enabled level, asked for its bindings or a child of its
 * own. fastify makes a child for every request; pino's `child` runs the bindings through the
 * redaction of every configured path, which was the largest share of the memory a request
 * allocated in the gateway (a tenth, by a sampling heap profile at 1,000 requests a second) and
 * a few per cent of its CPU, for a logger most requests never use: services log no line per
 * request below `debug`, and most requests log nothing else.
 */
class RequestLogger {
  readonly #parent: Logger
  readonly #bindings: Bindings
  #child: Logger | undefined

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent
    this.#bindings = bindings
  }

  #real(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings))
  }

  #log(level: Level, args: unknown[]): void {
    const logger = this.#child ?? this.#parent
    if (!logger.isLevelEnabled(level)) return
    const real = this.#real()
    ;(real[level] as LogMethod).apply(real, args)
  }

  get level(): string {
    return (this.#child ?? this.#parent).level
  }

  set level(level: string) {
    this.#real().level = level
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level)
  }

  bindings(): Bindings {
    return this.#real().bindings()
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#real().child(bindings, options)
  }

  fatal(...args: unknown[]): void {
    this.#log('fatal', args)
  }
  error(...args: unknown[]): void {
    this.#log('error', args)
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args)
  }
  info(...args: unknown[]): void {
    this.#log('info', args)
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args)
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args)
  }
  silent(): void {}
}

/**
 * fastify's `childLoggerFactory`: a request logger made on first use (above). A route with a log
 * level or serializers of its own gets pino's child at once, as fastify would make it.
 */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  if (options.level !== undefined || options.serializers !== undefined) {
    return logger.child(bindings, options)
  }
  // The server's logger is pino's (createHttpServer's loggerInstance).
  return new RequestLogger(logger as Logger, bindings) as unknown as FastifyBaseLogger
}
