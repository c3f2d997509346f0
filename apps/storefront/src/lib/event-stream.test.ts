import { describe, expect, it } from 'vitest'
import { createEventParser } from './event-stream'

describe('createEventParser', () => {
  it('parses events split across chunks, skipping comments and retry lines', () => {
    const parse = createEventParser()
    expect(parse('retry: 2000\n\n: keep-alive\n\nevent: status\nid: 1\ndata: {"a"')).toEqual([])
    expect(parse(':1}\n\nevent: status\r\ndata: {"b":2}\r\n\r\ndata: x')).toEqual([
      { event: 'status', data: '{"a":1}' },
      { event: 'status', data: '{"b":2}' },
    ])
    expect(parse('\ndata: y\n\n')).toEqual([{ event: 'message', data: 'x\ny' }])
  })
})
