import { PassThrough } from 'node:stream'
import Type from 'typebox'
import { Problem, Text, hasPermission, orders } from '@emporium/contracts'
import {
  AppError,
  bearerAuth,
  identityOf,
  type HttpRoutes,
  type JwtVerifier,
} from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FollowOrder } from '../app/follow-order.js'
import { heartbeatFrame, lastEventIdOf, retryFrame, statusFrame } from './sse.js'

export interface NotificationsRoutesDeps {
  verifier: JwtVerifier
  followOrder: FollowOrder
  heartbeatMs: number
  /** Aborted when the service stops: open streams end so that shutdown does not wait on them. */
  shutdown: AbortController
}

const tags = ['orders']

/** A slot frees when one of the user's streams ends: a guess of when to try again. */
const slotRetryAfterSeconds = 5

const tooManyStreams = () =>
  new AppError(
    'too_many',
    'NOTIFICATIONS.TOO_MANY_STREAMS',
    'Too many order-status streams are open for this account; close one and try again.',
    { details: { retryAfterSeconds: slotRetryAfterSeconds } },
  )

/**
 * `GET /orders/{id}/events` (API.md; the gateway serves it under `/api/v1`): the order's status
 * as server-sent events until it ships or is cancelled.
 *
 * The stream is a PassThrough handed to `reply.send`, not a hijacked reply: fastify keeps
 * running the hooks (x-request-id and the other headers set so far, the drain's
 * `connection: close`, request metrics and logs when the stream ends), and destroys the
 * PassThrough when the client goes away, which is what stops the timers and the feed here.
 */
export function notificationsRoutes(deps: NotificationsRoutesDeps): HttpRoutes {
  return async (app) => {
    const auth = bearerAuth(deps.verifier)

    // Before fastify waits for in-flight requests: end the streams (they would never finish).
    app.addHook('preClose', (done) => {
      deps.shutdown.abort()
      done()
    })

    app.get(
      '/orders/:id/events',
      {
        onRequest: auth.authenticate,
        schema: {
          tags,
          summary: 'Follow an order’s status (server-sent events) until it ships or is cancelled',
          description:
            'Event `status` with an OrderStatusEvent: the current status first (or every change ' +
            'after Last-Event-ID), then one per change; the stream ends after shipped or ' +
            'cancelled (a confirmed order is still followed: it ships, or is cancelled and ' +
            'refunded), or after a status `until` names. 204 when Last-Event-ID is a shipped or ' +
            'cancelled status already.',
          params: orders.OrderParams,
          querystring: orders.OrderEventsQuery,
          headers: Type.Object({
            'last-event-id': Type.Optional(Text({ description: 'Resume after this id.' })),
          }),
          response: {
            200: {
              description: 'A text/event-stream of `status` events.',
              content: { 'text/event-stream': { schema: orders.OrderStatusEvent } },
            },
            204: Type.Null({
              description: 'Nothing more will come: the order is shipped or cancelled.',
            }),
            401: Problem,
            404: Problem,
            429: Problem,
            503: Problem,
          },
        },
      },
      async (request, reply) =>
        stream(request, reply, request.params.id, orders.untilStatuses(request.query.until)),
    )

    async function stream(
      request: FastifyRequest,
      reply: FastifyReply,
      orderId: string,
      until: ReadonlySet<orders.OrderStatus>,
    ) {
      const identity = identityOf(request)!
      // Ends on client disconnect or service shutdown.
      const ended = new AbortController()
      const end = () => ended.abort()
      reply.raw.once('close', end)
      deps.shutdown.signal.addEventListener('abort', end, { once: true })
      const release = () => {
        reply.raw.off('close', end)
        deps.shutdown.signal.removeEventListener('abort', end)
      }
      let result
      try {
        // Takes one of the user's slots (and frees it itself when it throws).
        result = await deps.followOrder({
          orderId,
          caller: {
            userId: identity.userId,
            canReadAll: hasPermission(identity.roles, 'orders.read'),
          },
          lastEventId: lastEventIdOf(request.headers['last-event-id']),
          signal: ended.signal,
        })
      } catch (error) {
        release()
        throw error
      }
      if (result.kind === 'too_many') {
        release()
        throw tooManyStreams()
      }
      const { slot } = result
      // Freed when the response closes, however it ends (sent, stream over, client gone).
      const free = () => {
        slot.release().catch((error: unknown) => {
          request.log.warn({ err: error }, 'stream slot not released (it expires)')
        })
      }
      reply.raw.once('close', free)
      if (reply.raw.destroyed) free()
      if (result.kind === 'nothing_more') {
        release()
        return reply.code(204).send(null)
      }
      const { changes } = result

      const body = new PassThrough()
      const heartbeat = setInterval(() => {
        write(heartbeatFrame)
        slot.renew().catch((error: unknown) => {
          request.log.warn({ err: error }, 'stream slot not renewed')
        })
      }, deps.heartbeatMs)
      function write(frame: string) {
        if (!body.destroyed && !body.writableEnded) body.write(frame)
      }
      function finish() {
        clearInterval(heartbeat)
        release()
        if (!body.destroyed && !body.writableEnded) body.end()
        // Ended by shutdown: close its connection once the end is written, rather than leave it
        // open as keep-alive (the server's close would wait for it) or wait for the client.
        if (deps.shutdown.signal.aborted) {
          reply.raw.once('finish', () => request.raw.socket?.destroySoon())
        }
      }
      body.once('close', () => ended.abort())

      write(retryFrame)
      void (async () => {
        try {
          for await (const change of changes) {
            write(statusFrame(change))
            // The client asked for nothing past it: ended here, the response completes and its
            // connection is kept, where a client leaving mid-stream costs the connection (and a
            // proxy's connection to us).
            if (until.has(change.status)) break
          }
        } catch (error) {
          // The client reconnects with Last-Event-ID and resumes.
          request.log.warn({ err: error }, 'status stream failed')
        } finally {
          finish()
        }
      })()
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no')
        .send(body)
    }
  }
}
