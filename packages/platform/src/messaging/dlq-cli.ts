// Operator command for dead letters: `npm run dlq -- list|replay|purge <consumer> ...`.
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import Type from 'typebox'
import { loadConfigOrExit } from '../config.js'
import { isAppError } from '../errors.js'
import type { DeadLetter, DeadLetters } from './bus.js'
import { createBusFromUrl } from './bus-from-url.js'

export const dlqUsage = `usage: npm run dlq -- <command> [--json]
  list <consumer>                  show the consumer's dead letters (nothing is removed)
  replay <consumer> [eventId...]   put them (all, or those ids) back on the consumer's queue
  purge <consumer>                 delete them all
environment: RABBITMQ_URL (amqp://user:pass@host:5672/vhost for RabbitMQ,
  nats://host:4222 for NATS JetStream), EVENTS_EXCHANGE`

export interface DlqCliDeps {
  /** Connects to the broker; called only once the arguments are valid. */
  open(): { deadLetters: DeadLetters; close(): Promise<void> }
  out(text: string): void
  err(text: string): void
}

type Command =
  | { name: 'list' | 'purge'; consumer: string; json: boolean }
  | { name: 'replay'; consumer: string; ids: string[]; json: boolean }

function parse(argv: readonly string[]): Command | undefined {
  const flags = argv.filter((a) => a.startsWith('-'))
  const [name, consumer, ...rest] = argv.filter((a) => !a.startsWith('-'))
  if (flags.some((f) => f !== '--json') || !consumer) return undefined
  const json = flags.includes('--json')
  if ((name === 'list' || name === 'purge') && rest.length === 0) return { name, consumer, json }
  if (name === 'replay') return { name, consumer, ids: rest, json }
  return undefined
}

/** Runs one command and returns the process exit code: 0 done, 1 failed, 2 bad arguments. */
export async function runDlqCli(argv: readonly string[], deps: DlqCliDeps): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    deps.out(dlqUsage)
    return 0
  }
  const command = parse(argv)
  if (!command) {
    deps.err(dlqUsage)
    return 2
  }
  const bus = deps.open()
  try {
    return await execute(command, bus.deadLetters, deps)
  } catch (error) {
    deps.err(`dlq ${command.name} failed: ${isAppError(error) ? error.message : String(error)}`)
    return 1
  } finally {
    await bus.close()
  }
}

async function execute(
  command: Command,
  deadLetters: DeadLetters,
  deps: DlqCliDeps,
): Promise<number> {
  const { consumer, json } = command
  if (command.name === 'list') {
    const letters = await deadLetters.list(consumer)
    deps.out(json ? JSON.stringify(letters, null, 2) : table(consumer, letters))
    return 0
  }
  if (command.name !== 'replay') {
    const purged = await deadLetters.purge(consumer)
    deps.out(
      json
        ? JSON.stringify({ consumer, purged })
        : `purged ${purged} dead letter(s) of ${consumer}`,
    )
    return 0
  }
  const ids = command.ids.length > 0 ? [...new Set(command.ids)] : undefined
  const replayed = await deadLetters.replay(consumer, ids)
  deps.out(
    json
      ? JSON.stringify({ consumer, replayed })
      : `replayed ${replayed} dead letter(s) of ${consumer}`,
  )
  if (ids && replayed < ids.length) {
    // Typos and ids replayed already are worth a failing exit code in a script.
    deps.err(
      `${ids.length - replayed} of the given ids were not in ${consumer}'s dead-letter queue`,
    )
    return 1
  }
  return 0
}

function table(consumer: string, letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return `no dead letters for ${consumer}`
  const oneLine = (text: string, max: number) => {
    const flat = text.replace(/\s+/g, ' ')
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  }
  const rows = [
    ['ID', 'TYPE', 'ATTEMPTS', 'DEAD-LETTERED AT', 'ERROR'],
    ...letters.map((l) => [
      l.id,
      l.envelope.type,
      String(l.attempts),
      l.deadLetteredAt,
      oneLine(l.error, 80),
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const lines = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  )
  return [...lines, `${letters.length} dead letter(s) of ${consumer}`].join('\n')
}

const DlqConfig = Type.Object({
  RABBITMQ_URL: Type.String({ pattern: '^(amqps?|nats)://.' }),
  EVENTS_EXCHANGE: Type.String({ minLength: 1, default: 'emporium.events' }),
  LOG_LEVEL: Type.String({ default: 'warn' }),
})

async function main(): Promise<void> {
  process.exitCode = await runDlqCli(process.argv.slice(2), {
    open() {
      // Read only now: `--help` and bad arguments need no broker settings.
      const config = loadConfigOrExit(DlqConfig)
      // Logs go to stderr so that `--json` output stays parseable.
      const log = pino({ level: config.LOG_LEVEL }, pino.destination(2))
      return createBusFromUrl(config.RABBITMQ_URL, { exchange: config.EVENTS_EXCHANGE, log })
    },
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
