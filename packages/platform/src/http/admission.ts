import underPressure from '@fastify/under-pressure'
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify'
import { Counter, type Registry } from 'prom-client'
import { problem, sendProblem } from './problem.js'
import { routeOf } from './request-context.js'
import { requestSlot } from './request-slot.js'
import { registered } from './request-metrics.js'

/**
 * How many requests of one route run at once, and how many may wait for a turn and for how long.
 * A request that cannot start in time is answered at once, 503 `HTTP.OVERLOADED` with
 * `retry-after`, before anything of it ran: a burst is answered within about `maxWaitMs` plus
 * the handling of one request, instead of queueing for as long as the burst is.
 */
export interface AdmissionLimit {
  /** Requests of the route handled at once. */
  concurrency: number
  /** Requests waiting for a turn; one more is shed at once (0: no queue). */
  queue: number
  /** Longest a request waits for a turn before it is shed. */
  maxWaitMs: number
  /**
   * Least `retry-after` of a shed answer, in seconds (default 1). Under a larger backlog (those
   * running, waiting and shed in the last second, at the route's recent pace) it is spread at
   * random up to the time to work that backlog off (at most 10 s), so that the shed do not all
   * come back at the same second.
   */
  retryAfterSeconds?: number
  /**
   * Longest a request may take from arrival to answer: past it the client gets 503
   * `HTTP.TIMEOUT` with `retry-after` (and `x-emporium-shed: deadline`) while the handler runs
   * on, holding its turn, so a route whose work slows down under load still answers in time.
   * Only for a route whose repeat is safe (an idempotency key). None by default.
   */
  deadlineMs?: number
  /**
   * Take the turn where the application adds `earlyAdmission` among its own `onRequest` hooks
   * (the gateway: after CORS and the security headers, before its token check and rate limits),
   * so that a request shed costs next to nothing and a flood on the route spends no verifier's or
   * upstream's time on what it sheds (the gateway's placements). A route marked so has no limit
   * where that hook is not added. Default: after every `onRequest` hook of the application, as
   * the first of the route's own.
   */
  early?: boolean
}

/** A route's `config` that asks for an admission limit: `{ config: { admission: {...} } }`. */
export interface AdmissionConfig {
  admission?: AdmissionLimit
}

// Route configs are typed (fastify's instrumentation declares its own `otel` key, which makes
// the interface checked for excess keys): the platform's key is declared here.
declare module 'fastify' {
  interface FastifyContextConfig {
    admission?: AdmissionLimit
  }
}

/**
 * Marks an answer shed by admission control, so that callers tell it from an outage: the value
 * `admission` says the request never started (nothing was done, any method may be retried after
 * `retry-after`), `upstream` that a service it called shed it. Clients, the gateway and the
 * circuit breakers never count a marked 503 against the service that sent it.
 */
export const shedHeader = 'x-emporium-shed'

/** Longest `retry-after` admission control asks for, however long the backlog. */
const maxRetryAfterSeconds = 10

export type ShedReason = 'queue_full' | 'queue_timeout' | 'deadline' | 'event_loop_delay'

function shedCounter(registry: Registry): Counter<'route' | 'reason'> {
  return registered(
    registry,
    'http_requests_shed_total',
    () =>
      new Counter({
        name: 'http_requests_shed_total',
        help: 'Requests answered 503 by admission control before they started, by route and reason',
        labelNames: ['route', 'reason'],
        registers: [registry],
      }),
  )
}

function shed(
  request: FastifyRequest,
  reply: FastifyReply,
  retryAfterSeconds: number,
): FastifyReply {
  reply.header(shedHeader, 'admission')
  const detail = `The service is busy. Try again in ${retryAfterSeconds} s.`
  return sendProblem(reply, {
    problem: problem(503, 'HTTP.OVERLOADED', detail, request.id),
    retryAfterSeconds,
    internal: false,
  })
}

/** The turn-taking of each `early` limit (installAdmission fills it as the routes are added). */
const earlyTurns = new WeakMap<AdmissionLimit, (r: FastifyRequest, p: FastifyReply) => unknown>()

/**
 * The `onRequest` hook that takes the turn of a route whose admission limit is `early`, added by
 * the application where the turn is to be taken; for other routes it does nothing. A shed request
 * is answered here and the hooks after it do not run.
 */
