import { describe, expect, it } from 'vitest'
import { changeLines, valueWords } from './audit-change'

describe('an audit change in words', () => {
  it('lists only the fields of two objects that changed', () => {
    expect(
      changeLines(
        { price: { amount: 1000, currency: 'USD' }, name: 'Lamp', roles: ['support'] },
        { price: { amount: 1250, currency: 'USD' }, name: 'Lamp', roles: ['owner', 'support'] },
      ),
    ).toEqual([
      { field: 'price', before: '$10.00', after: '$12.50' },
      { field: 'roles', before: '["support"]', after: '["owner","support"]' },
    ])
  })

  it('shows a created or removed thing whole, an absent side as a dash', () => {
    expect(changeLines(null, { email: 'a@b.example', role: 'support' })).toEqual([
      { before: '—', after: '{"email":"a@b.example","role":"support"}' },
    ])
    expect(changeLines('requested', 'received')).toEqual([
      { before: 'requested', after: 'received' },
    ])
  })

  it('cuts long values short', () => {
    expect(valueWords({ text: 'x'.repeat(500) })).toHaveLength(120)
  })
})
