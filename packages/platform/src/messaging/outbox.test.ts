import { describe, expect, it } from 'vitest'
import { storedEvent } from './outbox.js'

describe('storedEvent', () => {
  const head = {
    id: 'e-1',
    type: 'widget.made',
    version: 1,
    occurredAt: '2026-12-02T17:00:00.000Z',
    source: 'widgets',
    correlationId: 'c-1',
    causationId: null,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  }
  const fields = {
    id: 'e-1',
    type: 'widget.made',
    source: 'widgets',
    correlationId: 'c-1',
    traceparent: head.traceparent,
  }

  it('reads the properties from the head of a payload the outbox wrote, and keeps its bytes', () => {
    const payload = JSON.stringify({ ...head, data: { note: ',"data":{"id":"e-2"}' } })
    expect(storedEvent({ id: 'e-1', type: 'widget.made', payload })).toEqual({
      ...fields,
      body: payload,
    })
  })

  it('parses a payload written in another key order whole', () => {
    const payload = JSON.stringify({ data: { x: 1, data: { id: 'e-2' } }, ...head })
    expect(storedEvent({ id: 'e-1', type: 'widget.made', payload })).toEqual({
      ...fields,
      body: payload,
    })
  })

  it('still sends a payload that is not JSON, for the consumer to dead-letter', () => {
    expect(storedEvent({ id: 'e-1', type: 'widget.made', payload: '{"id":"e-1",' })).toEqual({
      id: 'e-1',
      type: 'widget.made',
      body: '{"id":"e-1",',
    })
  })
})
