/** One server-sent event: its name and data. */
export interface ServerEvent {
  event: string
  data: string
}

/**
 * Splits a text/event-stream into events. Feed it decoded text as it arrives; it returns the
 * events completed so far (an event ends at a blank line; comment lines are skipped).
 */
export function createEventParser(): (chunk: string) => ServerEvent[] {
  let buffer = ''
  return (chunk) => {
    buffer += chunk
    const blocks = buffer.split(/\r?\n\r?\n/)
    buffer = blocks.pop() ?? ''
    const events: ServerEvent[] = []
    for (const block of blocks) {
      let event = 'message'
      const data: string[] = []
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') })
    }
    return events
  }
}
