import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePrivateJwk } from '../auth/key-ring.js'
import { requireServiceCaller, serviceCallerOf } from '../auth/service-caller.js'
import { createServiceCredentials } from '../auth/service-credentials.js'
import { createServiceTrust } from '../auth/service-trust.js'
import { createMetricsRegistry } from '../metrics.js'
import { createServiceClient, type ServiceClient } from './client.js'
import { createHttpServer, type HttpServer } from './server.js'

const log = pino({ level: 'silent' })
let upstream: HttpServer
let baseUrl: string
let withCredentials: ServiceClient
let without: ServiceClient

beforeAll(async () => {
  const orders = createServiceCredentials({ caller: 'orders', keys: [await generatePrivateJwk()] })
  const hook = requireServiceCaller({
    audience: 'payments',
    trust: createServiceTrust({ orders: { keys: orders.publicJwks().keys } }),
    allowed: ['orders'],
  })
  upstream = createHttpServer({
    service: 'payments',
    log,
    registry: createMetricsRegistry('payments', { processMetrics: false }),
    routes: async (routes) => {
      routes.post('/internal/thing', { onRequest: hook }, async (request, reply) =>
        reply.status(201).send({ caller: serviceCallerOf(request)?.name }),
      )
    },
  })
  baseUrl = await upstream.listen({ port: 0, host: '127.0.0.1' })
  const registry = createMetricsRegistry('orders', { processMetrics: false })
  const options = { name: 'payments', baseUrls: [baseUrl], registry, log, retries: 0 }
  withCredentials = createServiceClient({ ...options, credentials: orders })
  without = createServiceClient(options)
})

afterAll(async () => {
  await Promise.all([withCredentials.close(), without.close()])
  await upstream.close()
})

describe('ServiceClient with credentials', () => {
  it('sends x-service-authorization for the upstream as audience', async () => {
    const request = { method: 'POST', path: '/internal/thing', body: {} } as const
    const response = await withCredentials.request(request)
    expect(response.status).toBe(201)
    expect(response.body).toEqual({ caller: 'orders' })
    const refused = await without.request<{ code: string }>(request)
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('AUTH.SERVICE_CREDENTIAL_REQUIRED')
  })
})
