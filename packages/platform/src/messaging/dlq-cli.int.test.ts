import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { PermanentError } from '../errors.js'
import { testServers } from '../testing/test-databases.js'
import { testEnvelope, waitFor } from './bus-conformance.js'
import { runDlqCli, type DlqCliDeps } from './dlq-cli.js'
import { createRabbitMqBus } from './rabbitmq-bus.js'
import { deleteRabbitMqTopology } from '../testing/rabbitmq-cleanup.js'

const run = randomBytes(4).toString('hex')
const exchange = `test.dlq.${run}`
const consumer = `dlq-cli-${run}`
const retry = { delaysMs: [50] }
const log = pino({ level: 'silent' })
const open = () => createRabbitMqBus({ url: testServers.rabbitmq, exchange, retry, log })

/** Runs the command as the operator would, capturing what it prints. */
async function cli(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  let opened = false
  const deps: DlqCliDeps = {
    open: () => ((opened = true), open()),
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  }
  const code = await runDlqCli(argv, deps)
  return { code, out: out.join('\n'), err: err.join('\n'), opened }
}

describe('dlq command', () => {
  afterAll(async () => {
    await deleteRabbitMqTopology({
      url: testServers.rabbitmq,
      exchange,
      consumers: [consumer],
      delaysMs: retry.delaysMs,
    })
  })

  it.each([[], ['list'], ['list', 'a', 'b'], ['drop', 'a'], ['purge', 'a', '--force']])(
    'prints usage and exits 2 for %j, without connecting',
    async (...argv) => {
      const result = await cli(...argv)
      expect(result).toMatchObject({ code: 2, opened: false })
      expect(result.err).toContain('usage: npm run dlq')
    },
  )

  it('lists, replays chosen ids and purges a real dead-letter queue', async () => {
    const bus = open()
    const handled: string[] = []
    let poisoned = true
    const type = `d${run}.failed`
    await bus.subscribe({
      consumer,
      types: [type],
      async handle(envelope) {
        if (poisoned) throw new PermanentError(`unknown sku in ${envelope.id}`)
        handled.push(envelope.id)
      },
    })
    const [first, second] = [testEnvelope(type), testEnvelope(type)]
    await bus.publish(first)
    await bus.publish(second)
    await waitFor('2 dead letters', async () => (await bus.deadLetters.list(consumer)).length === 2)

    const listed = await cli('list', consumer)
    expect(listed.code).toBe(0)
    expect(listed.out).toMatch(/^ID\s+TYPE\s+ATTEMPTS\s+DEAD-LETTERED AT\s+ERROR/)
    for (const event of [first, second]) {
      expect(listed.out).toMatch(
        new RegExp(`${event.id}\\s+${type}\\s+1\\s+\\S+\\s+PermanentError: unknown sku`),
      )
    }
    const asJson = await cli('list', consumer, '--json')
    const letters = JSON.parse(asJson.out) as { id: string; attempts: number; error: string }[]
    expect(letters.map((l) => l.id).sort()).toEqual([first.id, second.id].sort())

    poisoned = false
    const replayed = await cli('replay', consumer, first.id)
    expect(replayed).toMatchObject({ code: 0, out: `replayed 1 dead letter(s) of ${consumer}` })
    await waitFor('the replayed event', () => handled.length === 1)
    expect(handled).toEqual([first.id])

    // The real entry point, as `npm run dlq` starts it.
    const entry = fileURLToPath(new URL('./dlq-cli.ts', import.meta.url))
    const spawned = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', entry, 'list', consumer, '--json'],
      { env: { ...process.env, RABBITMQ_URL: testServers.rabbitmq, EVENTS_EXCHANGE: exchange } },
    )
    expect((JSON.parse(spawned.stdout) as { id: string }[]).map((l) => l.id)).toEqual([second.id])

    const missing = await cli('replay', consumer, 'no-such-id')
    expect(missing).toMatchObject({ code: 1, out: `replayed 0 dead letter(s) of ${consumer}` })
    expect(missing.err).toContain('1 of the given ids were not')

    expect(await cli('purge', consumer)).toMatchObject({
      code: 0,
      out: `purged 1 dead letter(s) of ${consumer}`,
    })
    expect((await cli('list', consumer)).out).toBe(`no dead letters for ${consumer}`)
    expect(handled).toEqual([first.id])

    const unknown = await cli('list', `${consumer}-nope`)
    expect(unknown.code).toBe(1)
    expect(unknown.err).toContain(`no dead-letter queue ${consumer}-nope.dlq`)
    await bus.close()
  })
})
