import { afterEach, describe, expect, it } from 'vitest'
import { createEmporiumClient } from './client.js'
import { orderStatusEvents, type OrderStatusEvent } from './order-status.js'
import { json, startServer, type Handler } from './server-test-support.js'

let server: Awaited<ReturnType<typeof startServer>> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function clientOf(handle: Handler) {
  server = await startServer(handle)
  return createEmporiumClient({ baseUrl: server.origin, token: 't' })
}

const status = (value: OrderStatusEvent['status']): OrderStatusEvent => ({
  orderId: 'o1',
  status: value,
  cancellationReason: null,
  at: '2026-12-03T00:00:00.000Z',
})

const frame = (id: number, event: OrderStatusEvent) =>
  `event: status\nid: ${id}\ndata: ${JSON.stringify(event)}\n\n`

describe('orderStatusEvents', () => {
  it('yields each status as the stream sends it, heartbeats and split writes aside', async () => {
    const client = await clientOf(async (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write(': connected\n\n')
      const text = frame(1, status('pending')) + frame(2, status('awaiting_payment'))
      // Written in pieces that cut lines and events apart.
      for (let i = 0; i < text.length; i += 7) {
        response.write(text.slice(i, i + 7))
        await new Promise((resolve) => setImmediate(resolve))
      }
      response.end(frame(3, status('confirmed')))
    })
    const seen: OrderStatusEvent[] = []
    for await (const event of orderStatusEvents(client, 'o1')) seen.push(event)
    expect(seen).toEqual([status('pending'), status('awaiting_payment'), status('confirmed')])
    const [request] = server!.received
    expect(request).toMatchObject({ url: '/api/v1/orders/o1/events' })
    expect(request?.headers).toMatchObject({
      accept: 'text/event-stream',
      authorization: 'Bearer t',
    })
  })

  it('asks the server to end the stream after the statuses `until` names', async () => {
    const client = await clientOf((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.end(frame(1, status('confirmed')))
    })
    const seen: OrderStatusEvent[] = []
    const events = orderStatusEvents(client, 'o1', { until: ['confirmed', 'payment_failed'] })
    for await (const event of events) seen.push(event)
    expect(seen).toEqual([status('confirmed')])
    for await (const event of orderStatusEvents(client, 'o1', { until: [] })) seen.push(event)
    expect(server!.received.map((request) => request.url)).toEqual([
      '/api/v1/orders/o1/events?until=confirmed%2Cpayment_failed',
      '/api/v1/orders/o1/events',
    ])
  })

  it('fails with the problem of a refused stream, and ends at once on 204', async () => {
    const client = await clientOf((request, response) => {
      if (request.url.endsWith('/gone/events')) {
        response.writeHead(204)
        response.end()
      } else {
        json(response, 404, {
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          detail: 'No such order.',
          code: 'ORDERS.NOT_FOUND',
        })
      }
    })
    const read = async (id: string) => {
      const seen: OrderStatusEvent[] = []
      for await (const event of orderStatusEvents(client, id)) seen.push(event)
      return seen
    }
    await expect(read('missing')).rejects.toMatchObject({ status: 404, code: 'ORDERS.NOT_FOUND' })
    expect(await read('gone')).toEqual([])
  })

  it('closes the connection when the loop leaves early', async () => {
    let closed!: () => void
    const gone = new Promise<void>((resolve) => (closed = resolve))
    const client = await clientOf((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write(frame(1, status('pending')))
      // Never ended by the server: only the client leaving closes it.
      response.on('close', () => closed())
    })
    for await (const event of orderStatusEvents(client, 'o1')) {
      expect(event.status).toBe('pending')
      break
    }
    await gone
  })
})
