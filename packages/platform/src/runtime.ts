import type { Migration } from 'kysely'
import type { Database } from './db/database.js'
import { migrate } from './db/migrate.js'
import type { ReadinessCheck } from './http/health.js'
import { createManagementServer } from './http/management-server.js'
import {
  createHttpServer,
  type ExtraLatency,
  type HttpRoutes,
  type HttpServer,
} from './http/server.js'
import { ConfigError, extraLatencyOf } from './config.js'
import { createLogger, type LogFormat, type Logger } from './log.js'
import type { EventBus } from './messaging/bus.js'
import { createBusFromUrl } from './messaging/bus-from-url.js'
import type { EventHandler } from './messaging/consumer.js'
import { createOutboxRelay, type OutboxRelay } from './messaging/outbox-relay.js'
import { createConsumerSubscription } from './messaging/subscription.js'
import { createMetricsRegistry, type Registry } from './metrics.js'
import { warmSourceMaps } from './source-maps.js'
import { startTraceExport, type TraceExportConfig } from './trace-export.js'
import { flushTracing } from './tracing.js'

/**
 * A service as a value, made by its factory from its config. The same value runs alone in its
 * own process, or beside every other service in the embedded all-in-one process.
 */
export interface Service {
  name: string
  /** Its HTTP API, as an encapsulated fastify plugin. */
  routes?: HttpRoutes
  /** Its own database: migrated at start, checked by `/readyz`, its outbox relayed. */
  database?: Database
  /** Its migrations (a folder of Kysely migration modules, or the modules themselves). */
  migrations?: URL | Record<string, Migration>
  /** Events it consumes, each handled once through its inbox. */
  consumers?: EventHandler[]
  /** Its metrics registry, when its factory registers metrics of its own; else one is made. */
  registry?: Registry
  /** Extra readiness checks (e.g. its Redis). */
  readiness?: ReadinessCheck[]
  /**
   * A management server of its own for `/metrics` and the detailed `/readyz` (and `/healthz`),
   * when the service's port is public (the gateway's): that port then answers `/healthz` only.
   * Port 0 picks a free one (tests); host default 127.0.0.1.
   */
  management?: { port: number; host?: string }
  /**
   * An incoming `traceparent` is continued (default), or only linked from a new trace: the
   * public edge (the gateway) does not let clients choose the trace ids in our logs.
   */
  incomingTrace?: 'continue' | 'link'
  /** Level of the one line per request: `info` at the public edge, `debug` (default) behind it. */
  accessLog?: 'info' | 'debug'
  /** Called once migrations ran, before the server listens (seeding, background jobs). */
  start?(): Promise<void>
  /** Releases what the factory opened; called last on shutdown. */
  close?(): Promise<void>
}

export interface RunOptions {
  port: number
  host?: string
  log: Logger
  /** Required when the service has consumers or a database with an outbox. */
  bus?: EventBus
  registry?: Registry
  /** Fault injection (EXTRA_LATENCY_MS): a delay before every request is handled. */
  extraLatency?: ExtraLatency
}

/** What a process needs of a service it runs to drain it: in this thread or another. */
export interface ProcessMember {
  name: string
  url: string
  /** The management server's address, when the service has one. */
  managementUrl?: string
  /** Stops accepting requests and waits for those in flight. */
  stopHttp(): Promise<void>
  /** Publishes what its outbox holds now, then stops the relay. */
  stopRelay(): Promise<void>
  /** Releases the service's resources (after the bus stopped delivering to it). */
  close(): Promise<void>
}

export interface RunningService extends ProcessMember {
  server: HttpServer
  relay?: OutboxRelay
}

/** A service of a process: made here from its factory, or started by `start` (another thread). */
export type ProcessEntry =
  | { create: () => Service | Promise<Service>; port: number; host?: string }
  | { name: string; start: () => Promise<ProcessMember> }

