import type { Service } from '@emporium/platform'
import type { GatewayConfig } from './config.js'
import { gatewayRoutes } from './http/routes.js'

export { GatewayConfig } from './config.js'

/** The API gateway: the one public entry (`/api/v1`), the storefront's host. */
export function createGatewayService(_config: GatewayConfig): Service {
  return { name: 'gateway', routes: gatewayRoutes() }
}
