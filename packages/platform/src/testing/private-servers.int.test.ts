import amqp from 'amqplib'
import { sql } from 'kysely'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startPrivateNats, startPrivatePostgres, startPrivateRabbitMq } from './private-servers.js'

// The servers the crash and chaos tests restart: each its own, on its own port, gone after.
// Their ports lie below the kernel's ephemeral range (an outgoing connection may take a port of
// that range at any moment, also while a test has the server stopped) and are claimed against
// the run's other tests while the server lives.
const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
)
const claimed = (port: number) => existsSync(join(tmpdir(), 'emporium-port-claims', String(port)))

describe('private servers', () => {
  it('a RabbitMQ node of its own serves, restarts its application, and shuts down', async () => {
    const broker = await startPrivateRabbitMq()
    try {
      expect(broker.port).not.toBe(5672)
      expect(broker.port).toBeLessThan(ephemeralLow)
      expect(claimed(broker.port)).toBe(true)
      const connection = await amqp.connect(broker.url)
      const closed = new Promise((resolve) => connection.once('close', resolve))
      connection.on('error', () => undefined)
      await broker.stopApp()
      // Stopping the application cuts its clients, as a restart of the server would.
      await closed
      await expect(amqp.connect(broker.url)).rejects.toThrow()
      await broker.startApp()
      const again = await amqp.connect(broker.url)
      await again.close()
    } finally {
      await broker.stop()
    }
    await expect(amqp.connect(broker.url)).rejects.toThrow()
    expect(claimed(broker.port)).toBe(false)
  }, 180_000)

  it('a PostgreSQL of its own creates databases, stops and starts, and is removed', async () => {
    const postgres = await startPrivatePostgres()
    try {
      expect(postgres.port).not.toBe(5432)
      expect(postgres.port).toBeLessThan(ephemeralLow)
      expect(claimed(postgres.port)).toBe(true)
      const db = await postgres.createDatabase('emporium_private_test')
      await sql`create table t (n int)`.execute(db.database.db)
      await sql`insert into t values (1)`.execute(db.database.db)
      await postgres.stop()
      await expect(sql`select 1`.execute(db.database.db)).rejects.toThrow()
      await postgres.start()
      const { rows } = await sql<{ n: number }>`select n from t`.execute(db.database.db)
      expect(rows).toEqual([{ n: 1 }])
      await db.drop()
    } finally {
      await postgres.destroy()
    }
    expect(claimed(postgres.port)).toBe(false)
  }, 180_000)

  it('a nats-server of its own takes a claimed port and gives it back', async () => {
    const nats = await startPrivateNats()
    try {
      expect(nats.port).toBeLessThan(ephemeralLow)
      expect(claimed(nats.port)).toBe(true)
    } finally {
      await nats.destroy()
    }
    expect(claimed(nats.port)).toBe(false)
  }, 60_000)
})