/** Migrates, subscribes, starts the relay and listens. Shutdown is driven by `runProcess`. */
export async function startService(service: Service, options: RunOptions): Promise<RunningService> {
  const log =
    options.log.bindings().service === service.name
      ? options.log
      : options.log.child({ service: service.name })
  const registry = options.registry ?? service.registry ?? createMetricsRegistry(service.name)
  const { database } = service
  const { bus } = options
  const readiness: ReadinessCheck[] = [...(service.readiness ?? [])]
  if (database) {
    await migrate(database, { migrations: service.migrations })
    readiness.unshift({ name: 'database', check: () => database.ping() })
  }
  let relay: OutboxRelay | undefined
  let stopHearingCommits = () => {}
  if (database && bus) {
    relay = createOutboxRelay({ database, bus, log, registry })
    const started = relay
    stopHearingCommits = database.onOutboxCommit(() => started.wake())
    relay.start()
    readiness.push({ name: 'broker', check: () => bus.check() })
  }
  if (service.consumers?.length) {
    if (!bus || !database)
      throw new Error(`${service.name}: consumers need a bus and a database (for the inbox)`)
    await bus.subscribe(
      createConsumerSubscription({
        consumer: service.name,
        handlers: service.consumers,
        database,
        log,
      }),
    )
  }
  await service.start?.()
  const server = await createHttpServer({
    service: service.name,
    log,
    registry,
    routes: service.routes,
    readiness,
    extraLatency: options.extraLatency,
    incomingTrace: service.incomingTrace,
    accessLog: service.accessLog,
    operationalRoutes: service.management ? 'liveness' : 'all',
  })
  let management: ReturnType<typeof createManagementServer> | undefined
  let managementUrl: string | undefined
  if (service.management) {
    const { port, host } = service.management
    management = createManagementServer({ service: service.name, log, registry, readiness })
    managementUrl = await management.listen({ port, host: host ?? '127.0.0.1' })
    log.info({ address: managementUrl }, `${service.name} management listening`)
  }
  const address = await server
    .listen({ port: options.port, host: options.host ?? '127.0.0.1' })
    .catch(async (error: unknown) => {
      await management?.close()
      throw error
    })
  log.info({ address }, `${service.name} listening`)
  return {
    name: service.name,
    url: address,
    server,
    relay,
    managementUrl,
    // Scrapes and probes are answered until the requests in flight are done.
    async stopHttp() {
      await server.close()
      await management?.close()
    },
    async stopRelay() {
      if (!relay) return
      await relay.flush(5_000)
      await relay.stop()
      stopHearingCommits()
    },
    close: async () => service.close?.(),
  }
}

/**
 * Runs services until SIGTERM/SIGINT, then drains in order: stop accepting and finish in-flight
 * requests; publish what the outboxes hold; stop consumers, waiting for handlers in flight (an
 * event they write now stays in the outbox and is published at the next start: never lost);
 * close connections; export the spans not yet sent. A second signal, or the timeout, exits at once.
 */
export function handleShutdown(options: {
  services: ProcessMember[]
  bus?: EventBus
  log: Logger
  timeoutMs: number
  onExit?: (code: number) => void
}): () => Promise<void> {
  const exit = options.onExit ?? ((code: number) => process.exit(code))
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      options.log.info('shutting down')
      const timer = setTimeout(() => {
        options.log.error('shutdown took too long; exiting')
        exit(1)
      }, options.timeoutMs)
      timer.unref()
      await Promise.allSettled(options.services.map((s) => s.stopHttp()))
      await Promise.allSettled(options.services.map((s) => s.stopRelay()))
      await options.bus
        ?.close()
        .catch((error: unknown) => options.log.warn({ err: error }, 'bus close failed'))
      await Promise.allSettled(options.services.map((s) => s.close()))
      // The spans of the drain itself included; a collector that does not answer costs 5 s.
      await flushTracing(5_000)
      clearTimeout(timer)
      options.log.info('stopped')
    })()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) exit(1)
    options.log.info({ signal }, 'signal received')
    void stop().then(() => exit(0))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return stop
}

