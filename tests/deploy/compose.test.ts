import { serviceDeclarations, serviceNames } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import {
  gatewayUpstreams,
  readYaml,
  requiredVariables,
  services,
  usersKeySources,
} from './deploy-test-support.js'

// compose.yaml: the whole platform as containers, each service with its own store, started in
// an order its health checks decide.
interface ComposeService {
  image?: string
  build?: { context: string; dockerfile: string; args?: Record<string, string> }
  environment?: Record<string, string>
  healthcheck?: { test: string[] }
  depends_on?: Record<string, { condition: string }>
  profiles?: string[]
  read_only?: boolean
  cap_drop?: string[]
  volumes?: string[]
  ports?: string[]
}
const compose = readYaml('compose.yaml') as {
  services: Record<string, ComposeService>
  volumes: Record<string, unknown>
}
// What each container waits for, from the declaration (packages/contracts/src/services.ts).
const stores: Record<string, string[]> = {
  ...Object.fromEntries(
    serviceDeclarations.map((s) => [
      s.name,
      [s.database === 'mysql' ? 'mariadb' : 'postgres', ...(s.redis ? ['redis'] : []), 'rabbitmq'],
    ]),
  ),
  gateway: ['redis', ...serviceNames],
}

describe('compose.yaml', () => {
  it('has every datastore and the broker, health-checked, on named volumes', () => {
    for (const name of ['postgres', 'mariadb', 'redis', 'rabbitmq']) {
      const store = compose.services[name]!
      expect(store.healthcheck?.test.length, name).toBeGreaterThan(0)
      expect(store.image, name).toMatch(/^[^:]+:[^:]+$/)
      const volume = store.volumes!.find((v) => !v.startsWith('./'))!.split(':')[0]!
      expect(compose.volumes, name).toHaveProperty(volume)
    }
  })

  it.each(services)('builds %s from the one Dockerfile and starts it after its stores', (name) => {
    const service = compose.services[name]!
    expect(service.build?.dockerfile).toBe('deploy/Dockerfile')
    expect(service.build?.args?.SERVICE).toBe(name)
    expect(service.image).toMatch(new RegExp(`^emporium/${name}:`))
    expect(service.healthcheck?.test).toEqual(['CMD', 'node', '/app/healthcheck.mjs'])
    expect(service.read_only).toBe(true)
    expect(service.cap_drop).toEqual(['ALL'])
    for (const dependency of stores[name]!) {
      expect(service.depends_on?.[dependency]?.condition, dependency).toBe('service_healthy')
      expect(compose.services[dependency]?.healthcheck, dependency).toBeDefined()
    }
  })

  it.each(services)('sets every variable %s requires', (name) => {
    const environment = compose.services[name]!.environment ?? {}
    for (const variable of requiredVariables(name)) {
      expect(environment[variable], `${name} needs ${variable}`).toBeTruthy()
    }
    if (name === 'users') expect(usersKeySources.some((k) => environment[k])).toBe(true)
    if (name !== 'gateway') expect(environment.RABBITMQ_URL).toMatch(/^amqp:\/\//)
  })

  it('sends the gateway to every routed service, each instance by its name and declared port', () => {
    for (const { service, port, urls } of gatewayUpstreams(
      compose.services.gateway!.environment!,
    )) {
      expect(urls.length, `the gateway has no URL of ${service}`).toBeGreaterThan(0)
      for (const url of urls) {
        expect(compose.services[url.hostname]?.build?.args?.SERVICE, url.href).toBe(service)
        expect(Number(url.port), url.href).toBe(port)
      }
    }
  })

  it('starts second replicas under the `replicas` profile, which the callers list', () => {
    const replicas = Object.entries(compose.services).filter(([, s]) =>
      s.profiles?.includes('replicas'),
    )
    expect(replicas.map(([name]) => name).sort()).toEqual(['catalog-2', 'orders-2'])
    for (const [name, replica] of replicas) {
      const original = name.replace(/-2$/, '')
      expect(replica.build?.args?.SERVICE).toBe(original)
      expect(replica.environment).toEqual(compose.services[original]!.environment)
    }
    const gateway = compose.services.gateway!.environment!
    expect(gateway.GATEWAY_ORDERS_URLS).toContain('http://orders-2:8084')
    expect(gateway.GATEWAY_CATALOG_URLS).toContain('http://catalog-2:8082')
  })

  it("keeps the gateway's metrics and readiness on its management port, published to this machine only", () => {
    const gateway = compose.services.gateway!
    expect(gateway.environment!.GATEWAY_MANAGEMENT_PORT).toBe('9090')
    const published = gateway.ports!.filter((p) => p.endsWith(':9090'))
    expect(published).toHaveLength(1)
    expect(published[0]).toMatch(/^127\.0\.0\.1:/)
    const prometheus = readYaml('deploy/observability/prometheus/prometheus.yml') as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>
    }
    const targets = prometheus.scrape_configs.find((c) => c.job_name === 'emporium-static')!
      .static_configs![0]!.targets
    expect(targets).toContain('gateway:9090')
    expect(targets).not.toContain('gateway:8080')
    // Every declared service is scraped on its declared port, and nothing else.
    expect([...targets].sort()).toEqual(
      ['gateway:9090', ...serviceDeclarations.map((s) => `${s.name}:${s.port}`)].sort(),
    )
  })
})
