import { Registry, collectDefaultMetrics } from 'prom-client'

/**
 * One registry per service, labelled with its name, so several services in one process (the
 * embedded mode) each serve their own `/metrics` without clashing.
 */
export function createMetricsRegistry(
  service: string,
  options: { processMetrics?: boolean } = {},
): Registry {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })
  return registry
}
export type { Registry }
