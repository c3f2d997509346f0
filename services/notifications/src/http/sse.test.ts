import { describe, expect, it } from 'vitest'
import { lastEventIdOf, statusFrame } from './sse.js'

describe('server-sent event frames', () => {
  it('writes a status event with its seq as id', () => {
    expect(
      statusFrame({
        seq: 42,
        orderId: 'o1',
        status: 'cancelled',
        cancellationReason: 'card_declined',
        at: '2026-01-01T00:00:00.000Z',
      }),
    ).toBe(
      'event: status\nid: 42\ndata: {"orderId":"o1","status":"cancelled",' +
        '"cancellationReason":"card_declined","at":"2026-01-01T00:00:00.000Z"}\n\n',
    )
  })

  it('takes only a positive integer as Last-Event-ID', () => {
    expect(lastEventIdOf('17')).toBe(17)
    expect(lastEventIdOf(' 17 ')).toBe(17)
    for (const bad of [undefined, '', '0', '-1', '1.5', 'abc', '1e3', '9999999999999999', ['1']]) {
      expect(lastEventIdOf(bad)).toBeUndefined()
    }
  })
})
