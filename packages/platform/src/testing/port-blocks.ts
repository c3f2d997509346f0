import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Consecutive ports for a test's own processes (an embedded platform takes 8, a distributed one
// up to 16). Picking them at random from fixed ranges collided twice in CI: with another test
// file's block running in parallel, and with the kernel's ephemeral range (32768-60999 here),
// from which every outgoing connection takes a local port at any moment. So a block is taken
// below the ephemeral range, each of its ports is checked free by binding it, and each is
// claimed by an exclusive directory in the temporary folder, which every test worker and every
// process of a run sees: no two test files get the same port while their claims last.

const claims = join(tmpdir(), 'emporium-port-claims')
/** A claim older than this is from a run that ended without releasing it. */
const claimLifetimeMs = 2 * 60 * 60 * 1000
const lowest = 10_000
/** Ports the machine's own servers use (PostgreSQL, MariaDB, Redis, RabbitMQ, NATS…). */
const reserved = new Set([15672, 25672, 4369, 5432, 3306, 6379, 5672, 4222, 8222, 6222])

/** The first port of the kernel's ephemeral range (ports below it are never handed out). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    )
    return Number.isInteger(low) && low > lowest + 1000 ? low : 32_768
  } catch {
    return 32_768
  }
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/** Claims `port` for this run: false when a live claim of another test holds it. */
function claim(port: number): boolean {
  const path = join(claims, String(port))
  try {
    mkdirSync(path)
    return true
  } catch {
    try {
      if (Date.now() - statSync(path).mtimeMs < claimLifetimeMs) return false
      rmSync(path, { recursive: true, force: true })
      mkdirSync(path)
      return true
    } catch {
      return false
    }
  }
}

function release(ports: number[]): void {
  for (const port of ports) rmSync(join(claims, String(port)), { recursive: true, force: true })
}

/** A block of ports reserved by `reservePorts`; `release` gives them back (optional: claims expire). */
export interface PortBlock {
  /** The first port; the block is `base` … `base + count - 1`. */
  base: number
  release(): void
}

/**
 * `count` consecutive ports on 127.0.0.1, free now, below the ephemeral range and claimed
 * against every other test of the machine for two hours or until released.
 */
export async function reservePorts(count: number): Promise<PortBlock> {
  mkdirSync(claims, { recursive: true })
  const highest = ephemeralLow() - count
  for (let attempt = 0; attempt < 500; attempt++) {
    const base = lowest + Math.floor(Math.random() * (highest - lowest))
    const ports = Array.from({ length: count }, (_, i) => base + i)
    if (ports.some((p) => reserved.has(p))) continue
    const claimed: number[] = []
    for (const port of ports) {
      if (!claim(port)) break
      claimed.push(port)
    }
    if (claimed.length === count) {
      let free = true
      for (const port of ports) if (!(free = await bindable(port))) break
      if (free) return { base, release: () => release(ports) }
    }
    release(claimed)
  }
  throw new Error(`no ${count} consecutive free ports below ${ephemeralLow()}`)
}

/** One port reserved as `reservePorts(1)` does. */
export async function reservePort(): Promise<number> {
  return (await reservePorts(1)).base
}
