import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('removeItem', () => {
  it('removes a line, and removing it again changes nothing', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect((await s.removeItem('u1', 'a')).items).toEqual([])
    expect((await s.removeItem('u1', 'a')).items).toEqual([])
  })
})
