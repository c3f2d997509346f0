import { rmSync, writeFileSync } from 'node:fs'
import type { DistributedPlatform, PrivateServers, ServiceProcess } from '../e2e/distributed.js'
import type { FaultStep } from './schedule.js'

// Carries out the schedule's faults on a running platform, and puts everything back whatever
// happens: PostgreSQL and RabbitMQ running, no process hung, every process started. The
// PostgreSQL and RabbitMQ it stops are the run's own (`restartableServers`), never the machine's.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What a fault did, for the report. */
export interface FaultRecord {
  kind: FaultStep['kind']
  target?: string
  /** Seconds after the load started, when it began and when everything was back. */
  startedAt: number
  endedAt: number
  detail: string
  ok: boolean
  error?: string
}

/** A process that exited on its own, and its last output. */
export interface Crash {
  instance: string
  /** Seconds after the load started. */
  at: number
  code: number | null
  signal: string | null
  tail: string
}

/** The run's own servers: the only ones a fault may stop. */
function serversOf(platform: DistributedPlatform): PrivateServers {
  if (!platform.servers)
    throw new Error('the chaos faults need the platform started with restartableServers')
  return platform.servers
}

/** Starts PostgreSQL and the broker (RabbitMQ's application, NATS) again if this run stopped them. */
export async function restoreServers(
  servers: PrivateServers,
  state: { postgresDown: boolean; brokerDown: boolean },
) {
  if (state.postgresDown) {
    await servers.postgres.start().catch(() => undefined) // running already
    state.postgresDown = false
  }
  if (state.brokerDown) {
    await servers.broker.start().catch(() => undefined) // nothing more to try
    state.brokerDown = false
  }
}

export interface FaultInjectorDeps {
  platform: DistributedPlatform
  /** An admin's access token (the payment outage endpoint wants one). */
  adminToken: string
  /** Seconds since the load started. */
  clock: () => number
  log: (line: string) => void
  /** The EXTRA_LATENCY_FILE of a process. */
  latencyFile: (instance: string) => string
  /** Servers this run has taken down and not yet brought back. */
  state?: { postgresDown: boolean; brokerDown: boolean }
}

