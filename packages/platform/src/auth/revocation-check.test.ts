import { afterEach, describe, expect, it } from 'vitest'
import { createProcessRevocationList } from './revocation-check.js'

const lists: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(lists.splice(0).map((list) => list.close()))
})

describe('createProcessRevocationList', () => {
  it('hands an entry added by one view to every other view of the channel (as between threads)', async () => {
    const channel = `test:revocations:${Math.random()}`
    const users = createProcessRevocationList(channel)
    const gateway = createProcessRevocationList(channel)
    const elsewhere = createProcessRevocationList(`${channel}:other`)
    lists.push(users, gateway, elsewhere)
    const until = new Date(Date.now() + 60_000)
    await users.add([{ kind: 'session', sessionId: 's1', until }])

    expect(users.isRevoked({ userId: 'u1', sessionId: 's1' })).toBe(true)
    await expect.poll(() => gateway.isRevoked({ userId: 'u1', sessionId: 's1' })).toBe(true)
    // Dates survive the structured clone: an account's entry compares issue times.
    await gateway.add([{ kind: 'user', userId: 'u2', before: new Date(Date.now()), until }])
    await expect
      .poll(() => users.isRevoked({ userId: 'u2', issuedAt: new Date(Date.now() - 1_000) }))
      .toBe(true)
    expect(users.isRevoked({ userId: 'u2', issuedAt: new Date(Date.now() + 5_000) })).toBe(false)
    // Another channel hears nothing.
    expect(elsewhere.size()).toBe(0)
  })
})
