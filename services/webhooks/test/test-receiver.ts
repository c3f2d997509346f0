import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

/** A request the receiver got. */
export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** How the receiver answers a request. */
export interface Answer {
  status: number
  headers?: Record<string, string>
  body?: string
  /** Wait this long before answering (a timeout). */
  delayMs?: number
}

/**
 * A partner's endpoint for the tests: a real HTTP server on 127.0.0.1 (port 0: the system picks
 * a free one) that records every request and answers as `answer` says (200 by default).
 */
export interface Receiver {
  url: string
  received: Received[]
  /** Requests to `path`. */
  to(path: string): Received[]
  answer: (request: Received) => Answer
  close(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const receiver = {} as Receiver
  receiver.received = received
  receiver.answer = () => ({ status: 200, body: 'ok' })
  receiver.to = (path) => received.filter((request) => request.path === path)
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry = {
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      received.push(entry)
      const answer = receiver.answer(entry)
      const send = () => {
        if (response.destroyed) return
        response.writeHead(answer.status, answer.headers ?? {})
        response.end(answer.body ?? '')
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref()
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}

/** Whether `request` is signed by `secret`, as a partner checks it (Standard Webhooks). */
export function verifies(request: Received, secret: string): boolean {
  try {
    new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    })
    return true
  } catch {
    return false
  }
}