/**
 * The whole life of a process running one or more services: start them in order (a failure to
 * start exits non-zero with the reason), then drain them on SIGTERM.
 */
export async function runProcess(options: {
  log: Logger
  bus?: EventBus
  timeoutMs: number
  services: ProcessEntry[]
  /** Fault injection for every service of the process (`extraLatencyOf(config)`). */
  extraLatency?: ExtraLatency
}): Promise<ProcessMember[]> {
  const running: ProcessMember[] = []
  try {
    for (const entry of options.services) {
      if ('start' in entry) {
        running.push(await entry.start())
        continue
      }
      const service = await entry.create()
      running.push(
        await startService(service, {
          port: entry.port,
          host: entry.host,
          log: options.log,
          bus: options.bus,
          extraLatency: options.extraLatency,
        }),
      )
    }
  } catch (error) {
    options.log.fatal({ err: error }, 'failed to start')
    await Promise.allSettled(
      running.map((s) =>
        s
          .stopHttp()
          .then(() => s.stopRelay())
          .then(() => s.close()),
      ),
    )
    await options.bus?.close().catch(() => undefined)
    process.exit(1)
  }
  handleShutdown({
    services: running,
    bus: options.bus,
    log: options.log,
    timeoutMs: options.timeoutMs,
  })
  return running
}

/**
 * `main.ts` of a service with its own process: load its config, create it, pick the bus from
 * `RABBITMQ_URL` (RabbitMQ for `amqp(s)://`, NATS JetStream for `nats://`, in-process for
 * `memory`) and run it until SIGTERM. A bad setting (a ConfigError from loading or from the
 * factory) exits 78 naming the variable. A service with neither a database (an outbox) nor
 * consumers (the gateway) gets no bus at all.
 */
export async function runStandalone<
  C extends {
    LOG_LEVEL: string
    LOG_FORMAT?: LogFormat
    RABBITMQ_URL: string
    RABBITMQ_PREFETCH?: number
    RABBITMQ_MAX_BATCH?: number
    RABBITMQ_BATCH_LINGER_MS?: number
    SHUTDOWN_TIMEOUT_SECONDS: number
    EXTRA_LATENCY_MS?: number
    EXTRA_LATENCY_JITTER_MS?: number
    EXTRA_LATENCY_FILE?: string
  } & TraceExportConfig,
>(options: {
  name: string
  loadConfig: () => C
  create: (config: C, deps: { log: Logger }) => Service | Promise<Service>
  listen: (config: C) => { port: number; host?: string }
}): Promise<ProcessMember[]> {
  const orExit = async <T>(load: () => T | Promise<T>): Promise<T> => {
    try {
      return await load()
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      process.stderr.write(`${error.message}\n`)
      process.exit(78) // EX_CONFIG
    }
  }
  const config = await orExit(options.loadConfig)
  const log = createLogger({
    service: options.name,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  })
  startTraceExport(config, { log, service: options.name })
  const service = await orExit(() => options.create(config, { log }))
  // Every chunk of the bundle is loaded now: map parsing is paid here, not by a request.
  warmSourceMaps()
  // One registry for the service and its bus, so `/metrics` shows the bus_* series too.
  const registry = (service.registry ??= createMetricsRegistry(options.name))
  const openBus = (): EventBus =>
    createBusFromUrl(config.RABBITMQ_URL, {
      prefetch: config.RABBITMQ_PREFETCH,
      maxBatch: config.RABBITMQ_MAX_BATCH,
      batchLingerMs: config.RABBITMQ_BATCH_LINGER_MS,
      log,
      connectionName: options.name,
      registry,
    })
  // No outbox to relay and nothing to consume (the gateway): no broker connection either.
  const messaging = service.database !== undefined || (service.consumers?.length ?? 0) > 0
  const bus = messaging ? openBus() : undefined
  return runProcess({
    log,
    bus,
    timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    services: [{ create: () => service, ...options.listen(config) }],
    extraLatency: extraLatencyOf(config),
  })
}
