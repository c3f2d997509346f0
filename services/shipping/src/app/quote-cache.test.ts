import { describe, expect, it } from 'vitest'
import type { Method, MethodStore, QuoteSource, Zone } from './ports.js'
import { clearingOnWrite, createQuoteCache } from './quote-cache.js'

/** A source that counts its reads; `release` lets a held read finish. */
function countingSource() {
  const state = { reads: 0, version: 0, hold: undefined as Promise<void> | undefined }
  const source: QuoteSource = {
    async zonesAndActiveMethods() {
      state.reads++
      const version = state.version
      await state.hold
      return { zones: [{ id: `v${version}` } as unknown as Zone], methods: [] as Method[] }
    },
  }
  return { source, state }
}

describe('the quote cache', () => {
  it('reads once per ttl, and again once a change emptied it', async () => {
    let clock = 0
    const { source, state } = countingSource()
    const cache = createQuoteCache({ source, ttlMs: 1_000, now: () => clock })
    await cache.zonesAndActiveMethods()
    clock = 999
    await cache.zonesAndActiveMethods()
    expect(state.reads).toBe(1)
    clock = 1_000
    await cache.zonesAndActiveMethods()
    expect(state.reads).toBe(2)
    state.version = 1
    cache.clear()
    expect((await cache.zonesAndActiveMethods()).zones[0]!.id).toBe('v1')
    expect(state.reads).toBe(3)
  })

  it('does not keep a read that a change overtook', async () => {
    const { source, state } = countingSource()
    const cache = createQuoteCache({ source, ttlMs: 60_000, now: () => 0 })
    let release!: () => void
    state.hold = new Promise((resolve) => (release = resolve))
    const early = cache.zonesAndActiveMethods()
    state.version = 1
    cache.clear() // committed while the read was in flight
    release()
    expect((await early).zones[0]!.id).toBe('v0')
    state.hold = undefined
    expect((await cache.zonesAndActiveMethods()).zones[0]!.id).toBe('v1')
  })

  it('reads every time with a ttl of 0', async () => {
    const { source, state } = countingSource()
    const cache = createQuoteCache({ source, ttlMs: 0, now: () => 0 })
    await cache.zonesAndActiveMethods()
    await cache.zonesAndActiveMethods()
    expect(state.reads).toBe(2)
  })

  it('is emptied by a store’s writes, also failed ones, and not by its reads', async () => {
    let clears = 0
    const store = {
      list: async () => [],
      get: async () => undefined,
      create: async () => 'created' as const,
      update: async () => 'not_found' as const,
      delete: async () => {
        throw new Error('deadlock')
      },
    } as unknown as MethodStore
    const wrapped = clearingOnWrite(store, { clear: () => clears++ })
    await wrapped.list({})
    await wrapped.get('m')
    expect(clears).toBe(0)
    expect(await wrapped.create({} as Method, new Date())).toBe('created')
    await wrapped.update('m', (m) => m, new Date())
    await expect(wrapped.delete('m')).rejects.toThrow('deadlock')
    expect(clears).toBe(3)
  })
})
