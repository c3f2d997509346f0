import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  clearDraft,
  guestDraftId,
  loadDraft,
  saveDraft,
  type CheckoutDraft,
} from './checkout-draft'

/** A sessionStorage of the test's own (Node has none). */
function memoryStorage(): Storage {
  const items = new Map<string, string>()
  return {
    get length() {
      return items.size
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  }
}

describe('the checkout draft', () => {
  let storage: Storage
  beforeEach(() => {
    storage = memoryStorage()
    Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true })
  })
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'sessionStorage')
  })

  it('keeps the address and the choice per account, and nothing of a card', () => {
    const typed = {
      choice: 'new',
      address: { name: 'Ada', line1: '1 Market Street', country: 'DE' },
      save: true,
      // What a careless caller might pass along: never kept.
      cardNumber: '4242424242424242',
      cvc: '123',
    } as CheckoutDraft
    ;(typed.address as Record<string, string>).cardNumber = '4242424242424242'
    saveDraft('user-a', typed)
    expect(loadDraft('user-a')).toEqual({
      choice: 'new',
      address: { name: 'Ada', line1: '1 Market Street', country: 'DE' },
      save: true,
    })
    const stored = [...Array(storage.length).keys()].map((i) => storage.getItem(storage.key(i)!))
    expect(stored.join('')).not.toMatch(/4242|cvc|card/i)
    // Another account on the same tab sees none of it.
    expect(loadDraft('user-b')).toEqual({ address: {}, save: false })
    clearDraft('user-a')
    expect(loadDraft('user-a')).toEqual({ address: {}, save: false })
  })

  it('reads a spoilt draft as none', () => {
    storage.setItem('emporium.checkout-draft.user-a', '{not json')
    expect(loadDraft('user-a')).toEqual({ address: {}, save: false })
    storage.setItem('emporium.checkout-draft.user-a', JSON.stringify({ address: { city: 7 } }))
    expect(loadDraft('user-a')).toEqual({ address: {}, save: false })
  })

  it("keeps a guest's e-mail, the shipping method and the promotion code (issue 18)", () => {
    saveDraft(guestDraftId, {
      address: { country: 'FR', postalCode: '75001' },
      save: false,
      email: 'guest@example.com',
      shippingMethodId: 'method-1',
      promotionCode: 'SAVE10',
    })
    expect(loadDraft(guestDraftId)).toEqual({
      address: { country: 'FR', postalCode: '75001' },
      save: false,
      email: 'guest@example.com',
      shippingMethodId: 'method-1',
      promotionCode: 'SAVE10',
    })
    // An account's draft is not the guest's.
    expect(loadDraft('user-a')).toEqual({ address: {}, save: false })
    // Empty or wrongly typed choices are left out; an overlong one is cut.
    storage.setItem(
      'emporium.checkout-draft.guest',
      JSON.stringify({
        address: {},
        email: '',
        shippingMethodId: 7,
        promotionCode: 'X'.repeat(80),
      }),
    )
    expect(loadDraft(guestDraftId)).toEqual({
      address: {},
      save: false,
      promotionCode: 'X'.repeat(32),
    })
  })
})
