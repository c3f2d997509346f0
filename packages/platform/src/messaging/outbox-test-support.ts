// Fakes and helpers for outbox.int.test.ts (test-only: not exported from the package).
import Type from 'typebox'
import { pino, type Logger } from 'pino'
import { defineEvent, type EventEnvelope } from '@emporium/contracts'
import type { EventBus, SerializedEvent } from './bus.js'

export const WidgetMade = defineEvent('widget.made', 1, Type.Object({ n: Type.Integer() }))

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

export interface RecordingBus extends Pick<EventBus, 'publish' | 'publishSerialized'> {
  /** Confirmed publishes, in order. */
  readonly published: EventEnvelope[]
  /** The serialized ones among them (as the relay passed them), in order. */
  readonly serialized: SerializedEvent[]
  /** Every call, failed or not. */
  readonly attempts: number
  setDown(down: boolean): void
}

/** The EventBus port's publish side: records what it confirms, can be slow, down or picky. */
export function createRecordingBus(
  options: { delayMs?: () => number; fails?: (envelope: EventEnvelope) => boolean } = {},
): RecordingBus {
  const published: EventEnvelope[] = []
  const serialized: SerializedEvent[] = []
  let down = false
  let attempts = 0
  const publish = async (envelope: EventEnvelope) => {
    attempts += 1
    const delay = options.delayMs?.() ?? 0
    if (delay > 0) await sleep(delay)
    if (down || options.fails?.(envelope)) throw new Error('broker unavailable')
    published.push(envelope)
  }
  return {
    published,
    serialized,
    get attempts() {
      return attempts
    },
    setDown(value) {
      down = value
    },
    publish,
    async publishSerialized(event) {
      await publish(JSON.parse(event.body) as EventEnvelope)
      serialized.push(event)
    },
  }
}

export interface LogLine {
  level: string
  msg: string
  [key: string]: unknown
}

/** A real pino logger whose lines land in an array. */
export function createRecordingLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const log = pino(
    { level: 'debug', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  )
  return { log, lines }
}
