import { describe, expect, it } from 'vitest'
import { clearingOnWrite, createKeptReads } from './kept-reads.js'

/** A source of versioned values that counts its reads per key. */
function source() {
  const state = { version: 0, reads: new Map<string, number>() }
  const read = async (key: string) => {
    state.reads.set(key, (state.reads.get(key) ?? 0) + 1)
    return `${key}@${state.version}`
  }
  return { read, state }
}

describe('kept reads', () => {
  it('keeps each key for the ttl, and forgets every key once a change emptied it', async () => {
    let clock = 0
    const { read, state } = source()
    const kept = createKeptReads({ read, ttlMs: 1_000, now: () => clock })
    expect(await kept.get('DE')).toBe('DE@0')
    expect(await kept.get('FR')).toBe('FR@0')
    clock = 999
    state.version = 1
    expect(await kept.get('DE')).toBe('DE@0')
    expect(state.reads.get('DE')).toBe(1)
    clock = 1_000
    expect(await kept.get('DE')).toBe('DE@1')
    kept.clear()
    state.version = 2
    expect(await kept.get('FR')).toBe('FR@2')
    expect(state.reads).toEqual(
      new Map([
        ['DE', 2],
        ['FR', 2],
      ]),
    )
  })

  it('keeps at most maxKeys keys, the oldest going first; nothing with a ttl of 0', async () => {
    const { read, state } = source()
    const kept = createKeptReads({ read, ttlMs: 60_000, now: () => 0, maxKeys: 2 })
    for (const key of ['a', 'b', 'c', 'b', 'c', 'a']) await kept.get(key)
    // a went when c came; b and c stayed
    expect(state.reads).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
        ['c', 1],
      ]),
    )
    const none = createKeptReads({ read, ttlMs: 0, now: () => 0 })
    await none.get('z')
    await none.get('z')
    expect(state.reads.get('z')).toBe(2)
  })

  it('does not keep a read that a change overtook', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let version = 0
    const kept = createKeptReads({
      read: async (key: string) => {
        const seen = version
        if (seen === 0) await held
        return `${key}@${seen}`
      },
      ttlMs: 60_000,
      now: () => 0,
    })
    const early = kept.get('k')
    version = 1
    kept.clear() // committed while the read was in flight
    release()
    expect(await early).toBe('k@0')
    expect(await kept.get('k')).toBe('k@1')
  })

  it('is emptied by the named writes, failed ones too, and not by other methods', async () => {
    let clears = 0
    const store = {
      forCountry: async () => [],
      upsert: async () => 'stored',
      remove: async () => {
        throw new Error('deadlock')
      },
    }
    const wrapped = clearingOnWrite(store, ['upsert', 'remove'], { clear: () => clears++ })
    await wrapped.forCountry()
    expect(clears).toBe(0)
    expect(await wrapped.upsert()).toBe('stored')
    await expect(wrapped.remove()).rejects.toThrow('deadlock')
    expect(clears).toBe(2)
  })
})
