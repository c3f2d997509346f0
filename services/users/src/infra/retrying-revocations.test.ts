import { describe, expect, it } from 'vitest'
import type { RevocationEntry, RevocationList } from '../app/ports.js'
import { retryingRevocations } from './retrying-revocations.js'

function flakyList() {
  const added: RevocationEntry[] = []
  const state = { down: true }
  const list: RevocationList = {
    async add(entries) {
      if (state.down) throw new Error('Redis unreachable')
      added.push(...entries)
    },
    isRevoked: (token) =>
      added.some((entry) => entry.kind === 'session' && entry.sessionId === token.sessionId),
  }
  return { list, added, state }
}

const until = new Date('2030-01-01T00:15:00Z')

describe('retrying revocations', () => {
  it('keeps the entries an add could not deliver and delivers them once the list is back', async () => {
    const { list, added, state } = flakyList()
    const revocations = retryingRevocations(list)
    const entry: RevocationEntry = { kind: 'session', sessionId: 's-1', until }
    await expect(revocations.add([entry])).rejects.toThrow('Redis unreachable')
    expect(revocations.isRevoked({ userId: 'u', sessionId: 's-1' })).toBe(false)
    await expect(revocations.flush()).rejects.toThrow('Redis unreachable')
    expect(revocations.pending()).toBe(1)

    state.down = false
    await revocations.flush()
    expect(added).toEqual([entry])
    expect(revocations.pending()).toBe(0)
    expect(revocations.isRevoked({ userId: 'u', sessionId: 's-1' })).toBe(true)
    await revocations.flush()
    expect(added).toHaveLength(1)
  })
})
