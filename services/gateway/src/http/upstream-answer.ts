import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { clientResponseHeaders } from './forward-headers.js'
import type { UpstreamResponse } from './upstream-errors.js'

/** Answers read whole before they are passed on: those with a body of a known small length. */
export const bufferLimit = 64 * 1024

/** Whether an answer is read whole (a known length of at most `bufferLimit`, a body to read). */
export function isSmall(
  method: string,
  statusCode: number,
  contentLength: string | string[] | number | undefined,
): boolean {
  if (method === 'HEAD' || statusCode === 204 || statusCode === 304) return false
  const length = Number(contentLength)
  return length > 0 && length <= bufferLimit
}

/**
 * undici's handler of one forwarded request. A small answer (`isSmall`: most are a few kilobytes
 * of JSON) is collected as its chunks come and handed over whole, as `body`; any other (event
 * streams, large files, bodiless answers) is handed over at its headers, as a `stream` that
 * pauses the upstream's socket while the client is slower. `undici.request()` made a stream and
 * an async resource for every answer, small ones included: without them the gateway spent about
 * 6 % less CPU per proxied cart request (docs/performance.md, "A proxied request, a seventh
 * cheaper").
 *
 * `done` is called once: with the answer, or with the error that came before it (no connection,
 * no answer in time, the connection cut in the middle of a small body). An error after a stream
 * was handed over destroys the stream with it. `abort` gives up the request (the client left):
 * the upstream's connection is closed unless the answer had ended.
 */
export class UpstreamAnswer implements Dispatcher.DispatchHandler {
  readonly #method: string
  readonly #done: (error: Error | null, response?: UpstreamResponse) => void
  #controller: Dispatcher.DispatchController | undefined
  #abortReason: Error | undefined
  #head: Omit<UpstreamResponse, 'body' | 'stream'> | undefined
  #chunks: Buffer[] | undefined
  #stream: Readable | undefined
  #ended = false

  constructor(method: string, done: (error: Error | null, response?: UpstreamResponse) => void) {
    this.#method = method
    this.#done = done
  }

  abort(reason: Error): void {
    if (this.#ended) return
    if (this.#controller) this.#controller.abort(reason)
    else this.#abortReason = reason
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#abortReason) controller.abort(this.#abortReason)
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // An informational answer (100 Continue, 103 Early Hints) is not the answer.
    if (statusCode < 200) return
    const surrogate = headers['surrogate-control']
    this.#head = {
      statusCode,
      headers: clientResponseHeaders(headers),
      surrogate: Array.isArray(surrogate) ? surrogate.join(', ') : surrogate,
    }
    if (isSmall(this.#method, statusCode, headers['content-length'])) {
      this.#chunks = []
      return
    }
    const stream = new Readable({
      read: () => controller.resume(),
      destroy: (error, callback) => {
        // Given up before its end (the client left, or nobody reads it): the connection goes.
        if (!this.#ended) controller.abort(error ?? new Error('upstream answer abandoned'))
        callback(error)
      },
    })
    this.#stream = stream
    this.#done(null, { ...this.#head, stream })
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#chunks) this.#chunks.push(chunk)
    else if (this.#stream && !this.#stream.push(chunk)) controller.pause()
  }

  onResponseEnd(): void {
    this.#ended = true
    if (this.#stream) {
      this.#stream.push(null)
      return
    }
    const chunks = this.#chunks ?? []
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
    this.#done(null, { ...this.#head!, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const streaming = this.#stream !== undefined && !this.#ended
    this.#ended = true
    // As undici's own streams: an error nobody listens for yet must not end the process.
    if (streaming) this.#stream!.on('error', () => undefined).destroy(error)
    else this.#done(error)
  }
}
