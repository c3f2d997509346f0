// The environment of the distributed mode (`npm run start:distributed`, the bench's distributed
// runs): what `.env` or `.env.example` sets, over what each declared service's place among the
// others implies (packages/contracts/src/services.ts), so that a new service needs no lines in
// `.env.example`: its port, its database `emporium_<name>` (which `npm run infra:up` creates),
// its Redis, its peers' URLs and the keys it checks all follow from its declaration.
import { parseEnv } from 'node:util'
import {
  gatewayDeclaration,
  placementEnvironment,
  serviceDeclarations,
  type ServiceDeclaration,
} from '@emporium/contracts'

/** Every process listens on, and reaches the servers on, the loopback interface. */
const HOST = '127.0.0.1'
/** The servers and the user `npm run infra:up` provides. */
const DATABASE_SERVERS = {
  postgres: `postgres://emporium:emporium@${HOST}:5432`,
  mysql: `mysql://emporium:emporium@${HOST}:3306`,
}
const REDIS_URL = `redis://${HOST}:6379/0`

/** `fileText` (dotenv syntax) over the variables the declaration implies. */
export function distributedEnvironment(fileText: string): Record<string, string> {
  return { ...declaredEnvironment(), ...(parseEnv(fileText) as Record<string, string>) }
}

/** Each declared service and the gateway at its declared port, with its stores and peers. */
export function declaredEnvironment(): Record<string, string> {
  const url = (port: number) => `http://${HOST}:${port}`
  const portOf = (name: string) =>
    name === gatewayDeclaration.name
      ? gatewayDeclaration.port
      : serviceDeclarations.find((s) => s.name === name)!.port
  const at = {
    urlsOf: (name: string) => url(portOf(name)),
    // The services that verify tokens check them with the key set of the one that signs them.
    jwksUrl: `${url(serviceDeclarations.find((s) => !s.verifiesTokens)!.port)}/.well-known/jwks.json`,
  }
  const env: Record<string, string> = {}
  for (const service of serviceDeclarations as readonly ServiceDeclaration[]) {
    Object.assign(env, placementEnvironment(service.name, { port: service.port, host: HOST }, at))
    env[`${service.env}_DATABASE_URL`] =
      `${DATABASE_SERVERS[service.database]}/emporium_${service.name}`
    if (service.redis) env[`${service.env}_REDIS_URL`] = REDIS_URL
    if (service.trustedCallers.length > 0) {
      env[`${service.env}_TRUSTED_CALLERS`] = JSON.stringify(
        Object.fromEntries(
          service.trustedCallers.map((caller) => [
            caller,
            `${url(portOf(caller))}/.well-known/service-jwks.json`,
          ]),
        ),
      )
    }
  }
  Object.assign(
    env,
    placementEnvironment(
      gatewayDeclaration.name,
      { port: gatewayDeclaration.port, host: HOST },
      at,
    ),
  )
  env[`${gatewayDeclaration.env}_MANAGEMENT_PORT`] = String(gatewayDeclaration.managementPort)
  env[`${gatewayDeclaration.env}_MANAGEMENT_HOST`] = HOST
  return env
}
