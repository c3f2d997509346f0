import { createLogger } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import type { IdempotencyStore, OrderStore } from './ports.js'
import { createSweepDeadlines } from './sweep-deadlines.js'

describe('the deadline sweeper', () => {
  it('deletes expired keys at most once per purgeEveryMs, and again after the clock moved back', async () => {
    let clock = Date.UTC(2026, 11, 4)
    const purges: Date[] = []
    const sweep = createSweepDeadlines({
      orders: { forEachDue: async () => 0 } as unknown as OrderStore,
      keys: {
        purge: async (before: Date) => {
          purges.push(before)
          return 0
        },
      } as unknown as IdempotencyStore,
      now: () => new Date(clock),
      idempotencyTtlMs: 1_000,
      log: createLogger({ service: 'test', level: 'silent' }),
      purgeEveryMs: 60_000,
    })
    await sweep()
    clock += 59_999
    await sweep()
    expect(purges).toHaveLength(1)
    clock += 1
    await sweep()
    expect(purges.map((d) => d.getTime())).toEqual([
      Date.UTC(2026, 11, 4) - 1_000,
      Date.UTC(2026, 11, 4) + 60_000 - 1_000,
    ])
    clock -= 3_600_000 // set back an hour: counts as time passed
    await sweep()
    expect(purges).toHaveLength(3)
  })
})