export function earlyAdmission(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const limit = request.routeOptions.config.admission
  const admit = limit === undefined ? undefined : earlyTurns.get(limit)
  if (admit === undefined) return done()
  Promise.resolve(admit(request, reply)).then(
    (answered) => (answered === undefined ? done() : undefined),
    done,
  )
}

/**
 * Gives every route that declares `config.admission` its own limit: an `onRequest` hook that runs
 * before the route's own hooks (authentication, body parsing), so that a shed request costs
 * next to nothing. A turn is held until the response closes (sent, or the client gone).
 */
export function installAdmission(app: FastifyInstance, registry: Registry): void {
  const counter = shedCounter(registry)
  // Replies whose answer is on its way (its onSend hooks run: a compressed stream is not `sent`
  // until it ends): a deadline must not answer them a second time over the same socket.
  const answering = requestSlot<true>('emporium.answering')
  app.addHook('onSend', (_request, reply, payload, done) => {
    answering.set(reply, true)
    done(null, payload)
  })
  app.addHook('onRoute', (route: RouteOptions) => {
    const limit = (route.config as AdmissionConfig | undefined)?.admission
    if (!limit) return
    const gate = createGate(limit)
    const least = limit.retryAfterSeconds ?? 1
    // The route's pace (a moving average of handling times) and the sheds of the last second.
    let averageMs = 0
    let shedWindow = { since: 0, count: 0 }
    const retryAfter = (): number => {
      const now = Date.now()
      if (now - shedWindow.since > 1_000) shedWindow = { since: now, count: 0 }
      shedWindow.count++
      if (averageMs === 0) return least
      const { active, waiting } = gate.load()
      const backlog = active + waiting + shedWindow.count
      const drain = Math.ceil((backlog * averageMs) / limit.concurrency / 1_000)
      const most = Math.min(maxRetryAfterSeconds, drain)
      return most <= least ? least : least + Math.floor(Math.random() * (most - least + 1))
    }
    const admit = async (request: FastifyRequest, reply: FastifyReply) => {
      const verdict = await gate.enter(reply)
      if (verdict === 'admitted') return
      counter.inc({ route: route.url, reason: verdict })
      request.log.debug({ reason: verdict }, 'request shed')
      return shed(request, reply, retryAfter())
    }
    if (limit.early) {
      earlyTurns.set(limit, admit)
    } else {
      const own = route.onRequest
      route.onRequest = [admit, ...(own === undefined ? [] : Array.isArray(own) ? own : [own])]
    }
    // A turn is held while the handler runs, even past its answer (a deadline) or its client.
    const handler = route.handler
    route.handler = function (this: unknown, request, reply) {
      const ended = gate.running(reply)
      const began = Date.now()
      const end = () => {
        ended()
        const ms = Date.now() - began
        averageMs = averageMs === 0 ? ms : averageMs * 0.8 + ms * 0.2
      }
      let result: unknown
      try {
        result = handler.call(this as never, request, reply)
      } catch (error) {
        end()
        throw error
      }
      if (!(result instanceof Promise)) {
        end()
        return result as never
      }
      void result.then(end, end)
      const deadlineMs = limit.deadlineMs
      if (deadlineMs === undefined) return result as never
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => {
            if (reply.sent || answering.get(reply) === true) return
            counter.inc({ route: route.url, reason: 'deadline' })
            resolve(late(request, reply, retryAfter()))
          },
          Math.max(0, deadlineMs - reply.elapsedTime),
        )
        result.then(
          (value) => {
            clearTimeout(timer)
            resolve(value)
          },
          (error: unknown) => {
            clearTimeout(timer)
            // After the late answer nobody hears of it but the log.
            if (reply.sent) request.log.warn({ err: error }, 'request failed after its deadline')
            else reject(error as Error)
          },
        )
      }) as never
    }
  })
}

/** The answer of a request past its route's deadline (its handler goes on). */
function late(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number) {
  reply.header(shedHeader, 'deadline')
  const detail = `The service is busy and could not answer in time. Try again in ${retryAfterSeconds} s.`
  return sendProblem(reply, {
    problem: problem(503, 'HTTP.TIMEOUT', detail, request.id),
    retryAfterSeconds,
    internal: false,
  })
}

type Verdict = 'admitted' | 'queue_full' | 'queue_timeout'

interface Waiter {
  reply: FastifyReply
  resolve(verdict: Verdict): void
  timer: NodeJS.Timeout
  gone(): void
}

