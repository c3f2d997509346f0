import Fastify, { type FastifyBaseLogger } from 'fastify'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { redactPaths } from '../log.js'
import { requestLoggerFactory } from './request-logger.js'

function logger(level = 'info') {
  const lines: Array<Record<string, unknown>> = []
  const log = pino(
    { level, redact: { paths: redactPaths, censor: '[redacted]' } },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  )
  let children = 0
  const child = log.child
  // Not bound: a child's own `child` (inherited from this logger) must bind to the child.
  log.child = function (this: pino.Logger, ...args: Parameters<typeof child>) {
    children++
    return child.apply(this, args)
  } as typeof log.child
  return { log, lines, children: () => children }
}

const make = (log: pino.Logger, bindings = { requestId: 'r-1' }) =>
  requestLoggerFactory.call(
    undefined as never,
    log as unknown as FastifyBaseLogger,
    bindings,
    {},
    undefined as never,
  ) as unknown as pino.Logger

describe('a request logger', () => {
  it('binds the request id to what it logs, redacted as the server logger is', () => {
    const { log, lines } = logger()
    const request = make(log)
    request.warn({ password: 'hunter2', path: '/x' }, 'slow %s', 'thing')
    expect(lines).toEqual([
      expect.objectContaining({
        requestId: 'r-1',
        password: '[redacted]',
        path: '/x',
        msg: 'slow thing',
        level: 40,
      }),
    ])
  })

  it('makes no child for levels that are off, and one for all the lines after', () => {
    const { log, lines, children } = logger('warn')
    const request = make(log)
    request.info('not logged')
    request.debug('not logged')
    expect(request.isLevelEnabled('info')).toBe(false)
    expect(request.level).toBe('warn')
    expect(children()).toBe(0)
    request.error(new Error('boom'), 'failed')
    request.warn('again')
    expect(children()).toBe(1)
    expect(lines.map((l) => [l.requestId, l.msg])).toEqual([
      ['r-1', 'failed'],
      ['r-1', 'again'],
    ])
    expect((lines[0]!.err as { message: string }).message).toBe('boom')
  })

  it('gives its bindings and children the request id', () => {
    const { log, lines } = logger()
    const request = make(log)
    expect(request.bindings()).toEqual({ requestId: 'r-1' })
    request.child({ linkedTraceId: 't-1' }).info('linked')
    expect(lines[0]).toMatchObject({ requestId: 'r-1', linkedTraceId: 't-1', msg: 'linked' })
  })

  it("follows a level set on it, not the server's", () => {
    const { log, lines } = logger('warn')
    const request = make(log)
    request.level = 'debug'
    request.debug('now logged')
    expect(log.level).toBe('warn')
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r-1', msg: 'now logged' })])
  })

  it("is fastify's request logger: a route's own level is honoured", async () => {
    const { log, lines } = logger('warn')
    const app = Fastify({
      loggerInstance: log as unknown as FastifyBaseLogger,
      childLoggerFactory: requestLoggerFactory,
      disableRequestLogging: true,
      genReqId: () => 'r-2',
    })
    app.get('/quiet', async (request) => {
      request.log.info('below warn')
      return {}
    })
    app.get('/chatty', { logLevel: 'info' }, async (request) => {
      request.log.info('route at info')
      return {}
    })
    await app.inject('/quiet')
    await app.inject('/chatty')
    await app.close()
    // fastify's own label for the request id (createHttpServer names it requestId).
    expect(lines.map((l) => [l.reqId, l.msg])).toEqual([['r-2', 'route at info']])
  })
})
