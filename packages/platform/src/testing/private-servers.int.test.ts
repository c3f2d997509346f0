import amqp from 'amqplib'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { startPrivatePostgres, startPrivateRabbitMq } from './private-servers.js'

// The servers the crash and chaos tests restart: each its own, on its own port, gone after.
describe('private servers', () => {
  it('a RabbitMQ node of its own serves, restarts its application, and shuts down', async () => {
    const broker = await startPrivateRabbitMq()
    try {
      expect(broker.port).not.toBe(5672)
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
  }, 180_000)

  it('a PostgreSQL of its own creates databases, stops and starts, and is removed', async () => {
    const postgres = await startPrivatePostgres()
    try {
      expect(postgres.port).not.toBe(5432)
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
  }, 180_000)
})
