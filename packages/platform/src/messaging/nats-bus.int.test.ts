import { randomBytes } from 'node:crypto'
import { jetstreamManager, JetStreamApiError } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { testServers } from '../testing/test-databases.js'
import { conformanceRetry, describeBusConformance } from './bus-conformance.js'
import { createNatsBus, type NatsBusOptions } from './nats-bus.js'
import { natsNamesOf } from './nats-topology.js'

// Names of this run only (its own stream and subjects), so parallel runs never see each other.
const run = randomBytes(4).toString('hex')
const exchange = `test.${run}`
const names = natsNamesOf(exchange)
const url = testServers.nats
const server = new URL(url).host
const silent = pino({ level: 'silent' })

/** Deletes the run's events stream (its consumers go with it) and these dead-letter streams. */
async function deleteStreams(consumers: readonly string[]): Promise<void> {
  const nc = await connect({ servers: server })
  const jsm = await jetstreamManager(nc)
  const streams = [names.stream, ...consumers.map(names.dlqStream)]
  for (const stream of streams) {
    await jsm.streams.delete(stream).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError)) throw error
    })
  }
  await nc.close()
}

const newBus = (options: Partial<NatsBusOptions> = {}) =>
  createNatsBus({
    url,
    exchange,
    retry: conformanceRetry,
    log: silent,
    registry: new Registry(),
    reconnectSeconds: 0.5,
    ...options,
  })

describeBusConformance('NATS JetStream bus', ({ retry }) => newBus({ retry }), {
  cleanup: (consumers) => deleteStreams(consumers),
})
