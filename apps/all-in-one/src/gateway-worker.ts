import { parentPort } from 'node:worker_threads'
import type { RunningService } from '@emporium/platform'
import { instrumentLibraries } from '@emporium/platform/instrument'
import type { FromGateway, ToGateway } from './gateway-thread.js'

// A thread has its own module hooks and globals: the libraries' instrumentations again, first.
// eslint-disable-next-line no-restricted-properties -- this worker is an entry point, as main.ts is
await instrumentLibraries(process.env)
const { createLogger, flushTracing, startService, startTraceExport } =
  await import('@emporium/platform')
const { loadAllInOneConfig } = await import('./config.js')
const { embeddedServices } = await import('./services.js')

// The embedded platform's gateway, on a worker thread of its own (see gateway-thread.ts). The
// environment is the main thread's (a worker starts with a copy of process.env), so the gateway
// gets exactly the settings it would get on the main thread.
const port = parentPort
if (!port) throw new Error('gateway-worker.ts runs as a worker thread (see gateway-thread.ts)')
const send = (message: FromGateway) => port.postMessage(message)

const { config, env } = loadAllInOneConfig()
const log = createLogger({
  base: { process: 'all-in-one' },
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT,
})
// A thread has its own globals, so its own tracer provider and exporter: the gateway's spans.
startTraceExport(config, { log })
const entry = embeddedServices(config, env).find((candidate) => candidate.name === 'gateway')
// Loaded now, while the main thread starts the services; it listens when told to.
const loading = import('@emporium/gateway').catch((error: unknown) => error)

let running: RunningService | undefined
async function listen(): Promise<void> {
  try {
    const loaded = await loading
    if (loaded instanceof Error) throw loaded
    if (!entry) throw new Error('no gateway among the embedded services')
    running = await startService(await entry.create(), { port: entry.port, host: entry.host, log })
    send({ type: 'ready', url: running.url, managementUrl: running.managementUrl })
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
  }
}

port.on('message', (message: ToGateway) => {
  if ('listen' in message) {
    void listen()
    return
  }
  const member = running
  const call = member ? member[message.call]() : Promise.resolve()
  // The thread is terminated after `close`: its last spans are sent first.
  const work = message.call === 'close' ? call.finally(() => flushTracing(5_000)) : call
  work.then(
    () => send({ type: 'done', id: message.id }),
    (error: unknown) =>
      send({
        type: 'done',
        id: message.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  )
})
