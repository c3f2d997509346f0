import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEventStreamParser, readServerSentEvents, type ServerSentEvent } from './events.js'

/** Feeds `parts` to a new parser, one call each, and gathers every event. */
const parseParts = (parts: string[]) => {
  const parse = createEventStreamParser()
  return parts.flatMap((part) => parse(part))
}

/** The text cut at `cuts` (positions, any order, repeats allowed: an empty piece is fed too). */
const cutAt = (text: string, cuts: number[]) => {
  const at = [...cuts.map((c) => c % (text.length + 1)), text.length].sort((a, b) => a - b)
  let from = 0
  return at.map((to) => {
    const piece = text.slice(from, to)
    from = to
    return piece
  })
}

/** A stream of the bytes of `text`, in pieces cut at `cuts` (splitting UTF-8 sequences too). */
const byteStream = (text: string, cuts: number[]) => {
  const bytes = new TextEncoder().encode(text)
  const at = [...cuts.map((c) => c % (bytes.length + 1)), bytes.length].sort((a, b) => a - b)
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let from = 0
      for (const to of at) {
        controller.enqueue(bytes.slice(from, to))
        from = to
      }
      controller.close()
    },
  })
}

const collect = async (events: AsyncIterable<ServerSentEvent>) => {
  const all: ServerSentEvent[] = []
  for await (const event of events) all.push(event)
  return all
}

describe('createEventStreamParser', () => {
  it('reads named events, multi-line data and ids, and skips comments', () => {
    const text =
      ': heartbeat\n\n' +
      'event: status\nid: 1\ndata: {"status":"pending"}\n\n' +
      'data: first line\ndata: second line\n\n'
    expect(parseParts([text])).toEqual([
      { event: 'status', data: '{"status":"pending"}', id: '1' },
      // The id persists until the stream sends another.
      { event: 'message', data: 'first line\nsecond line', id: '1' },
    ])
  })

  it('ends lines at CRLF, LF and CR alike', () => {
    expect(parseParts(['data: a\r\n\r\ndata: b\n\ndata: c\r\rdata: d\r\n\n'])).toEqual([
      { event: 'message', data: 'a', id: '' },
      { event: 'message', data: 'b', id: '' },
      { event: 'message', data: 'c', id: '' },
      { event: 'message', data: 'd', id: '' },
    ])
  })

  it('counts a CRLF split between two chunks as one line end', () => {
    // A CR then, in the next chunk, LF: not two line ends (which would end the event early).
    expect(parseParts(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([
      { event: 'message', data: 'a\nb', id: '' },
    ])
  })

  it('dispatches an event at its blank line, not before, and drops one the stream cut off', () => {
    const parse = createEventStreamParser()
    expect(parse('event: status\ndata: x\n')).toEqual([])
    expect(parse('\n')).toEqual([{ event: 'status', data: 'x', id: '' }])
    expect(parse('data: never finished\n')).toEqual([])
  })

  it('follows the standard on fields: one space dropped, no colon, unknown fields, no data', () => {
    const text =
      'data:no space\ndata:  two spaces\n\n' +
      'data\n\n' + // a field with no colon: data '' (an event with empty data)
      'event: lonely\n\n' + // no data: no event, and its name does not leak into the next
      'retry: 10\nfoo: bar\ndata: after\n\n' +
      'id: a\0b\ndata: NUL ids are ignored\n\n'
    expect(parseParts([text])).toEqual([
      { event: 'message', data: 'no space\n two spaces', id: '' },
      { event: 'message', data: '', id: '' },
      { event: 'message', data: 'after', id: '' },
      { event: 'message', data: 'NUL ids are ignored', id: '' },
    ])
  })

  it('drops a byte order mark at the start only', () => {
    expect(parseParts(['\uFEFFdata: a\n\n\uFEFFdata: b\n\n'])).toEqual([
      { event: 'message', data: 'a', id: '' },
    ])
  })

  it('gives the same events however the text is cut into chunks', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ':', '{', '"', '😀') })
    const event = fc.record({
      event: fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }),
      id: fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }),
      lines: fc.array(field, { minLength: 1, maxLength: 3 }),
      comment: fc.boolean(),
    })
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, eol, cuts) => {
          let text = ''
          let id = ''
          const expected: ServerSentEvent[] = []
          for (const e of events) {
            if (e.comment) text += `: ping${eol}`
            if (e.event) text += `event: ${e.event}${eol}`
            if (e.id) text += `id: ${e.id}${eol}`
            for (const line of e.lines) text += `data: ${line}${eol}`
            text += eol
            id = e.id ?? id
            expected.push({ event: e.event ?? 'message', data: e.lines.join('\n'), id })
          }
          expect(parseParts(cutAt(text, cuts))).toEqual(expected)
        },
      ),
    )
  })
})

describe('readServerSentEvents', () => {
  it('reads a body whose chunks split lines and UTF-8 characters anywhere', async () => {
    const text = 'event: status\r\ndata: {"name":"café 😀"}\r\n\r\n: ping\n\ndata: b\n\n'
    const expected = [
      { event: 'status', data: '{"name":"café 😀"}', id: '' },
      { event: 'message', data: 'b', id: '' },
    ]
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 10 }), async (cuts) => {
        expect(await collect(readServerSentEvents(byteStream(text, cuts)))).toEqual(expected)
      }),
    )
  })

  it('reads a Response, and cancels the body when the loop ends early', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'))
        // The stream stays open, as a live one does until the server ends it.
      },
      cancel() {
        cancelled = true
      },
    })
    const seen: string[] = []
    for await (const event of readServerSentEvents(new Response(body))) {
      seen.push(event.data)
      if (event.data === '2') break
    }
    expect(seen).toEqual(['1', '2'])
    expect(cancelled).toBe(true)
  })

  it('reads the body of a Response of another fetch implementation (no global Response)', async () => {
    const body = byteStream('data: from undici\n\n', [])
    const foreign = { body, status: 200 } as unknown as Response
    expect(foreign).not.toBeInstanceOf(Response)
    expect(await collect(readServerSentEvents(foreign))).toEqual([
      { event: 'message', data: 'from undici', id: '' },
    ])
  })

  it('gives nothing for a response without a body', async () => {
    expect(await collect(readServerSentEvents(new Response(null, { status: 204 })))).toEqual([])
  })
})
