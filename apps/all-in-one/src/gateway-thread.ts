import { Worker } from 'node:worker_threads'
import type { Logger, ProcessMember } from '@emporium/platform'

/** Messages between the main thread and the gateway's worker thread. */
export type GatewayCall = { id: number; call: 'stopHttp' | 'stopRelay' | 'close' }
export type ToGateway = GatewayCall | { listen: true }
export type FromGateway =
  | { type: 'ready'; url: string; managementUrl?: string }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; error?: string }

/**
 * Runs the gateway in a worker thread of its own and answers for it as a member of this
 * process (drained with the others on SIGTERM). The embedded services and their one PGlite share
 * the main thread's event loop; a burst keeps that loop busy with queries, and a gateway on the
 * same loop would read new requests only between them, too late for its admission control and
 * placement deadline. On a thread of its own the gateway reads, sheds and answers at once.
 *
 * The thread starts at once and loads the gateway's modules on the other core while the
 * services start; `listen()` (once they are up) makes it listen and resolves when it does.
 */
export function spawnGatewayThread(log: Logger): { listen(): Promise<ProcessMember> } {
  const worker = spawnWorker()
  const started = startGatewayThread(worker, log)
  // A failure before `listen()` is reported by it; meanwhile it must not go unhandled.
  started.catch(() => undefined)
  return {
    listen() {
      worker.postMessage({ listen: true } satisfies ToGateway)
      return started
    },
  }
}

function startGatewayThread(worker: Worker, log: Logger): Promise<ProcessMember> {
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  let nextId = 0
  let exited = false
  let closing = false

  const call = (name: GatewayCall['call']) =>
    exited
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const id = ++nextId
          pending.set(id, { resolve, reject })
          worker.postMessage({ id, call: name } satisfies ToGateway)
        })

  return new Promise<ProcessMember>((resolve, reject) => {
    worker.on('message', (message: FromGateway) => {
      if (message.type === 'ready') {
        resolve({
          name: 'gateway',
          url: message.url,
          managementUrl: message.managementUrl,
          stopHttp: () => call('stopHttp'),
          stopRelay: () => call('stopRelay'),
          close: async () => {
            await call('close')
            closing = true
            await worker.terminate()
          },
        })
      } else if (message.type === 'failed') {
        reject(new Error(`gateway: ${message.message}`))
      } else {
        const waiting = pending.get(message.id)
        pending.delete(message.id)
        if (message.error) waiting?.reject(new Error(message.error))
        else waiting?.resolve()
      }
    })
    worker.on('error', (error) => {
      log.error({ err: error }, 'the gateway thread failed')
      reject(error)
    })
    worker.on('exit', (code) => {
      exited = true
      for (const waiting of pending.values()) waiting.resolve()
      pending.clear()
      reject(new Error(`gateway: its thread exited (${code}) before it was ready`))
      // A gateway gone while the process runs leaves the platform unreachable: end the process
      // (a supervisor restarts it) instead of serving nothing.
      if (code !== 0 && !closing) {
        log.fatal({ code }, 'the gateway thread exited; stopping')
        process.exit(1)
      }
    })
  })
}

/**
 * The worker runs this module's sibling the way this one runs: compiled, or TypeScript through
 * tsx, whose loader hooks a worker does not inherit: a two-line bootstrap registers them first.
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./gateway-worker.js', import.meta.url))
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const entry = JSON.stringify(new URL('./gateway-worker.ts', import.meta.url).href)
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}) })`, {
    eval: true,
  })
}
