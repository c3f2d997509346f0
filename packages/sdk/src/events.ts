// Server-sent events (`text/event-stream`), read with fetch rather than EventSource: EventSource
// cannot send an Authorization header. The WHATWG parsing rules, less reconnection (callers
// decide when to reconnect, with the Last-Event-ID header): lines end at CRLF, LF or CR, split
// anywhere across chunks; `:` lines are comments (heartbeats); an event ends at a blank line and
// is dispatched only when it has data; `id` persists across events; `retry` is ignored.

/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the event names none. */
  event: string
  /** The `data:` lines, joined by newlines. */
  data: string
  /** The last `id:` the stream sent, at or before this event; '' when none. */
  id: string
}

/**
 * An incremental parser: feed it decoded text as it arrives, split anywhere; each call returns
 * the events completed so far. Text after the last blank line waits for the next call (an
 * unfinished event at the end of a stream is dropped, as the standard says).
 */
export function createEventStreamParser(): (text: string) => ServerSentEvent[] {
  let line = ''
  let started = false
  // The previous text ended with CR: a LF at the start of the next one ends no second line.
  let afterCr = false
  let event = ''
  let data = ''
  let id = ''
  let completed: ServerSentEvent[] = []

  const endLine = () => {
    const text = line
    line = ''
    if (text === '') {
      // Data '' with no `data:` line is no event; `data:` alone is an event with data ''.
      if (data !== '') completed.push({ event: event || 'message', data: data.slice(0, -1), id })
      event = ''
      data = ''
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data += `${value}\n`
    else if (field === 'id' && !value.includes('\0')) id = value
  }

  return (text) => {
    if (!started && text !== '') {
      started = true
      if (text.startsWith('\uFEFF')) text = text.slice(1)
    }
    let from = 0
    if (afterCr && text !== '') {
      afterCr = false
      if (text.startsWith('\n')) from = 1
    }
    for (let i = from; i < text.length; i++) {
      const code = text.charCodeAt(i)
      if (code !== 10 && code !== 13) continue
      line += text.slice(from, i)
      endLine()
      if (code === 13) {
        if (i + 1 === text.length) afterCr = true
        else if (text.charCodeAt(i + 1) === 10) i++
      }
      from = i + 1
    }
    line += text.slice(from)
    const events = completed
    completed = []
    return events
  }
}

/**
 * The events of a `text/event-stream` body (a Response's, or the stream itself) as they
 * arrive. Leaving the loop early (`break`, `return`, a throw) cancels the body, which closes
 * the connection; aborting the request's signal makes the iteration throw its reason.
 */
export async function* readServerSentEvents(
  source: Pick<Response, 'body'> | ReadableStream<Uint8Array> | null,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  // Told apart by shape, not by class: a Response of another fetch (undici's own, in Node) is
  // no instance of the global Response.
  const body = source && 'getReader' in source ? source : (source?.body ?? null)
  if (!body) return
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parse = createEventStreamParser()
  let finished = false
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) {
        finished = true
        yield* parse(decoder.decode())
        return
      }
      yield* parse(decoder.decode(value, { stream: true }))
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}
