import { connect } from 'node:net'

/** What came back over a raw connection. */
export interface RawAnswer {
  status: number
  /** Header names in lower case. */
  headers: Record<string, string>
  body: string
  /** A socket error (`ECONNRESET`, `EPIPE`), when one happened before the exchange ended. */
  error?: string
  /** Bytes of the body the server let the client write before it answered or closed. */
  written: number
}

export interface RawUpload {
  /** Bytes of body to send after the head, in chunks of 64 KiB. */
  size: number
  /** Sent with `transfer-encoding: chunked` framing (the head must say so), else as is. */
  chunked?: boolean
}

const chunk = Buffer.alloc(64 * 1024, 'a')

/**
 * Sends `head` (request line and headers, as written, ending with the blank line) and an
 * optional body over a new TCP connection, as a client that keeps uploading while it reads;
 * resolves with the response once it is complete and the upload is done (or the connection
 * ended). Tests use it for what fetch-like clients refuse to send or hide: malformed requests,
 * oversized heads, and whether a 413 arrives or a reset.
 */
export function rawRequest(url: string, head: string, upload?: RawUpload): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let received = Buffer.alloc(0)
    let answer: Omit<RawAnswer, 'written' | 'error'> | undefined
    let uploaded = upload === undefined
    let written = 0
    let error: string | undefined
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve({
        ...(answer ?? { status: 0, headers: {}, body: received.toString() }),
        written,
        error,
      })
    }
    const check = () => {
      answer ??= parse(received)
      if (answer && uploaded) settle()
    }
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      check()
    })
    socket.on('error', (failure: NodeJS.ErrnoException) => {
      error ??= failure.code ?? failure.message
      settle()
    })
    socket.on('close', settle)
    socket.on('connect', async () => {
      socket.write(head)
      if (!upload) return
      while (written < upload.size && !socket.destroyed) {
        const part = upload.chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, crlf])
          : chunk
        const more = socket.write(part)
        written += chunk.length
        if (!more) {
          await new Promise((next) => {
            socket.once('drain', next)
            socket.once('close', next)
          })
        }
      }
      if (upload.chunked && !socket.destroyed) socket.write('0\r\n\r\n')
      uploaded = true
      check()
    })
  })
}

const crlf = Buffer.from('\r\n')

/** A complete response with a `content-length`, or undefined while it is still arriving. */
function parse(data: Buffer): Omit<RawAnswer, 'written' | 'error'> | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? NaN)
  const body = data.subarray(end + 4)
  if (!Number.isFinite(length) || body.length < length) return undefined
  return {
    status: Number(statusLine!.split(' ')[1]),
    headers,
    body: body.subarray(0, length).toString('utf8'),
  }
}
