// Tools the benchmarks need (wrk, nginx: Debian packages, installed with apt when missing) and
// the description of the machine that goes with every set of figures.
import { existsSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import pg from 'pg'
import { run } from './processes.js'
import { servers } from './platform.js'

export async function ensurePackage(name: string, binary: string): Promise<void> {
  if (existsSync(binary)) return
  console.error(`bench: ${binary} is missing: apt-get install ${name}`)
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', name], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 600_000,
    })
  } catch (error) {
    throw new Error(
      `could not install ${name} (run \`apt-get install ${name}\` as root): ${(error as Error).message}`,
    )
  }
  if (!existsSync(binary)) throw new Error(`${name} installed but ${binary} is still missing`)
}

export interface Machine {
  date: string
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  postgres: string
  /** 1-minute load average when the run started: others' work on a shared machine. */
  loadAverage: number
}

export async function describeMachine(): Promise<Machine> {
  let postgres = 'unknown'
  try {
    const client = new pg.Client(servers.postgresAdmin)
    await client.connect()
    const { rows } = await client.query<{ server_version: string }>('show server_version')
    postgres = rows[0]?.server_version.split(' ')[0] ?? postgres
    await client.end()
  } catch {
    // not reachable: the benchmarks that need it will say so
  }
  const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  return {
    date: new Date().toISOString(),
    cpus: Number((await run('nproc', [])).trim()) || cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    loadAverage: load,
  }
}
