import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from './sse.js'

describe('createSseParser', () => {
  it('parses events split across chunks, skipping comments and retry', () => {
    const events: SseEvent[] = []
    const feed = createSseParser((e) => events.push(e))
    const text =
      'retry: 2000\n\n: ping\n\nevent: status\nid: 1\ndata: {"status":"pending"}\n\n' +
      'event: status\r\nid: 2\r\ndata: {"status":\r\ndata: "confirmed"}\r\n\r\n'
    for (let i = 0; i < text.length; i += 3) feed(text.slice(i, i + 3))
    expect(events).toEqual([
      { event: 'status', id: '1', data: '{"status":"pending"}' },
      { event: 'status', id: '2', data: '{"status":\n"confirmed"}' },
    ])
  })

  it('does not dispatch an event before its blank line', () => {
    const events: SseEvent[] = []
    const feed = createSseParser((e) => events.push(e))
    feed('data: a\n')
    expect(events).toEqual([])
    feed('\n')
    expect(events).toEqual([{ event: 'message', data: 'a', id: undefined }])
  })
})
