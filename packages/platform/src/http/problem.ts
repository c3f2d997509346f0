import { STATUS_CODES } from 'node:http'
import type { Problem } from '@emporium/contracts'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDataException } from '../data-errors.js'
import { isDependencyUnavailable } from '../dependency-errors.js'
import { isAppError } from '../errors.js'
import { toFieldErrors } from './validation.js'

/**
 * Problem `type` URIs are `https://emporium.dev/problems/<code>`, the stable error code in
 * kebab case with dots as slashes: `ORDERS.NOT_CANCELLABLE` →
 * `https://emporium.dev/problems/orders/not-cancellable`. Every problem has a code, so `type`
 * is never `about:blank`; the URI names the problem, it need not resolve.
 */
export function problemType(code: string): string {
  const path = code.toLowerCase().replaceAll('_', '-').replaceAll('.', '/')
  return `https://emporium.dev/problems/${path}`
}

export const contentType = 'application/problem+json'

/** `retry-after` of a 503 for a data store that cannot be reached (a restart takes seconds). */
const dependencyRetryAfterSeconds = 2

interface Rendered {
  problem: Problem
  retryAfterSeconds?: number
  /** `x-emporium-shed` of a 503 that is load shed here or upstream, not an outage (admission.ts). */
  shed?: string
  /** Whether this is our fault: logged as an error with the cause, body kept generic. */
  internal: boolean
  /** A client's fault that a schema should have caught: logged as a warning with the cause. */
  warn?: boolean
}

/** Fastify's own 4xx errors, by its code, as our stable codes. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'HTTP.MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HTTP.MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'HTTP.PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HTTP.BAD_CONTENT_LENGTH',
  FST_ERR_BAD_URL: 'HTTP.BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'HTTP.URI_TOO_LONG',
  FST_ERR_HANDLER_TIMEOUT: 'HTTP.TIMEOUT',
}

export function problem(status: number, code: string, detail: string, instance: string): Problem {
  return {
    type: problemType(code),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    instance,
  }
}

/** Any thrown value as the problem document sent to the client. */
export function renderError(error: unknown, requestId: string): Rendered {
  if (isAppError(error)) {
    const { status } = error
    // An AppError's message is written for clients, except for the `internal` kind.
    const internal = error.kind === 'internal'
    const detail = internal ? 'An unexpected error occurred.' : error.message
    const rendered = problem(status, error.code, detail, requestId)
    if (error.details.errors?.length) rendered.errors = error.details.errors
    const shed = typeof error.details.shed === 'string' ? error.details.shed : undefined
    return { problem: rendered, retryAfterSeconds: error.details.retryAfterSeconds, shed, internal }
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown }
  if (Array.isArray(fastifyError.validation)) {
    const rendered = problem(400, 'HTTP.VALIDATION', 'The request is not valid.', requestId)
    rendered.errors = toFieldErrors(
      fastifyError.validation,
      (error as { validationContext?: string }).validationContext,
    )
    return { problem: rendered, internal: false }
  }
  const status = fastifyError.statusCode
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined
  if (known && status !== undefined) {
    return { problem: problem(status, known, fastifyError.message!, requestId), internal: false }
  }
  // Other errors carrying a 4xx status (e.g. from a fastify plugin) describe the request.
  if (status !== undefined && status >= 400 && status < 500 && fastifyError.message) {
    const code = `HTTP.${(STATUS_CODES[status] ?? 'CLIENT_ERROR').toUpperCase().replace(/\W+/g, '_')}`
    return { problem: problem(status, code, fastifyError.message, requestId), internal: false }
  }
  // A database or Redis that is restarting or unreachable: the request may succeed shortly.
  if (isDependencyUnavailable(error)) {
    return {
      problem: problem(
        503,
        'SERVICE.UNAVAILABLE',
        'The service cannot reach its data store right now. Try again shortly.',
        requestId,
      ),
      retryAfterSeconds: dependencyRetryAfterSeconds,
      internal: true,
    }
  }
  // A value the database refused (SQLSTATE class 22): the request's fault, though its schema
  // should have said so; the detail stays generic, as the database's message quotes SQL.
  if (isDataException(error)) {
    return {
      problem: problem(
        400,
        'HTTP.INVALID_VALUE',
        'A value in the request is out of range or not valid text.',
        requestId,
      ),
      internal: false,
      warn: true,
    }
  }
  // Anything else may carry a stack, SQL or a peer's address in its message: none of it leaves.
  return {
    problem: problem(500, 'INTERNAL', 'An unexpected error occurred.', requestId),
    internal: true,
  }
}

export function sendProblem(reply: FastifyReply, rendered: Rendered): FastifyReply {
  if (rendered.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(Math.max(0, Math.ceil(rendered.retryAfterSeconds))))
  }
  if (rendered.shed !== undefined) reply.header('x-emporium-shed', rendered.shed)
  return reply.code(rendered.problem.status).type(contentType).send(rendered.problem)
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const rendered = renderError(error, request.id)
  if (rendered.shed !== undefined) {
    // A burst shed here or downstream: expected under load, and counted.
    request.log.info({ code: rendered.problem.code, status: 503 }, 'shed')
  } else if (rendered.internal || rendered.problem.status >= 500) {
    request.log.error({ err: error }, 'request failed')
  } else if (rendered.warn) {
    request.log.warn({ err: error, code: rendered.problem.code }, 'value refused by the database')
  } else {
    request.log.info({ code: rendered.problem.code, status: rendered.problem.status }, 'rejected')
  }
  return sendProblem(reply, rendered)
}

/** The error and not-found handlers: every error response is a problem document. */
export function installProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError)
  // Fastify answers a known path with the wrong method as not found too: the router does not
  // tell them apart cheaply, and a 404 reveals no more about the API than a 405 would.
  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split('?')[0] ?? '').slice(0, 200)
    const detail = `No route ${request.method} ${path}.`
    return sendProblem(reply, {
      problem: problem(404, 'HTTP.NOT_FOUND', detail, request.id),
      internal: false,
    })
  })
}

/** For fastify's `frameworkErrors` option: errors raised before routing (a bad URL). */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', request.id)
  void handleError(error, request, reply)
}
