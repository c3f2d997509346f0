import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { reservePorts } from './port-blocks.js'

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
)
const claimOf = (port: number) => join(tmpdir(), 'emporium-port-claims', String(port))

describe('reservePorts', () => {
  it('gives blocks that never overlap, below the ephemeral range, each claimed until released', async () => {
    const blocks = await Promise.all(Array.from({ length: 60 }, () => reservePorts(16)))
    const ports = blocks.flatMap((b) => Array.from({ length: 16 }, (_, i) => b.base + i))
    expect(new Set(ports).size).toBe(ports.length)
    expect(Math.max(...ports)).toBeLessThan(ephemeralLow)
    expect(ports.every((p) => existsSync(claimOf(p)))).toBe(true)
    for (const block of blocks) block.release()
    expect(ports.some((p) => existsSync(claimOf(p)))).toBe(false)
  })

  it('never gives a port something listens on, claimed or not', async () => {
    // 300 ports of the range listened on (taken through reservePorts so that no other test
    // gets them), their claims then dropped: only the check by binding keeps them out. A block
    // of 100 crosses one of them in most of its tries.
    const singles = await Promise.all(Array.from({ length: 300 }, () => reservePorts(1)))
    const servers = await Promise.all(
      singles.map(
        (single) =>
          new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
            const server = createServer()
            server.once('error', reject)
            server.listen(single.base, '127.0.0.1', () => resolve(server))
          }),
      ),
    )
    for (const single of singles) single.release()
    const listening = new Set(singles.map((s) => s.base))
    try {
      const blocks = await Promise.all(Array.from({ length: 10 }, () => reservePorts(100)))
      for (const block of blocks) {
        for (let p = block.base; p < block.base + 100; p++) expect(listening.has(p)).toBe(false)
        block.release()
      }
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
    }
  })
})
