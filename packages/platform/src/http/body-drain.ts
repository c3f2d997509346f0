import type { IncomingMessage } from 'node:http'
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'

/** How much of an unread request body is read and dropped after an early answer. */
export interface DrainBounds {
  /** Bytes read past the answer before the connection is cut. */
  maxBytes: number
  /** Time the client has to finish sending before the connection is cut. */
  maxMs: number
}

/** 64 MiB or 15 s: well inside the server's 30 s request timeout. */
export const defaultDrainBounds: DrainBounds = { maxBytes: 64 * 1024 * 1024, maxMs: 15_000 }

/**
 * An answer sent before the request's body was read (a 413 over the body limit, a 401 or 429
 * at the gateway's edge, a 415) is not followed by a close of the connection while the client
 * is still sending: a peer that closes with unread data in its receive buffer sends a TCP
 * reset, and the reset may discard the answer before the client reads it (the "sometimes a
 * connection reset instead of the 413"). So the answer goes out at once, complete (its
 * `content-length` lets the client read it while it still uploads), but the response ends
 * only once the rest of the body has been read and dropped; only then does the connection
 * close (`connection: close`, which fastify sets after a body error) or serve the next request.
 * A client that sends more than `maxBytes` or takes longer than `maxMs` is cut off.
 */
export function installBodyDrain(app: FastifyInstance, bounds: DrainBounds = defaultDrainBounds) {
  app.addHook('onSend', (request, reply, payload, done) => {
    const raw = request.raw
    // `complete` is node's (an injected request has none): the parser has not seen the end yet.
    const unread = raw.complete === false && !raw.readableEnded && !raw.destroyed
    if (!unread || !raw.socket || raw.socket.destroyed) return done(null, payload)
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
      // A stream (a proxied answer) or no body. A success may still be reading the request as
      // it streams (an upstream that answers while it consumes): left alone. An error will not
      // read it: the rest is read meanwhile, and the answer ends as it ends.
      if (reply.statusCode >= 400) void drain(raw, bounds)
      return done(null, payload)
    }
    const drained = drain(raw, bounds)
    const body = new PassThrough()
    reply.header('content-length', String(Buffer.byteLength(payload)))
    body.write(payload)
    void drained.then(() => body.end())
    done(null, body)
  })
}

/** Reads and drops what is left of the body; resolves once it ended or the client was cut off. */
function drain(raw: IncomingMessage, bounds: DrainBounds): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0
    const finish = (cut: boolean) => {
      clearTimeout(timer)
      raw.off('data', onData)
      raw.off('end', onEnd)
      raw.off('close', onEnd)
      if (cut) raw.socket?.destroy()
      resolve()
    }
    const onData = (chunk: Buffer) => {
      seen += chunk.length
      if (seen > bounds.maxBytes) finish(true)
    }
    const onEnd = () => finish(false)
    const timer = setTimeout(() => finish(true), bounds.maxMs)
    timer.unref()
    // Whatever still consumes the body (a parser that gave up, a cancelled upstream request)
    // lets go of it; from now on it is only counted.
    raw.unpipe()
    raw.on('data', onData)
    raw.once('end', onEnd)
    raw.once('close', onEnd)
    raw.resume()
  })
}
