import { describe, expect, it } from 'vitest'
import { createArgon2Hasher } from './argon2-hasher.js'

describe('argon2 hasher', () => {
  it('hashes with argon2id at the library defaults, salted, and verifies', async () => {
    const hasher = createArgon2Hasher()
    const hash = await hasher.hash('correct horse battery')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await hasher.hash('correct horse battery')).not.toBe(hash)
    expect(await hasher.verify(hash, 'correct horse battery')).toBe(true)
    expect(await hasher.verify(hash, 'wrong')).toBe(false)
  })

  it('takes a cheaper cost for tests, and answers false for a malformed hash', async () => {
    const hasher = createArgon2Hasher({ memoryCost: 1024, timeCost: 1 })
    const hash = await hasher.hash('pw')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    expect(await hasher.verify('not a hash', 'pw')).toBe(false)
  })
})
