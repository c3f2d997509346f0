import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { waitFor } from '../messaging/bus-conformance.js'
import { testServers } from '../testing/test-databases.js'
import { createRedisRevocationList } from './redis-revocations.js'

describe('Redis revocation list', () => {
  const key = `emporium:test-revocations:${randomUUID()}`
  const lists: Array<{ close(): Promise<void> }> = []
  afterAll(async () => {
    await Promise.all(lists.map((list) => list.close()))
  })
  const open = (url = testServers.redis, syncMs = 200) => {
    const list = createRedisRevocationList({ url, key, syncMs })
    lists.push(list)
    return list
  }

  it('an entry one process adds reaches another within its sync period; a newcomer reads them all', async () => {
    const writer = open()
    const reader = open()
    const until = new Date(Date.now() + 60_000)
    const sessionId = randomUUID()
    expect(reader.isRevoked({ userId: 'u', sessionId })).toBe(false)
    await writer.add([{ kind: 'session', sessionId, until }])
    expect(writer.isRevoked({ userId: 'u', sessionId })).toBe(true)
    await waitFor(
      'the reader to see it',
      () => reader.isRevoked({ userId: 'u', sessionId }),
      10_000,
    )
    await writer.add([{ kind: 'user', userId: 'u-2', before: new Date(), until }])
    await waitFor('the account entry', () => reader.isRevoked({ userId: 'u-2' }), 10_000)
    const late = open()
    await late.sync()
    expect(late.isRevoked({ userId: 'u', sessionId })).toBe(true)
    expect(late.isRevoked({ userId: 'u-2', issuedAt: new Date(Date.now() + 5000) })).toBe(false)
  })

  it('fails open while Redis is unreachable: checks answer from what is known, adding fails', async () => {
    const list = open('redis://127.0.0.1:1/0', 100)
    await list.sync()
    expect(list.stale()).toBe(true)
    expect(list.isRevoked({ userId: 'u', sessionId: 's' })).toBe(false)
    await expect(
      list.add([{ kind: 'session', sessionId: 's', until: new Date(Date.now() + 1000) }]),
    ).rejects.toBeDefined()
  })
})