/** A concurrency limit with a bounded FIFO queue, each wait bounded in time. */
export function createGate(limit: AdmissionLimit): {
  enter(reply: FastifyReply): Promise<Verdict>
  /** Called as the admitted request's handler starts; the returned function as it ends. */
  running(reply: FastifyReply): () => void
  /** Requests running and waiting now. */
  load(): { active: number; waiting: number }
} {
  let active = 0
  const waiting: Waiter[] = []

  // A turn ends when the response closed and the handler (if it ran) ended, whichever is last.
  const turns = new WeakMap<FastifyReply, { handling: boolean; closed: boolean; done: boolean }>()
  function start(reply: FastifyReply): void {
    active++
    const turn = { handling: false, closed: false, done: false }
    turns.set(reply, turn)
    reply.raw.once('close', () => {
      turn.closed = true
      if (!turn.handling) release(turn)
    })
  }
  function release(turn: { done: boolean }): void {
    if (turn.done) return
    turn.done = true
    active--
    next()
  }
  function next(): void {
    while (active < limit.concurrency && waiting.length > 0) {
      const waiter = waiting.shift()!
      clearTimeout(waiter.timer)
      waiter.reply.raw.off('close', waiter.gone)
      start(waiter.reply)
      waiter.resolve('admitted')
    }
  }
  function remove(waiter: Waiter): void {
    const index = waiting.indexOf(waiter)
    if (index >= 0) waiting.splice(index, 1)
    clearTimeout(waiter.timer)
    waiter.reply.raw.off('close', waiter.gone)
  }

  return {
    enter(reply) {
      if (active < limit.concurrency) {
        start(reply)
        return Promise.resolve('admitted')
      }
      if (waiting.length >= limit.queue) return Promise.resolve('queue_full')
      return new Promise<Verdict>((resolve) => {
        const waiter: Waiter = {
          reply,
          resolve,
          timer: setTimeout(() => {
            remove(waiter)
            resolve('queue_timeout')
          }, limit.maxWaitMs),
          // The client left while waiting: its place goes to the next (the answer is unread).
          gone: () => {
            remove(waiter)
            resolve('queue_timeout')
          },
        }
        reply.raw.once('close', waiter.gone)
        waiting.push(waiter)
      })
    },
    running(reply) {
      const turn = turns.get(reply)
      if (!turn) return () => undefined
      turn.handling = true
      return () => {
        turn.handling = false
        if (turn.closed) release(turn)
      }
    },
    load: () => ({ active, waiting: waiting.length }),
  }
}

export interface EventLoopGuard {
  /** Mean event-loop delay over a sample (ms) above which requests are shed. */
  maxEventLoopDelayMs: number
  /** How often the delay is sampled (default 200 ms). */
  sampleIntervalMs?: number
  /** `retry-after` of a shed answer, in seconds (default 1). */
  retryAfterSeconds?: number
  /**
   * Requests never shed (e.g. a web app's files: a page or script refused while the process
   * lags leaves a blank page that nothing retries, where the app's own API calls wait out
   * `retry-after`).
   */
  exempt?: (request: FastifyRequest) => boolean
  registry: Registry
}

/**
 * A second, global guard (@fastify/under-pressure): while the process's event loop lags behind
 * by more than `maxEventLoopDelayMs`, requests of the instance it is registered on (and its
 * children) are shed with 503 `HTTP.OVERLOADED` and `retry-after`. Registered inside a service's
 * routes plugin it leaves the operational routes (`/healthz`, `/readyz`, `/metrics`) alone.
 */
export async function registerEventLoopGuard(
  app: FastifyInstance,
  guard: EventLoopGuard,
): Promise<void> {
  const counter = shedCounter(guard.registry)
  const retryAfterSeconds = guard.retryAfterSeconds ?? 1
  await app.register(underPressure, {
    maxEventLoopDelay: guard.maxEventLoopDelayMs,
    sampleInterval: guard.sampleIntervalMs ?? 200,
    // Under-pressure sends what the handler returns (its types say void, its code does not).
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply) => {
      // Nothing returned: under-pressure lets the request through.
      if (guard.exempt?.(request)) return undefined
      counter.inc({ route: routeOf(request), reason: 'event_loop_delay' })
      reply.header(shedHeader, 'admission')
      reply.header('retry-after', String(retryAfterSeconds))
      reply.code(503).type('application/problem+json')
      const detail = `The service is busy. Try again in ${retryAfterSeconds} s.`
      return problem(503, 'HTTP.OVERLOADED', detail, request.id)
    }) as never,
  })
}
