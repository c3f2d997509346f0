// Child processes of a benchmark: spawned in their own process group with output to a log file,
// waited for over HTTP, measured (RSS of the whole tree from /proc) and stopped for sure.
import { spawn, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { reservePort, reservePorts } from '@emporium/platform/testing'
import { onCleanup, trackGroup, untrackGroup } from './cleanup.js'

/** What benchmarks keep between runs (the production Node, Vendure): EMPORIUM_BENCH_CACHE moves it. */
export const benchCache = () =>
  process.env.EMPORIUM_BENCH_CACHE ?? join(homedir(), '.cache', 'emporium-bench')

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A scratch directory removed at cleanup. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `emporium-bench-${prefix}-`))
  onCleanup(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

let logDir: string | undefined
/** Where the children's output goes (kept until cleanup; shown when one fails). */
function logs(): string {
  // Made again after a benchmark's cleanup removed it.
  if (!logDir || !existsSync(logDir)) logDir = scratchDir('logs')
  return logDir
}

export interface Child {
  name: string
  pid: number
  process: ChildProcess
  logFile: string
  exited: Promise<void>
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<void>
  /** The last lines of its output. */
  tail(lines?: number): string
}

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Child {
  const logFile = join(logs(), `${name.replace(/[^\w.-]+/g, '_')}-${Date.now()}.log`)
  const fd = openSync(logFile, 'a')
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env as NodeJS.ProcessEnv | undefined,
    stdio: ['ignore', fd, fd],
    detached: true,
  })
  closeSync(fd)
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`)
  const pid = child.pid
  trackGroup(pid)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  void exited.then(() => untrackGroup(pid))
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal)
    } catch {
      // the group is gone
    }
  }
  let stopping: Promise<void> | undefined
  const handle: Child = {
    name,
    pid,
    process: child,
    logFile,
    exited,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        signalGroup('SIGTERM')
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
        signalGroup('SIGKILL') // helpers the leader left behind
        registration.forget()
      })()
      return stopping
    },
    tail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
      } catch {
        return ''
      }
    },
  }
  const registration = onCleanup(`stop ${name}`, () => handle.stop())
  return handle
}

let node = process.execPath

/**
 * The Node that runs the services, the bare references and the peers (`main.ts`: the production
 * Node of production-node.ts unless `--node current`); the embedded platform runs on this
 * process's own, as `npm start` does on a developer's machine.
 */
export function setRuntimeNode(path: string): void {
  node = path
}

export function runtimeNode(): string {
  return node
}

/** `node --import tsx <entry>` from the repository root, on the runtime Node unless told. */
export function spawnTsx(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
  options: { nodeArgs?: string[]; args?: string[]; node?: string } = {},
): Child {
  const argv = [...(options.nodeArgs ?? []), '--import', 'tsx', entry, ...(options.args ?? [])]
  return spawnChild(name, options.node ?? node, argv, { env: { ...process.env, ...env } })
}

/** Resolves once `url` answers 2xx; throws after the timeout or when the child exits. */
export async function waitForHttp(
  url: string,
  options: { timeoutMs?: number; child?: Child; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not listening yet
    }
    const child = options.child
    if (child && (child.process.exitCode !== null || child.process.signalCode !== null)) {
      throw new Error(`${child.name} exited before ${url} answered:\n${child.tail()}`)
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer in time${child ? `:\n${child.tail()}` : ''}`)
    }
    await sleep(options.intervalMs ?? 100)
  }
}

/** A free TCP port on 127.0.0.1, claimed against every test and bench run on the machine. */
export async function freePort(): Promise<number> {
  return reservePort()
}

/** The first of `count` consecutive free ports, claimed as `freePort` claims one. */
export async function freePorts(count: number): Promise<number> {
  return (await reservePorts(count)).base
}

interface ProcStat {
  ppid: number
  /** User plus system CPU time, seconds. */
  cpu: number
  rss: number
}

// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const ticks = 100

function procTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // The command name may hold spaces and parentheses: fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / ticks,
        rss: Number(fields[21]) * 4096,
      })
    } catch {
      // exited meanwhile
    }
  }
  return table
}

function treeSum(rootPid: number, pick: (stat: ProcStat) => number): number {
  const table = procTable()
  const children = new Map<number, number[]>()
  for (const [pid, stat] of table) {
    const list = children.get(stat.ppid) ?? []
    list.push(pid)
    children.set(stat.ppid, list)
  }
  let total = 0
  const queue = [rootPid]
  while (queue.length > 0) {
    const pid = queue.pop()!
    const stat = table.get(pid)
    if (stat) total += pick(stat)
    queue.push(...(children.get(pid) ?? []))
  }
  return total
}

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export function treeRss(rootPid: number): number {
  return treeSum(rootPid, (stat) => stat.rss)
}

/** CPU time (user + system) of one process so far, in seconds (0 once it is gone). */
export function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / ticks
  } catch {
    return 0
  }
}

/** CPU time (user + system) of a process and its live descendants so far, in seconds. */
export function treeCpu(rootPid: number): number {
  return treeSum(rootPid, (stat) => stat.cpu)
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
      : undefined
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out}`))
    })
    child.stdin.on('error', () => undefined) // a command that reads nothing may exit first
    child.stdin.end(options.input ?? '')
  })
}
