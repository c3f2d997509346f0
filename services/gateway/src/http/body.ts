import { Transform, type Readable } from 'node:stream'
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify'

const tooLarge = () => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()

/** Whether the error is a body over the limit (the platform renders it as a 413 problem). */
export const isBodyTooLarge = (error: unknown) =>
  (error as { code?: string } | undefined)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE'

/**
 * Request bodies of any media type, not parsed: streamed to the upstream as they arrive, or —
 * where `buffer(request)` says so (login and registration, whose e-mail the gateway reads) —
 * collected first. Either way at most `limit(request)` bytes (an upload's route takes more than
 * the rest): a declared length over it is refused at once, a chunked body that grows past it is
 * cut off; both are a 413 problem.
 */
export function passThroughBodies(
  app: FastifyInstance,
  options: {
    limit: (request: FastifyRequest) => number
    buffer: (request: FastifyRequest) => boolean
  },
): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (request, payload, done) => {
    const limit = options.limit(request)
    if (Number(request.headers['content-length']) > limit) return done(tooLarge(), undefined)
    // A GET or HEAD body means nothing (RFC 9110) and is not forwarded: read and dropped.
    if (request.method === 'GET' || request.method === 'HEAD') return drop(payload, limit, done)
    if (options.buffer(request)) return collect(payload, limit, done)
    done(null, limited(payload, limit))
  })
}

function limited(payload: Readable, limit: number): Readable {
  let seen = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length
      if (seen > limit) {
        payload.unpipe(counter)
        payload.resume() // drain what the client still sends, so that the 413 can be answered
        callback(tooLarge())
        return
      }
      callback(null, chunk)
    },
  })
  payload.on('error', (error) => counter.destroy(error))
  return payload.pipe(counter)
}

function drop(payload: Readable, limit: number, done: (error: Error | null) => void): void {
  collect(payload, limit, (error) => done(error))
}

function collect(
  payload: Readable,
  limit: number,
  done: (error: Error | null, body?: Buffer) => void,
): void {
  const chunks: Buffer[] = []
  let seen = 0
  const finish = (error: Error | null, body?: Buffer) => {
    payload.off('data', onData)
    payload.off('end', onEnd)
    payload.off('error', onError)
    done(error, body)
  }
  const onData = (chunk: Buffer) => {
    seen += chunk.length
    if (seen > limit) {
      finish(tooLarge())
      payload.resume()
      return
    }
    chunks.push(chunk)
  }
  const onEnd = () => finish(null, Buffer.concat(chunks, seen))
  const onError = (error: Error) => finish(Object.assign(error, { statusCode: 400 }))
  payload.on('data', onData)
  payload.on('end', onEnd)
  payload.on('error', onError)
}
