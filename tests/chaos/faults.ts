import { execFile, execFileSync } from 'node:child_process'
import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { testServers } from '@emporium/platform/testing'
import type { DistributedPlatform, ServiceProcess } from '../e2e/distributed.js'
import type { FaultStep } from './schedule.js'

// Carries out the schedule's faults on a running platform, and puts everything back whatever
// happens: PostgreSQL and RabbitMQ running, no process hung, every process started.

const run = promisify(execFile)
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

/** The servers' commands, async so that the load in this process goes on meanwhile. */
const servers = {
  cluster(): string[] {
    const version = readdirSync('/etc/postgresql').sort()[0]
    if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql')
    return ['--skip-systemctl-redirect', version, 'main']
  },
  async stopPostgres() {
    await run('pg_ctlcluster', [...this.cluster(), 'stop'], { timeout: 60_000 })
  },
  async startPostgres() {
    // As scripts/infra-up.sh starts it; a non-zero exit when it runs already.
    await run('pg_ctlcluster', [...this.cluster(), 'start'], { timeout: 60_000 }).catch(() => {})
    const { hostname, port } = new URL(testServers.postgres)
    for (let i = 0; i < 240; i++) {
      const ready = await run('pg_isready', ['-q', '-h', hostname, '-p', port || '5432']).then(
        () => true,
        () => false,
      )
      if (ready) return
      await sleep(250)
    }
    throw new Error('PostgreSQL did not accept connections within 60 s of its start')
  },
  async rabbitmqctl(...args: string[]) {
    await run('rabbitmqctl', args, { timeout: 120_000 })
  },
}

/**
 * The last resort, synchronous so that it also runs from an `exit` handler: start PostgreSQL
 * and RabbitMQ's application if this run stopped them.
 */
export function restoreServersSync(state: { postgresDown: boolean; brokerDown: boolean }) {
  if (state.postgresDown) {
    try {
      execFileSync('pg_ctlcluster', [...servers.cluster(), 'start'], { stdio: 'pipe' })
    } catch {
      // running already
    }
    state.postgresDown = false
  }
  if (state.brokerDown) {
    try {
      execFileSync('rabbitmqctl', ['start_app'], { stdio: 'pipe', timeout: 120_000 })
    } catch {
      // nothing more to try
    }
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
  /** Servers this run has taken down and not yet brought back (shared with an exit handler). */
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
    let last: unknown
    for (const replica of platform.replicas.payments) {
      try {
        const response = await fetch(`${replica.url}/internal/simulator/faults`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${deps.adminToken}`,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(3_000),
        })
        if (response.ok) {
          await sleep(step.seconds * 1000)
          return `errorRate ${body.errorRate}, lostReplyRate ${body.lostReplyRate} for ${step.seconds} s`
        }
        last = new Error(
          `${replica.instance} answered ${response.status}: ${await response.text()}`,
        )
      } catch (error) {
        last = error
      }
    }
    throw last
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
        state.brokerDown = true
        try {
          await servers.rabbitmqctl('stop_app')
        } finally {
          await servers.rabbitmqctl('start_app')
          await servers.rabbitmqctl('await_startup')
          state.brokerDown = false
        }
        return `stop_app/start_app, back after ${((Date.now() - started) / 1000).toFixed(1)} s`
      }
      case 'postgres-restart': {
        const started = Date.now()
        state.postgresDown = true
        try {
          await servers.stopPostgres()
          await sleep(step.seconds * 1000)
        } finally {
          await servers.startPostgres()
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
      restoreServersSync(state)
      for (const process of Object.values(platform.services)) {
        rmSync(deps.latencyFile(process.instance), { force: true })
        process.resume()
        if (!process.running) await startUntilReady(process)
      }
    },
  }
}

export type FaultInjector = ReturnType<typeof createFaultInjector>
