import type { FastifyPluginAsync } from 'fastify'

/**
 * The gateway's own routes. Routing of `/api/v1` to the services arrives with them; until then
 * every `/api/v1` path is an unknown route (a 404 problem).
 */
export function gatewayRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async () => ({
      name: 'Emporium',
      api: '/api/v1',
      health: { alive: '/healthz', ready: '/readyz', metrics: '/metrics' },
    }))
  }
}
