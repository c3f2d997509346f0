/** What went wrong, in terms a caller can act on; each kind maps to one HTTP status. */
export const ErrorKind = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** Something that existed and is spent for good (a used or expired single-use link). */
  gone: 410,
  /** A body of a media type the route does not take (judged from its bytes where it can be). */
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many: 429,
  /** An upstream answered with something that cannot be passed on (the gateway). */
  bad_gateway: 502,
  unavailable: 503,
  timeout: 504,
  internal: 500,
} as const
export type ErrorKind = keyof typeof ErrorKind

export interface FieldError {
  path: string
  message: string
}

/**
 * The one error type. `code` is stable and namespaced (`ORDERS.NOT_CANCELLABLE`): clients key on
 * it, so never reword a code, only add new ones.
 */
export class AppError extends Error {
  readonly kind: ErrorKind
  readonly code: string
  readonly details: { errors?: FieldError[]; retryAfterSeconds?: number } & Record<string, unknown>

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: { cause?: unknown; details?: AppError['details'] } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.kind = kind
    this.code = code
    this.details = options.details ?? {}
  }

  get status(): number {
    return ErrorKind[this.kind]
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}

/** An error that retrying cannot fix (a poison message): the bus dead-letters it at once. */
export class PermanentError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'PermanentError'
  }
}
