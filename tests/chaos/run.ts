// `npm run chaos -- [--short | --minutes N] [--rate R] [--json file] [--broker nats]`: see
// docs/chaos.md.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { defaultRate, runChaos } from './chaos.js'
import { formatChaosReport } from './report.js'
import { faultKinds, type FaultKind } from './schedule.js'

const usage = `usage: npm run chaos -- [--short | --minutes N] [--rate R] [--json FILE] [--broker B]
  --short       about two minutes in all, every fault kind at least once (CI)
  --minutes N   N minutes of load with a fault cycle every 80 s (default 10)
  --rate R      scenario arrivals per second (default ${defaultRate})
  --settle S    seconds the platform may take to settle after the load (default 180)
  --json FILE   also write the report as JSON
  --skip KINDS  leave these fault kinds out, comma-separated (${faultKinds.join(', ')})
  --broker B    the bus's broker: rabbitmq (default) or nats (NATS JetStream, killed to restart)
Needs MariaDB and Redis (npm run infra:up), and PostgreSQL's and RabbitMQ's (or nats-server's)
programs to start a PostgreSQL and a broker of the run's own, which it restarts (the machine's
are left alone). Exit 0: every invariant held;
1: an invariant failed or the run could not be carried out; 2: bad arguments.`

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        short: { type: 'boolean' },
        minutes: { type: 'string' },
        rate: { type: 'string' },
        settle: { type: 'string' },
        json: { type: 'string' },
        skip: { type: 'string' },
        broker: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
    const number = (text: string | undefined, name: string) => {
      if (text === undefined) return undefined
      const value = Number(text)
      if (!Number.isFinite(value) || value <= 0)
        throw new Error(`${name} must be a positive number`)
      return value
    }
    if (values.short && values.minutes) throw new Error('--short and --minutes exclude each other')
    const skip = (values.skip ?? '').split(',').filter(Boolean) as FaultKind[]
    for (const kind of skip)
      if (!faultKinds.includes(kind)) throw new Error(`--skip: unknown fault kind ${kind}`)
    const broker = (values.broker ?? 'rabbitmq') as 'rabbitmq' | 'nats'
    if (!['rabbitmq', 'nats'].includes(broker))
      throw new Error(`--broker: rabbitmq or nats, not ${broker}`)
    return {
      broker,
      help: values.help === true,
      mode: values.short ? ('short' as const) : ('long' as const),
      minutes: number(values.minutes, '--minutes'),
      rate: number(values.rate, '--rate'),
      settleSeconds: number(values.settle, '--settle'),
      json: values.json,
      skip,
    }
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
    process.exit(2)
  }
}

const args = parse()
if (args.help) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

// Ctrl-C (or SIGTERM) stops the load early; faults are undone and servers brought back before
// exiting. A second one exits at once, shutting the run's own PostgreSQL and broker down.
const stop = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write('\nchaos: stopping (faults are undone, servers brought back)…\n')
    stop.abort()
    process.once(signal, () => process.exit(130))
  })
}

const report = await runChaos({
  mode: args.mode,
  minutes: args.minutes,
  rate: args.rate,
  settleSeconds: args.settleSeconds,
  skip: args.skip,
  broker: args.broker,
  log: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
})
process.stdout.write(`${formatChaosReport(report)}\n`)
if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`)
process.exit(report.ok ? 0 : 1)
