import pg from 'pg'
import { servers } from '../lib/platform.js'

/** Runs `work` on a connection of the benchmark's PostgreSQL administrator, to `db` if named. */
export async function admin<T>(work: (client: pg.Client) => Promise<T>, db?: string): Promise<T> {
  const url = new URL(servers.postgresAdmin)
  if (db) url.pathname = `/${db}`
  const client = new pg.Client(url.toString())
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}
