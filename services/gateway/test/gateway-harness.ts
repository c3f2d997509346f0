import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { createLogger, startService, type RunningService } from '@emporium/platform'
import { testServers } from '@emporium/platform/testing'
import { Agent, request } from 'undici'
import { resolveGatewayConfig, type GatewayConfigInput } from '../src/config.js'
import { createGatewayService } from '../src/service.js'

export const log = createLogger({ service: 'gateway-test', level: 'silent' })

/** Settings that make the tests quick; each test file overrides what it tests. */
export const testDefaults: GatewayConfigInput = {
  REDIS_URL: testServers.redis,
  GATEWAY_UPSTREAM_TIMEOUT_MS: 2_000,
  GATEWAY_UPSTREAM_COOLDOWN_MS: 1_000,
  GATEWAY_TRUST_PROXY: true,
  GATEWAY_RATE_LIMIT_PER_MINUTE: 1_000,
  GATEWAY_MANAGEMENT_PORT: 0,
  GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
  // The event-loop guard sheds with 503 when the test process is slow, which a busy CI machine
  // makes it (a CI-like run shed a rate-limit test's requests); its own tests turn it on.
  GATEWAY_MAX_EVENT_LOOP_DELAY_MS: 0,
}

export interface TestGateway {
  url: string
  /** The management server (`/metrics`, `/readyz`). */
  managementUrl: string
  running: RunningService
  stop(): Promise<void>
}

/** A gateway on a free port, its Redis keys under a prefix of its own (unless one is given). */
export async function startGateway(config: GatewayConfigInput): Promise<TestGateway> {
  const service = createGatewayService(
    resolveGatewayConfig({
      GATEWAY_REDIS_KEY_PREFIX: `gateway-test:${randomUUID()}:`,
      ...testDefaults,
      ...config,
    }),
    { log },
  )
  const running = await startService(service, { port: 0, log })
  return {
    url: running.url,
    managementUrl: running.managementUrl!,
    running,
    async stop() {
      await running.stopHttp()
      await running.close()
    },
  }
}

const agent = new Agent({ keepAliveTimeout: 1_000 })

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json<T = Record<string, unknown>>(): T
  ms: number
}

/** One HTTP call; the answer read whole. */
export async function call(
  url: string,
  options: {
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer | AsyncIterable<Buffer>
  } = {},
): Promise<Answer> {
  const started = performance.now()
  const response = await request(url, {
    dispatcher: agent,
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body as string | undefined,
  })
  const text = await response.body.text()
  return {
    status: response.statusCode,
    headers: response.headers as Answer['headers'],
    text,
    json: <T>() => JSON.parse(text) as T,
    ms: performance.now() - started,
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
export const from = (address: string) => ({ 'x-forwarded-for': address })

/** A GET whose path is sent as written (clients normalise `..` away before sending). */
export function rawCall(base: string, path: string): Promise<Answer> {
  const started = performance.now()
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
          ms: performance.now() - started,
        })
      })
    })
    req.on('error', reject)
    req.end()
  })
}
