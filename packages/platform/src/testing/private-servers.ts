import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { openDatabase } from '../db/open-database.js'
import { reservePorts } from './port-blocks.js'
import { withDatabaseName, type TestDatabase } from './test-databases.js'

// Servers of a test's own, for the tests that stop, kill or restart a server: a RabbitMQ node
// and a PostgreSQL cluster in a private temporary folder on spare ports. Stopping them never
// touches the servers a developer runs on the machine (those `npm run infra:up` starts).
// Their ports come from `reservePorts` (below the kernel's ephemeral range, claimed against the
// run's other tests), never from a socket bound to port 0: such a port is in the ephemeral range,
// and any outgoing connection of the machine may take it before the server binds it, or while a
// test has the server stopped. A private RabbitMQ node started that way once died at boot in CI.

const run = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The uid and gid of a system user, or undefined when there is no such user. */
function idsOf(user: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', user], { stdio: 'pipe' }).toString().trim())
    const gid = Number(execFileSync('id', ['-g', user], { stdio: 'pipe' }).toString().trim())
    return { uid, gid }
  } catch {
    return undefined
  }
}

/** Hands a folder (and everything in it) to the user a server runs as, when we are root. */
function chownTree(dir: string, owner: { uid: number; gid: number } | undefined) {
  if (!owner) return
  chownSync(dir, owner.uid, owner.gid)
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) chownTree(path, owner)
    else chownSync(path, owner.uid, owner.gid)
  }
}

/**
 * Runs `fn` when this process exits before `cancel()` is called: a test that died half-way
 * (an uncaught error, Ctrl-C) still shuts its servers down. Synchronous, as `exit` wants.
 */
function onExit(fn: () => void): () => void {
  const handler = () => {
    try {
      fn()
    } catch {
      // nothing more to do on the way out
    }
  }
  process.once('exit', handler)
  return () => process.off('exit', handler)
}

export interface PrivateRabbitMq {
  /** `amqp://guest:guest@127.0.0.1:<port>`: the default vhost, guest allowed from loopback. */
  url: string
  /** The node's name, for `rabbitmqctl -n`. */
  node: string
  port: number
  /** `rabbitmqctl -n <node> <args>`; resolves to its standard output. */
  ctl(...args: string[]): Promise<string>
  /** Stops the RabbitMQ application (the Erlang node stays up): every connection is cut. */
  stopApp(): Promise<void>
  /** Starts the application again and waits until it serves. */
  startApp(): Promise<void>
  /** Shuts the node down and removes its folder. */
  stop(): Promise<void>
}

/**
 * Starts a RabbitMQ node of its own (`rabbitmq-server -detached`) with its data, logs and
 * configuration in a temporary folder, no plugins, listening on a spare port of 127.0.0.1.
 * `rabbitmqctl` reaches it by name with the cookie of the user it runs as: the caller's own,
 * or when the caller is root, the `rabbitmq` user's (the Debian wrapper runs both as that user).
 */
export async function startPrivateRabbitMq(): Promise<PrivateRabbitMq> {
  // A node that fails to boot is tried once more on other ports, in a new folder: its first
  // failure goes to the standard error with the node's own log, so it is seen, not hidden.
  try {
    return await startRabbitMqNode()
  } catch (error) {
    process.stderr.write(
      `a private RabbitMQ node did not start; trying once more: ${String(error)}\n`,
    )
    return startRabbitMqNode()
  }
}

/** The last lines of every log file in `folder` (a RabbitMQ node's logs), for an error. */
function logTail(folder: string, chars = 4_000): string {
  try {
    return readdirSync(folder)
      .map((name) => `--- ${name}\n${readFileSync(join(folder, name), 'utf8').slice(-chars)}`)
      .join('\n')
  } catch {
    return `(no log in ${folder})`
  }
}

