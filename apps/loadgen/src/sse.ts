/** One server-sent event. */
export interface SseEvent {
  event: string
  data: string
  id?: string
}

/**
 * An incremental `text/event-stream` parser (the WHATWG rules that matter here): feed it text
 * chunks as they come, split anywhere; it calls `onEvent` for each complete event. Comment
 * lines (`: ping`) and `retry:` are skipped; an event without data is not dispatched.
 */
export function createSseParser(onEvent: (event: SseEvent) => void) {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id })
      event = ''
      data = []
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
  }
  return (chunk: string) => {
    buffer += chunk
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/)
      if (end === -1) return
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (buffer[end] === '\r' && end === buffer.length - 1) return
      const width = buffer.startsWith('\r\n', end) ? 2 : 1
      line(buffer.slice(0, end))
      buffer = buffer.slice(end + width)
    }
  }
}
