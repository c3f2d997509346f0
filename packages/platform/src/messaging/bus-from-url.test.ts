import { pino } from 'pino'
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { loadConfig, SharedConfig } from '../config.js'
import { brokerOf, createBusFromUrl } from './bus-from-url.js'

const log = pino({ level: 'silent' })

describe('the bus chosen by URL', () => {
  it.each([
    ['amqp://guest:guest@127.0.0.1:5672/', 'rabbitmq'],
    ['amqps://user:pw@broker.example/vhost', 'rabbitmq'],
    ['nats://127.0.0.1:4222', 'nats'],
    ['memory', 'memory'],
    ['nats:/127.0.0.1', undefined],
    ['kafka://127.0.0.1:9092', undefined],
    ['', undefined],
  ])('%s is %s', (url, kind) => {
    expect(brokerOf(url)).toBe(kind)
  })

  it('is validated with the rest of the configuration', () => {
    const Schema = Type.Object({ RABBITMQ_URL: SharedConfig.RABBITMQ_URL })
    expect(loadConfig(Schema, { RABBITMQ_URL: 'nats://nats:4222' }).RABBITMQ_URL).toBe(
      'nats://nats:4222',
    )
    expect(() => loadConfig(Schema, { RABBITMQ_URL: 'kafka://x:9092' })).toThrowError(
      /RABBITMQ_URL/,
    )
  })

  it('creates the in-process bus for memory and refuses a URL naming no broker', async () => {
    const bus = createBusFromUrl('memory', { log })
    await expect(bus.check()).resolves.toBeUndefined()
    await bus.close()
    expect(() => createBusFromUrl('kafka://x:9092', { log })).toThrowError(/amqp:\/\//)
  })
})