async function startRabbitMqNode(): Promise<PrivateRabbitMq> {
  const dir = mkdtempSync(join(tmpdir(), 'emporium-rabbitmq-'))
  const node = `emporium-test-${randomBytes(4).toString('hex')}@localhost`
  const ports = await reservePorts(2)
  const port = ports.base
  const distPort = ports.base + 1
  const config = join(dir, 'rabbitmq.conf')
  // Its own configuration, not /etc/rabbitmq's: that one listens on the machine's port 5672.
  writeFileSync(
    config,
    [`listeners.tcp.local = 127.0.0.1:${port}`, 'loopback_users.guest = true', ''].join('\n'),
  )
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n')
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: config,
  }
  const isRoot = process.getuid?.() === 0
  chownTree(dir, isRoot ? idsOf('rabbitmq') : undefined)

  const ctlArgs = (args: string[]) => ['-n', node, ...args]
  const ctl = async (...args: string[]) =>
    (await run('rabbitmqctl', ctlArgs(args), { timeout: 120_000 })).stdout
  const ctlSync = (...args: string[]) =>
    execFileSync('rabbitmqctl', ctlArgs(args), { stdio: 'pipe', timeout: 60_000 })
  const remove = () => {
    rmSync(dir, { recursive: true, force: true })
    ports.release()
  }
  const cancelExit = onExit(() => {
    try {
      ctlSync('shutdown')
    } finally {
      remove()
    }
  })
  const awaitStartup = async (timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try {
        await ctl('-q', 'await_startup', '--timeout', '30')
        return
      } catch (error) {
        // The node may not have registered with epmd yet: rabbitmqctl cannot reach it.
        if (Date.now() > deadline) {
          if (error instanceof Error)
            error.message += `\nthe node's log (${join(dir, 'log')}):\n${logTail(join(dir, 'log'))}`
          throw error
        }
        await sleep(500)
      }
    }
  }

  try {
    await run('rabbitmq-server', ['-detached'], { env, timeout: 60_000, cwd: dir })
    await awaitStartup()
  } catch (error) {
    await ctl('shutdown').catch(() => undefined)
    cancelExit()
    remove()
    throw error
  }

  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    node,
    port,
    ctl,
    async stopApp() {
      await ctl('stop_app')
    },
    async startApp() {
      await ctl('start_app')
      await awaitStartup()
    },
    async stop() {
      cancelExit()
      try {
        await ctl('shutdown')
      } finally {
        remove()
      }
    },
  }
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>` (trust authentication); add `/<database>`. */
  url: string
  port: number
  /** A new database on this server, named `name`. */
  createDatabase(name: string): Promise<TestDatabase>
  /** Stops the server (`pg_ctl -m fast`: open transactions roll back, clients are cut). */
  stop(): Promise<void>
  /** Starts it again on the same folder and port, and waits until it accepts connections. */
  start(): Promise<void>
  /** Stops it if it runs and removes its folder. */
  destroy(): Promise<void>
}

/** The folder of the newest PostgreSQL installed the Debian way, else undefined (use PATH). */
function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(base, versions[0], 'bin') : undefined
}

/**
 * Starts a PostgreSQL cluster of its own: `initdb` into a temporary folder (trust
 * authentication, user `postgres`), served on a spare port of 127.0.0.1 with its socket in that
 * folder. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'emporium-postgres-'))
  const data = join(dir, 'data')
  const block = await reservePorts(1)
  const port = block.base
  const bin = postgresBin()
  const tool = (name: string) => (bin ? join(bin, name) : name)
  const isRoot = process.getuid?.() === 0
  const owner = isRoot ? idsOf('postgres') : undefined
  if (isRoot && !owner) throw new Error('running as root, and there is no postgres user to run as')
  const command = (name: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', 'postgres', '--', tool(name), ...args]] : [tool(name), args]
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`
  const pgCtl = async (...args: string[]) => {
    const [file, argv] = command('pg_ctl', ['-D', data, ...args])
    await run(file, argv, { timeout: 120_000 })
  }
  const pgCtlSync = (...args: string[]) => {
    const [file, argv] = command('pg_ctl', ['-D', data, ...args])
    execFileSync(file, argv, { stdio: 'pipe', timeout: 60_000 })
  }
  const start = () => pgCtl('-o', options, '-l', join(dir, 'server.log'), '-w', 'start')
  const remove = () => {
    rmSync(dir, { recursive: true, force: true })
    block.release()
  }
  const cancelExit = onExit(() => {
    try {
      pgCtlSync('-m', 'immediate', 'stop')
    } finally {
      remove()
    }
  })
  const url = `postgres://postgres@127.0.0.1:${port}`

  try {
    chownTree(dir, owner)
    const [file, argv] = command('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
    ])
    await run(file, argv, { timeout: 120_000, cwd: dir })
    await start()
  } catch (error) {
    await pgCtl('-m', 'immediate', 'stop').catch(() => undefined)
    cancelExit()
    remove()
    throw error
  }

  return {
    url,
    port,
    async createDatabase(name: string): Promise<TestDatabase> {
      const admin = await openDatabase(`${url}/postgres`, { poolSize: 1 })
      const { sql } = await import('kysely')
      try {
        await sql.raw(`create database ${name}`).execute(admin.db)
      } finally {
        await admin.close()
      }
      const databaseUrl = withDatabaseName(url, name)
      const database = await openDatabase(databaseUrl)
      return {
        url: databaseUrl,
        database,
        async drop() {
          await database.close()
          const again = await openDatabase(`${url}/postgres`, { poolSize: 1 })
          try {
            await sql.raw(`drop database if exists ${name} with (force)`).execute(again.db)
          } finally {
            await again.close()
          }
        },
      }
    },
    async stop() {
      await pgCtl('-m', 'fast', '-w', 'stop')
    },
    start,
    async destroy() {
      cancelExit()
      try {
        await pgCtl('-m', 'fast', '-w', 'stop').catch(() => undefined)
      } finally {
        remove()
      }
    },
  }
}

