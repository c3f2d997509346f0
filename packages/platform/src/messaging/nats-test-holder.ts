// A consumer process for nats-bus.int.test.ts (`<url> <exchange> <consumer> <type>`): takes events and never finishes handling them,
// until the test kills it. Prints `subscribed`, then `holding <id> attempt <n>` per delivery.
import { pino } from 'pino'
import { createNatsBus } from './nats-bus.js'

const [url = '', exchange = '', consumer = '', type = ''] = process.argv.slice(2)
const bus = createNatsBus({
  url,
  exchange,
  ackWaitMs: 1_000,
  log: pino({ level: 'silent' }),
})
await bus.subscribe({
  consumer,
  types: [type],
  async handle(envelope, { attempt }) {
    process.stdout.write(`holding ${envelope.id} attempt ${attempt}\n`)
    await new Promise(() => {}) // never acked
  },
})
process.stdout.write('subscribed\n')
