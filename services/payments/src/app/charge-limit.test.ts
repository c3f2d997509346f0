import { describe, expect, it } from 'vitest'
import { createChargeLimit } from './charge-limit.js'
import type { DeclineHistory, PaymentRecord } from './ports.js'

const limits = { perUser: 10, perCard: 3, windowMs: 600_000 }
const payment = { id: 'p3', userId: 'u3', paymentMethodId: 'm3' } as PaymentRecord

/** A card's recent declines and its undecided payments ahead; `onAhead` runs as they are read. */
function history(state: { declined: number; ahead: number }, onAhead = () => {}): DeclineHistory {
  const at = new Date(0)
  return {
    recentDeclines: async (subjects) =>
      subjects.map(({ subject }) =>
        'cardOfMethod' in subject ? Array.from({ length: state.declined }, () => at) : [],
      ),
    undecidedAhead: async () => {
      onAhead()
      return state.ahead
    },
    fingerprintOf: async () => 'f',
  } as DeclineHistory
}

describe('the charge limit', () => {
  const decide = (declines: DeclineHistory) =>
    createChargeLimit({ declines, limits, now: () => new Date(1_000_000) })(payment)

  it('lets a card declined lately go while those ahead cannot take it past the limit', async () => {
    expect(await decide(history({ declined: 1, ahead: 1 }))).toBe('go')
    expect(await decide(history({ declined: 1, ahead: 2 }))).toBe('wait')
    expect(await decide(history({ declined: 3, ahead: 0 }))).toBe('refuse')
    expect(await decide(history({ declined: 0, ahead: 5 }))).toBe('go')
  })

  it('waits when a payment ahead is declined between its reads (counted twice, never missed)', async () => {
    // Read first: one decline, two ahead. Then the first ahead is declined before the payments
    // ahead are counted: two declines, one ahead. 1 + 1 would let a third charge go; 2 + 1 waits.
    const state = { declined: 1, ahead: 2 }
    const racing = history(state, () => {
      state.declined = 2
      state.ahead = 1
    })
    expect(await decide(racing)).toBe('wait')
  })
})