export function createFaultInjector(deps: FaultInjectorDeps) {
  const { platform, clock, log } = deps
  const state = deps.state ?? { postgresDown: false, brokerDown: false }
  /** Processes a fault is working on: the supervisor leaves them alone. */
  const busy = new Set<ServiceProcess>()
  const records: FaultRecord[] = []
  /** Exits of processes nobody stopped, restarted by the supervisor. */
  const crashes: Crash[] = []

  const processOf = (target: string | undefined) => {
    const process = target ? platform.services[target] : undefined
    if (!process) throw new Error(`no process ${target}`)
    return process
  }

  /**
   * Starts it until it is ready, as a supervisor would: a start that exits (PostgreSQL down
   * while it migrates) is tried again. Returns the seconds it took.
   */
  async function startUntilReady(process: ServiceProcess): Promise<number> {
    const started = Date.now()
    for (;;) {
      if (!process.running) process.start()
      try {
        await process.ready(180_000 - (Date.now() - started))
        return (Date.now() - started) / 1000
      } catch (error) {
        if (process.running || Date.now() - started > 180_000) throw error
        await sleep(1_000)
      }
    }
  }

  async function paymentOutage(step: FaultStep) {
    const body = {
      errorRate: step.errorRate ?? 0.5,
      lostReplyRate: step.lostReplyRate ?? 0,
      seconds: step.seconds,
    }
    // Any replica will do (the outage lives in the acquirer's table); one may be down or hung.
    // A replica's first bearer token makes it fetch the JWKS, which a loaded machine may time
    // out (503 AUTH.KEYS_UNAVAILABLE, both replicas alike): each is asked again for up to 60 s.
    let last: unknown
    const deadline = Date.now() + 60_000
    for (let round = 0; round === 0 || Date.now() < deadline; round++) {
      if (round > 0) await sleep(1_000)
      const done = await tryReplicas()
      if (done.ok) return done.detail
      last = done.error
    }
    throw last

    async function tryReplicas(): Promise<
      { ok: true; detail: string } | { ok: false; error: unknown }
    > {
      let error: unknown
      for (const replica of platform.replicas.payments) {
        try {
          const response = await fetch(`${replica.url}/internal/simulator/faults`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${deps.adminToken}`,
            },
            body: JSON.stringify(body),
            // Generous: a loaded machine took over 3 s to answer it.
            signal: AbortSignal.timeout(20_000),
          })
          if (response.ok) {
            await sleep(step.seconds * 1000)
            return {
              ok: true,
              detail: `errorRate ${body.errorRate}, lostReplyRate ${body.lostReplyRate} for ${step.seconds} s`,
            }
          }
          error = new Error(
            `${replica.instance} answered ${response.status}: ${await response.text()}`,
          )
        } catch (thrown) {
          error = thrown
        }
      }
      return { ok: false, error }
    }
  }

  async function execute(step: FaultStep): Promise<string> {
    switch (step.kind) {
      case 'kill': {
        const process = processOf(step.target)
        busy.add(process)
        try {
          await process.stop('SIGKILL')
          await sleep(step.seconds * 1000)
          const took = await startUntilReady(process)
          return `SIGKILL, started again after ${step.seconds} s, ready ${took.toFixed(1)} s later`
        } finally {
          busy.delete(process)
        }
      }
      case 'hang': {
        const process = processOf(step.target)
        busy.add(process)
        try {
          process.pause()
          await sleep(step.seconds * 1000)
        } finally {
          process.resume()
          busy.delete(process)
        }
        return `SIGSTOP for ${step.seconds} s, then SIGCONT`
      }
      case 'latency': {
        // Switched through the process's EXTRA_LATENCY_FILE: no restart, the service just slows.
        const process = processOf(step.target)
        const file = deps.latencyFile(process.instance)
        const delay = { ms: step.latencyMs ?? 300, jitterMs: step.jitterMs ?? 0 }
        writeFileSync(file, JSON.stringify(delay))
        try {
          await sleep(step.seconds * 1000)
        } finally {
          rmSync(file, { force: true })
        }
        return `+${delay.ms} ms (+ up to ${delay.jitterMs} ms) on every request for ${step.seconds} s`
      }
      case 'broker-restart': {
        const started = Date.now()
        const { broker } = serversOf(platform)
        state.brokerDown = true
        try {
          await broker.stop()
        } finally {
          await broker.start()
          state.brokerDown = false
        }
        return `${broker.how}, back after ${((Date.now() - started) / 1000).toFixed(1)} s`
      }
      case 'postgres-restart': {
        const started = Date.now()
        const { postgres } = serversOf(platform)
        state.postgresDown = true
        try {
          await postgres.stop()
          await sleep(step.seconds * 1000)
        } finally {
          await postgres.start()
          state.postgresDown = false
        }
        return `stopped (fast), started after ${step.seconds} s, accepting after ${((Date.now() - started) / 1000).toFixed(1)} s`
      }
      case 'payment-outage':
        return paymentOutage(step)
    }
  }

  let supervising: NodeJS.Timeout | undefined

  return {
    records,
    crashes,
    state,

    /** Runs one fault to its end; a failure to inject is recorded, never thrown. */
    async inject(step: FaultStep): Promise<FaultRecord> {
      const startedAt = clock()
      const what = `${step.kind}${step.target ? ` ${step.target}` : ''}`
      log(`chaos: t+${startedAt.toFixed(0)}s ${what}`)
      let record: FaultRecord
      try {
        const detail = await execute(step)
        record = {
          kind: step.kind,
          target: step.target,
          startedAt,
          endedAt: clock(),
          detail,
          ok: true,
        }
      } catch (error) {
        const message = error instanceof Error ? error.message.slice(0, 2000) : String(error)
        record = {
          kind: step.kind,
          target: step.target,
          startedAt,
          endedAt: clock(),
          detail: 'failed to inject',
          ok: false,
          error: message,
        }
      }
      log(
        `chaos: t+${record.endedAt.toFixed(0)}s ${what} over${record.ok ? '' : `: ${record.error}`}`,
      )
      records.push(record)
      return record
    },

    /** Restarts processes that exited on their own (a crash), as Kubernetes would. */
    supervise() {
      const seen = new Map<ServiceProcess, number>()
      supervising = setInterval(() => {
        for (const process of Object.values(platform.services)) {
          const exits = process.unexpectedExits
          for (const exit of exits.slice(seen.get(process) ?? 0)) {
            log(`chaos: ${process.instance} exited on its own (${exit.signal ?? exit.code})`)
            // A start that failed (PostgreSQL down while it migrated) is its starter's business.
            if (exit.wasReady) {
              const { code, signal, tail } = exit
              crashes.push({ instance: process.instance, at: clock(), code, signal, tail })
            }
          }
          seen.set(process, exits.length)
          if (process.running || busy.has(process)) continue
          busy.add(process)
          void startUntilReady(process)
            .catch((error: unknown) => log(`chaos: ${process.instance} would not start: ${error}`))
            .finally(() => busy.delete(process))
        }
      }, 1_000)
    },

    /** Brings everything back: servers started, processes resumed and running. */
    async restore() {
      clearInterval(supervising)
      if (platform.servers) await restoreServers(platform.servers, state)
      for (const process of Object.values(platform.services)) {
        rmSync(deps.latencyFile(process.instance), { force: true })
        process.resume()
        if (!process.running) await startUntilReady(process)
      }
    },
  }
}

export type FaultInjector = ReturnType<typeof createFaultInjector>
