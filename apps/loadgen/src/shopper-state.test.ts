import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadShoppers, saveShoppers } from './shopper-state.js'

describe('shopper state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-state-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps shoppers per target, private to its owner', async () => {
    const path = join(dir, 'nested', 'shoppers.json')
    expect(await loadShoppers(path, 'http://a/api/v1')).toEqual([])
    await saveShoppers(path, 'http://a/api/v1', [
      { email: 'a@x', password: 'p', refreshToken: 'r' },
    ])
    await saveShoppers(path, 'http://b/api/v1', [{ email: 'b@x', password: 'q' }])
    expect(await loadShoppers(path, 'http://a/api/v1')).toEqual([
      { email: 'a@x', password: 'p', refreshToken: 'r' },
    ])
    expect(await loadShoppers(path, 'http://b/api/v1')).toEqual([{ email: 'b@x', password: 'q' }])
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('starts afresh from a broken file', async () => {
    const path = join(dir, 'broken.json')
    writeFileSync(path, '{not json')
    expect(await loadShoppers(path, 'http://a/api/v1')).toEqual([])
    await saveShoppers(path, 'http://a/api/v1', [{ email: 'a@x', password: 'p' }])
    expect(await loadShoppers(path, 'http://a/api/v1')).toHaveLength(1)
  })
})