export interface PrivateNats {
  /** `nats://127.0.0.1:<port>` */
  url: string
  port: number
  /** Whether this nats-server fsyncs before each acknowledgement (`sync_interval: always`). */
  syncAlways: boolean
  /** Kills the server at once (SIGKILL): nothing flushed, no goodbye to its clients. */
  kill(): Promise<void>
  /**
   * Stops the server (SIGTERM): it writes what it acknowledged, then exits. For a server without
   * `sync_interval: always` (before 2.10) a SIGKILL loses messages it acknowledged but had not
   * written yet (docs/messaging.md, "Choosing a broker"), which no client can make up for.
   */
  stop(): Promise<void>
  /**
   * The harshest end that loses nothing the server acknowledged: `kill()` when it fsyncs before
   * each acknowledgement, else `stop()`; `how` names it.
   */
  crash(): Promise<void>
  how: 'SIGKILL' | 'SIGTERM'
  /** Starts it again on the same folder and port, and waits until it accepts connections. */
  start(): Promise<void>
  /** Deletes its store (while it is killed): the next start has no streams, as a fresh server. */
  wipe(): void
  /** Kills it if it runs and removes its folder. */
  destroy(): Promise<void>
}

const natsServer = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server'

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

/**
 * Starts a nats-server of its own with JetStream, its store in a temporary folder, on a spare
 * port of 127.0.0.1; with `sync_interval: always` when this nats-server knows the setting
 * (2.10 and later), as `npm run infra:up` starts the shared one.
 */
export async function startPrivateNats(): Promise<PrivateNats> {
  const dir = mkdtempSync(join(tmpdir(), 'emporium-nats-'))
  const block = await reservePorts(1)
  const port = block.base
  const remove = () => {
    rmSync(dir, { recursive: true, force: true })
    block.release()
  }
  const config = join(dir, 'nats.conf')
  writeFileSync(
    config,
    `jetstream {\n  store_dir: "${join(dir, 'store')}"\n  sync_interval: always\n}\n`,
  )
  let syncAlways = true
  try {
    execFileSync(natsServer, ['-c', config, '-t'], { stdio: 'pipe' })
  } catch {
    syncAlways = false
    writeFileSync(config, `jetstream {\n  store_dir: "${join(dir, 'store')}"\n}\n`)
  }
  let child: ChildProcess | undefined
  const killNow = () => {
    child?.kill('SIGKILL')
  }
  const cancelExit = onExit(() => {
    killNow()
    remove()
  })
  const end = async (signal: 'SIGKILL' | 'SIGTERM') => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill(signal)
    await exited
  }
  const kill = () => end('SIGKILL')
  const how = syncAlways ? 'SIGKILL' : 'SIGTERM'
  const start = async () => {
    const server = spawn(natsServer, ['-c', config, '-a', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child = server
    let log = ''
    server.stderr?.on(
      'data',
      (chunk: Buffer) => void (log = (log + chunk.toString()).slice(-4_000)),
    )
    const deadline = Date.now() + 30_000
    while (!(await portAnswers(port))) {
      if (server.exitCode !== null) throw new Error(`nats-server exited:\n${log}`)
      if (Date.now() > deadline) throw new Error(`nats-server did not answer on ${port}:\n${log}`)
      await sleep(50)
    }
  }
  try {
    await start()
  } catch (error) {
    await kill()
    cancelExit()
    remove()
    throw error
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    syncAlways,
    kill,
    stop: () => end('SIGTERM'),
    crash: () => end(how),
    how,
    start,
    wipe: () => rmSync(join(dir, 'store'), { recursive: true, force: true }),
    async destroy() {
      await kill()
      cancelExit()
      remove()
    },
  }
}
