// What setting a peer up from the npm registry takes, whichever peer (vendure.ts, medusa.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { servers } from '../lib/platform.js'
import { benchCache, freePort, run, waitForHttp, type Child } from '../lib/processes.js'

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

/**
 * The cache directory `<id>-<version>` with the peer's `packages`, installed with npm when
 * missing or outdated (a marker holds the manifest of the last finished install).
 */
export async function installPeer(peer: {
  id: string
  label: string
  version: string
  packages: Record<string, string>
  timeoutMs: number
}): Promise<string> {
  const dir = join(benchCache(), `${peer.id}-${peer.version}`)
  const manifest = JSON.stringify(
    { name: `emporium-bench-${peer.id}`, private: true, dependencies: peer.packages },
    null,
    2,
  )
  const marker = join(dir, 'installed.json')
  if (existsSync(marker) && readFileSync(marker, 'utf8') === manifest) return dir
  console.error(`bench: installing ${peer.label} ${peer.version} from npm into ${dir}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), manifest)
  await run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], {
    timeoutMs: peer.timeoutMs,
  })
  writeFileSync(marker, manifest)
  return dir
}

/** An empty database `name`, whatever was there before (a population that did not finish). */
export async function recreateDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`drop database if exists ${name} with (force)`))
  await admin((c) => c.query(`create database ${name}`))
}

/** Marks database `name` as filled to the end: later runs keep it (see `isPopulated`). */
export async function markPopulated(name: string): Promise<void> {
  await admin((c) => c.query('create table bench_populated (at timestamptz)'), name)
}

/** Whether database `name` exists and its population finished. */
export async function isPopulated(name: string): Promise<boolean> {
  const exists = await admin((c) => c.query('select 1 from pg_database where datname = $1', [name]))
  if (exists.rowCount === 0) return false
  return admin(async (c) => {
    const { rows } = await c.query<{ ready: boolean }>(
      `select to_regclass('public.bench_populated') is not null as ready`,
    )
    return rows[0]!.ready
  }, name)
}

/** Starts a peer's server on a spare port (`start`), and its origin once `/health` answers. */
export async function servePeer(
  start: (port: number) => Child | Promise<Child>,
): Promise<{ origin: string; child: Child }> {
  const port = await freePort()
  const child = await start(port)
  const origin = `http://127.0.0.1:${port}`
  await waitForHttp(`${origin}/health`, { child, timeoutMs: 180_000 })
  return { origin, child }
}

/** Waits for a one-off command of a peer to end (stopped after 10 min); throws unless it succeeded. */
export async function finished(child: Child, what: string): Promise<void> {
  const timeout = setTimeout(() => void child.stop(), 600_000)
  await child.exited
  clearTimeout(timeout)
  if (child.process.exitCode !== 0) throw new Error(`${what} failed:\n${child.tail(30)}`)
}
