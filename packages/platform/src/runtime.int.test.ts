import { defineEvent } from '@emporium/contracts'
import type { Migration } from 'kysely'
import Type from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { currentContext } from './context.js'
import { openDatabase } from './db/open-database.js'
import type { Database } from './db/database.js'
import { createLogger } from './log.js'
import { createInProcessBus } from './messaging/in-process-bus.js'
import { on } from './messaging/consumer.js'
import { createOutbox } from './messaging/outbox.js'
import { waitFor } from './messaging/bus-conformance.js'
import { currentTraceId } from './tracing.js'
import { startService, type RunningService, type Service } from './runtime.js'

// Two small services wired exactly as real ones are: a request writes state and its event in
// one transaction; the relay publishes; the other service's handler runs once, in the same
// trace and correlation as the request that caused it.
const ThingCreated = defineEvent('thing.created', 1, Type.Object({ name: Type.String() }))

const producerMigrations: Record<string, Migration> = {
  '001-things': {
    up: (db) =>
      db.schema
        .createTable('things')
        .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
        .execute(),
  },
}
const consumerMigrations: Record<string, Migration> = {
  '001-seen': {
    up: (db) =>
      db.schema
        .createTable('seen')
        .addColumn('name', 'varchar(100)')
        .addColumn('trace_id', 'varchar(64)')
        .addColumn('correlation_id', 'varchar(128)')
        .execute(),
  },
}

describe('runtime: services wired through outbox, bus and inbox', () => {
  const log = createLogger({ service: 'runtime-test', level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [20, 40] }, log })
  let producerDb: Database
  let consumerDb: Database
  const running: RunningService[] = []

  beforeAll(async () => {
    ;[producerDb, consumerDb] = await Promise.all([
      openDatabase('pglite:memory'),
      openDatabase('pglite:memory'),
    ])
    const outbox = createOutbox({ source: 'things' })
    const producer: Service = {
      name: 'things',
      database: producerDb,
      migrations: producerMigrations,
      routes: async (app) => {
        app.post(
          '/things',
          {
            schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) },
          },
          async (request, reply) => {
            await producerDb.transaction(async (trx) => {
              await trx.insertInto('things').values({ name: request.body.name }).execute()
              await outbox.add(trx, ThingCreated, { name: request.body.name })
            })
            running[0]?.relay?.wake()
            return reply.code(201).send({ name: request.body.name })
          },
        )
      },
    }
    const consumer: Service = {
      name: 'watcher',
      database: consumerDb,
      migrations: consumerMigrations,
      consumers: [
        on(ThingCreated, async ({ name }, { trx }) => {
          await trx
            .insertInto('seen')
            .values({
              name,
              trace_id: currentTraceId() ?? null,
              correlation_id: currentContext()?.correlationId ?? null,
            })
            .execute()
        }),
      ],
    }
    running.push(await startService(producer, { port: 0, log, bus }))
    running.push(await startService(consumer, { port: 0, log, bus }))
  })

  afterAll(async () => {
    for (const s of running) await s.stopHttp()
    for (const s of running) await s.stopRelay()
    await bus.close()
    await Promise.all([producerDb.close(), consumerDb.close()])
  })

  it('carries the trace and correlation from the HTTP request to the consumer, and applies the effect once', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const response = await fetch(`${running[0]!.url}/things`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        'x-correlation-id': 'checkout-42',
      },
      body: JSON.stringify({ name: 'lamp' }),
    })
    expect(response.status).toBe(201)
    await waitFor('the consumer to see the event', async () => {
      return (await consumerDb.db.selectFrom('seen').selectAll().execute()).length > 0
    })
    const seen = await consumerDb.db.selectFrom('seen').selectAll().execute()
    expect(seen).toEqual([{ name: 'lamp', trace_id: traceId, correlation_id: 'checkout-42' }])

    // The same event delivered again (a broker redelivery) has no second effect.
    const row = await producerDb.db.selectFrom('outbox').select('payload').executeTakeFirstOrThrow()
    await bus.publish(JSON.parse(row.payload as string))
    await new Promise((r) => setTimeout(r, 200))
    expect(await consumerDb.db.selectFrom('seen').selectAll().execute()).toHaveLength(1)
  })

  it('reports ready with its database and broker, and exposes outbox metrics', async () => {
    const ready = await fetch(`${running[0]!.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', broker: 'ok' } })
    const metrics = await (await fetch(`${running[0]!.url}/metrics`)).text()
    expect(metrics).toMatch(/outbox_backlog_events\{service="things"\} 0/)
  })

  it('refuses a request with an unknown field with a 400 problem and writes nothing', async () => {
    const response = await fetch(`${running[0]!.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'chair', price: 1 }),
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/)
    const things = await producerDb.db
      .selectFrom('things')
      .selectAll()
      .where('name', '=', 'chair')
      .execute()
    expect(things).toHaveLength(0)
  })
})
