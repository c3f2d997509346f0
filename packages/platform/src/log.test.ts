import { Writable } from 'node:stream'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, SharedConfig } from './config.js'
import { createLogger, logFormatOf, type LogFormat } from './log.js'

/** A destination that keeps what the logger writes. */
function capture() {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return { stream, text: () => text }
}

const terminal = () => true
const pipe = () => false

describe('logFormatOf', () => {
  it('is pretty on a terminal and JSON anywhere else when nothing is asked for', () => {
    expect(logFormatOf(undefined, terminal)).toBe('pretty')
    expect(logFormatOf(undefined, pipe)).toBe('json')
  })

  it('follows LOG_FORMAT whatever stdout is', () => {
    expect(logFormatOf('json', terminal)).toBe('json')
    expect(logFormatOf('pretty', pipe)).toBe('pretty')
  })
})

describe('LOG_FORMAT', () => {
  const schema = Type.Object({ LOG_FORMAT: SharedConfig.LOG_FORMAT })

  it('is json, pretty or unset', () => {
    expect(loadConfig(schema, {}).LOG_FORMAT).toBeUndefined()
    for (const format of ['json', 'pretty'] satisfies LogFormat[]) {
      expect(loadConfig(schema, { LOG_FORMAT: format }).LOG_FORMAT).toBe(format)
    }
  })

  it('refuses anything else, naming the variable', () => {
    expect(() => loadConfig(schema, { LOG_FORMAT: 'yaml' })).toThrow(ConfigError)
    expect(() => loadConfig(schema, { LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/)
  })
})

describe('createLogger', () => {
  it('writes one JSON object per line in the json format', () => {
    const out = capture()
    const log = createLogger({ service: 'orders', format: 'json', destination: out.stream })
    log.info({ password: 'hunter2' }, 'card 4111 1111 1111 1111 declined')
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>
    expect(line).toMatchObject({
      level: 'info',
      service: 'orders',
      password: '[redacted]',
      msg: 'card ****1111 declined',
    })
  })

  it('writes a readable line in the pretty format, redacted and masked as JSON is', () => {
    const out = capture()
    const log = createLogger({ service: 'orders', format: 'pretty', destination: out.stream })
    log.info({ password: 'hunter2' }, 'card 4111 1111 1111 1111 declined')
    // Written before info() returned: a synchronous stream, no worker thread in between.
    const text = out.text()
    expect(text.startsWith('{')).toBe(false)
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: card \*\*\*\*1111 declined /)
    expect(text.trimEnd().split('\n')).toHaveLength(1)
    expect(text).toContain('"service":"orders"')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain('hunter2')
  })
})
