// `.env.example` plus what the declarations imply must start every declared service: a service
// added to packages/contracts/src/services.ts is checked here with no line of its own.
import { readFileSync } from 'node:fs'
import type Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { deployableNames, gatewayDeclaration, serviceDeclarations } from '@emporium/contracts'
import { loadConfig } from '@emporium/platform'
import { distributedEnvironment } from './distributed-env.js'

const env = distributedEnvironment(
  readFileSync(new URL('../.env.example', import.meta.url), 'utf8'),
)

/** A service's config schema, by the convention apps/all-in-one/src/services.ts loads it by. */
async function schemaOf(name: string): Promise<Type.TObject> {
  const pascal = name[0]!.toUpperCase() + name.slice(1)
  const module = (await import(`@emporium/${name}`)) as Record<string, unknown>
  return module[`${pascal}Config`] as Type.TObject
}

describe('the distributed environment', () => {
  it.each(deployableNames)('is a valid configuration of %s', async (name) => {
    const schema = await schemaOf(name)
    expect(() => loadConfig(schema, env)).not.toThrow()
  })

  it.each(serviceDeclarations)('places $name at its declared port and database', (service) => {
    expect(env[`${service.env}_PORT`]).toBe(String(service.port))
    expect(env[`${service.env}_DATABASE_URL`]).toMatch(
      new RegExp(`^${service.database}://.*/emporium_${service.name}$`),
    )
    for (const upstream of service.upstreams) {
      const port = serviceDeclarations.find((s) => s.name === upstream)!.port
      expect(Object.values(env)).toContain(`http://127.0.0.1:${port}`)
    }
  })

  it('sends the gateway to every service at its declared port', () => {
    expect(env.PORT).toBe(String(gatewayDeclaration.port))
    for (const service of serviceDeclarations) {
      expect(env[`GATEWAY_${service.env}_URLS`]).toBe(`http://127.0.0.1:${service.port}`)
    }
  })

  it('lets a line of the file override what the declaration implies', () => {
    expect(distributedEnvironment('GATEWAY_MANAGEMENT_PORT=9999\n').GATEWAY_MANAGEMENT_PORT).toBe(
      '9999',
    )
  })
})
