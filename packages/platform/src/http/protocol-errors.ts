import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Logger } from '../log.js'
import { contentType, problem, sendProblem } from './problem.js'

/*
 * What node's HTTP server answers by itself, before any fastify handler runs (a request it
 * cannot parse, headers over `maxHeaderSize`, an unknown `Expect`, `CONNECT`), answered as
 * problem documents like every other error. Each such answer closes the connection: after a
 * parse error nothing more can be read from it reliably.
 */

/** The longest URI served (nginx's default too); longer is a 414. */
const maxUriLength = 8 * 1024
/** How long a connection answered with a parse error may stay open for the client to close. */
const lingerMs = 5_000

interface ParseError extends Error {
  code?: string
  rawPacket?: Buffer
}

/** Node's parser errors (llhttp's `HPE_*` codes and the server's own) as status and code. */
function classify(error: ParseError): { status: number; code: string; detail: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // The packet being parsed when the head outgrew 16 KiB: when it is the request line
      // still, the URI is to blame (a URI split over several packets shows as a 431).
      const packet = error.rawPacket
      const requestLine = packet && /^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))
      const end = packet ? packet.indexOf('\n') : -1
      if (requestLine && (end === -1 || end > maxUriLength)) {
        return { status: 414, code: 'HTTP.URI_TOO_LONG', detail: 'The request URI is too long.' }
      }
      return {
        status: 431,
        code: 'HTTP.HEADERS_TOO_LARGE',
        detail: 'The request headers are too large.',
      }
    }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'HTTP.REQUEST_TIMEOUT',
        detail: 'The request was not received in time.',
      }
    case 'HPE_INVALID_VERSION':
      return versionNotSupported
    default:
      return {
        status: 400,
        code: 'HTTP.BAD_REQUEST',
        detail: `The request is not valid HTTP/1.1 (${(error.code ?? 'parse error').replace(/^HPE_/, '').toLowerCase()}).`,
      }
  }
}

// A client's bad request line, so a 4xx: no input anyone sends may yield a 5xx (issue 13), and
// 505 would count as a server failure in every dashboard and breaker that reads status classes.
const versionNotSupported = {
  status: 400,
  code: 'HTTP.VERSION_NOT_SUPPORTED',
  detail: 'Only HTTP/1.0 and HTTP/1.1 are served here.',
}

/** A whole HTTP/1.1 response carrying a problem document, for writing straight to a socket. */
function rawProblem(status: number, code: string, detail: string): string {
  const id = randomUUID()
  const document = problem(status, code, detail, id)
  const body = JSON.stringify(document)
  return (
    `HTTP/1.1 ${status} ${document.title}\r\n` +
    `content-type: ${contentType}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${id}\r\n` +
    'cache-control: no-store\r\n' +
    'connection: close\r\n\r\n' +
    body
  )
}

/** Writes the answer, then closes once the client has had time to read it and stop sending. */
function answerAndClose(socket: Duplex, response: string): void {
  socket.end(response)
  // Half-closed: what the client still sends is read (and dropped) rather than reset.
  socket.resume()
  setTimeout(() => socket.destroy(), lingerMs).unref()
}

/** For fastify's `clientErrorHandler`: node's parse errors and timeouts as problem documents. */
export function createClientErrorHandler(log: Logger) {
  const answered = new WeakSet<Duplex>()
  return function clientError(thrown: Error, socket: Duplex): void {
    const error = thrown as ParseError
    // Reset by the peer, or a second error from a parser already answered for.
    if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return
    answered.add(socket)
    const pending = (socket as { _httpMessage?: ServerResponse })._httpMessage
    // A response under way on this connection cannot be followed by another: only cut it.
    if (!socket.writable || pending?.headersSent) {
      socket.destroy()
      return
    }
    const { status, code, detail } = classify(error)
    log.info({ code, status, parserError: error.code }, 'rejected before routing')
    answerAndClose(socket, rawProblem(status, code, detail))
  }
}

/**
 * The answers node's server gives without calling a handler, and what the parser lets through
 * that we do not serve, as problem documents: `Expect` other than `100-continue` (417),
 * `CONNECT` (405), HTTP versions other than 1.0 and 1.1 (400 `HTTP.VERSION_NOT_SUPPORTED`), HTTP/1.1 without `Host` (400;
 * node's own check is turned off by `requireHostHeader: false` so that it comes here).
 */
export function installProtocolChecks(app: FastifyInstance): void {
  app.server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const detail = 'Only the expectation 100-continue is supported.'
    const body = JSON.stringify(problem(417, 'HTTP.EXPECTATION_FAILED', detail, randomUUID()))
    response.writeHead(417, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    })
    response.end(body)
  })
  app.server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    const detail = 'CONNECT is not supported.'
    answerAndClose(socket, rawProblem(405, 'HTTP.METHOD_NOT_ALLOWED', detail))
  })
  app.addHook('onRequest', async (request, reply) => {
    const refuse = (status: number, code: string, detail: string) => {
      request.log.info({ code, status }, 'rejected')
      return sendProblem(reply, {
        problem: problem(status, code, detail, request.id),
        internal: false,
      })
    }
    const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw
    if (major !== 1 || minor > 1) {
      const { status, code, detail } = versionNotSupported
      return refuse(status, code, detail)
    }
    if ((request.raw.url ?? '').length > maxUriLength) {
      return refuse(
        414,
        'HTTP.URI_TOO_LONG',
        `The request URI is longer than ${maxUriLength} bytes.`,
      )
    }
    if (minor === 1 && request.headers.host === undefined) {
      return refuse(400, 'HTTP.BAD_REQUEST', 'An HTTP/1.1 request needs a Host header.')
    }
  })
}
