// The peers' report without a peer: skipped or failed to set up, the quoted figure stands in,
// labelled, and the peers' table says why. (Measuring Vendure itself is the benchmark's job.)
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

// A file where the cache directory should be: the set-up fails at once, with nothing installed.
const notADirectory = join(tmpdir(), `emporium-peers-test-${process.pid}`)
writeFileSync(notADirectory, '')
vi.stubEnv('EMPORIUM_BENCH_CACHE', notADirectory)
const { createPeers } = await import('./peers.js')
afterAll(() => {
  vi.unstubAllEnvs()
  rmSync(notADirectory, { force: true })
})

const listings = [
  { mode: 'distributed', products: '1k', scenario: 'list 20 newest', rps: 960 },
  { mode: 'distributed', products: '1k', scenario: 'search 20', rps: 500 },
]

describe('peers report', () => {
  it('falls back to the quoted figure, labelled, when the peers are skipped', async () => {
    const peers = createPeers({ enabled: false, seconds: 3, connections: 50 })
    await peers.measureVendure()
    const report = peers.report(listings)
    expect(report.ratios).toEqual([
      {
        name: "distributed 1k: list 20 newest (gateway) / Vendure's quoted 48 req/s",
        value: 20,
        unit: '×',
        target: { op: '>=', value: 50 },
        note: "the issue's quoted figure, not measured here: Vendure skipped (--skip-peers)",
      },
    ])
    const rows = report.tables[0]!.rows
    expect(rows.map((row) => row[0])).toEqual(['Vendure 3.7.3', 'Medusa 2.21.2'])
    expect(rows.map((row) => row[2])).toEqual(['skipped (--skip-peers)', 'skipped (--skip-peers)'])
  })

  it('says why when the peers cannot be set up, and measures nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const peers = createPeers({ enabled: true, seconds: 3, connections: 50 })
    await peers.measureVendure()
    await peers.measureMedusa()
    const report = peers.report(listings)
    errors.mockRestore()
    const rows = report.tables[0]!.rows
    expect(rows.map((row) => row[0])).toEqual(['Vendure 3.7.3', 'Medusa 2.21.2'])
    for (const row of rows) expect(row[2]).toMatch(/^could not be set up or measured: ENOTDIR/)
    expect(report.ratios).toHaveLength(1)
    expect(report.ratios[0]!.note).toMatch(/quoted figure, not measured here: Vendure could not/)
    expect(report.notes).toEqual([])
  })
})
