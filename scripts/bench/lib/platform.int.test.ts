import { randomBytes } from 'node:crypto'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from './processes.js'
import { scratchRunStarted, servers, sweepLeftovers } from './platform.js'

// A bench run killed before its cleanup leaves its scratch databases and vhost on the shared
// servers; the next `npm run bench` removes those of runs older than a day, and nothing else.

const idAt = (time: number) => `${time.toString(36)}${randomBytes(2).toString('hex')}`
const old = `emporium_bench_${idAt(Date.now() - 2 * 24 * 60 * 60 * 1_000)}`
const recent = `emporium_bench_${idAt(Date.now() - 60_000)}`

async function postgres<T extends pg.QueryResultRow>(statement: string, values: unknown[] = []) {
  const client = new pg.Client(servers.postgresAdmin)
  await client.connect()
  try {
    return (await client.query<T>(statement, values)).rows
  } finally {
    await client.end()
  }
}

async function mariadb(statement: string): Promise<unknown> {
  const connection = await mysql.createConnection(servers.mysqlAdmin)
  try {
    return (await connection.query(statement))[0]
  } finally {
    await connection.end()
  }
}

const vhosts = async () =>
  (await run('rabbitmqctl', ['-q', 'list_vhosts', 'name'], { timeoutMs: 60_000 }))
    .split('\n')
    .map((line) => line.trim())

describe('bench: scratch names', () => {
  it("reads a run's start from its scratch names, and nothing from other names", () => {
    const time = Date.UTC(2026, 11, 5, 12)
    const id = idAt(time)
    expect(scratchRunStarted(`emporium_bench_${id}_catalog`)?.getTime()).toBe(time)
    expect(scratchRunStarted(`emporium_bench_${id}`)?.getTime()).toBe(time)
    for (const other of ['emporium_catalog', 'emporium_bench_', 'emporium_bench_abc', 'postgres']) {
      expect(scratchRunStarted(other), other).toBeUndefined()
    }
  })
})

describe('bench: leftovers of killed runs', () => {
  afterAll(async () => {
    for (const name of [old, recent]) {
      await postgres(`drop database if exists ${name}_catalog with (force)`)
      await mariadb(`drop database if exists ${name}_users`)
      await run('rabbitmqctl', ['-q', 'delete_vhost', name], { timeoutMs: 60_000 }).catch(() => '')
    }
  })

  it('removes the databases and vhosts of runs older than a day, and keeps a recent run’s', async () => {
    for (const name of [old, recent]) {
      await postgres(`create database ${name}_catalog`)
      await mariadb(`create database ${name}_users`)
      await run('rabbitmqctl', ['-q', 'add_vhost', name], { timeoutMs: 60_000 })
    }
    const removed = await sweepLeftovers()
    expect(removed).toEqual(
      expect.arrayContaining([
        `PostgreSQL ${old}_catalog`,
        `MariaDB ${old}_users`,
        `RabbitMQ ${old}`,
      ]),
    )
    expect(removed.filter((r) => r.includes(recent))).toEqual([])
    const databases = (await postgres<{ datname: string }>(`select datname from pg_database`)).map(
      (r) => r.datname,
    )
    expect(databases).toContain(`${recent}_catalog`)
    expect(databases).not.toContain(`${old}_catalog`)
    const schemas = ((await mariadb('show databases')) as Array<{ Database: string }>).map(
      (r) => r.Database,
    )
    expect(schemas).toContain(`${recent}_users`)
    expect(schemas).not.toContain(`${old}_users`)
    const hosts = await vhosts()
    expect(hosts).toContain(recent)
    expect(hosts).not.toContain(old)
  }, 180_000)
})
