import { webhooks } from '@emporium/contracts'
import { AppError, decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'
import { endpointNotFound } from './manage-endpoints.js'
import type { DeliveryStore, EndpointStore, StoredDelivery } from './ports.js'

function deliveryNotFound(): AppError {
  return new AppError('not_found', 'WEBHOOKS.DELIVERY_NOT_FOUND', 'There is no such delivery.')
}

function summaryOf(delivery: StoredDelivery): webhooks.DeliverySummary {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts,
    ...(delivery.status === 'pending'
      ? { nextAttemptAt: delivery.nextAttemptAt.toISOString() }
      : {}),
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
    ...(delivery.lastResponseStatus === null
      ? {}
      : { lastResponseStatus: delivery.lastResponseStatus }),
    ...(delivery.lastError === null ? {} : { lastError: delivery.lastError }),
  }
}

/** An instant a database can compare with: years 1 to 9999; undefined otherwise. */
function timeOf(text: string): Date | undefined {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) return undefined
  const year = new Date(ms).getUTCFullYear()
  return year >= 1 && year <= 9999 ? new Date(ms) : undefined
}

/** The delivery log and replays of the back office (issue 21). */
export function createManageDeliveries(deps: {
  endpoints: EndpointStore
  deliveries: DeliveryStore
  now: () => Date
}) {
  const endpointExists = async (id: string) => {
    if (!(await deps.endpoints.get(id))) throw endpointNotFound()
  }

  return {
    async list(
      endpointId: string,
      query: webhooks.DeliveryListQuery,
    ): Promise<webhooks.DeliveryPage> {
      await endpointExists(endpointId)
      const limit = query.limit ?? 20
      const after =
        query.cursor === undefined
          ? undefined
          : decodeTimeIdCursor(query.cursor, 'WEBHOOKS.INVALID_CURSOR')
      const rows = await deps.deliveries.list({
        endpointId,
        limit,
        ...(query.status ? { status: query.status } : {}),
        ...(after ? { after } : {}),
      })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return {
        items: items.map(summaryOf),
        nextCursor:
          rows.length > limit && last
            ? encodeTimeIdCursor({ at: last.createdAt, id: last.id })
            : null,
      }
    },

    async get(id: string): Promise<webhooks.Delivery> {
      const delivery = await deps.deliveries.get(id)
      if (!delivery) throw deliveryNotFound()
      const attempts = await deps.deliveries.attemptsOf(id)
      return {
        ...summaryOf(delivery),
        payload: JSON.parse(delivery.body) as unknown,
        attemptLog: attempts.map((attempt) => ({
          startedAt: attempt.startedAt.toISOString(),
          durationMs: attempt.durationMs,
          ...(attempt.responseStatus === undefined
            ? {}
            : { responseStatus: attempt.responseStatus }),
          ...(attempt.error === undefined ? {} : { error: attempt.error }),
          ...(attempt.responseBody === undefined ? {} : { responseBody: attempt.responseBody }),
        })),
      }
    },

    async replay(id: string): Promise<webhooks.DeliveryAccepted> {
      if (!(await deps.deliveries.replay(id, deps.now()))) throw deliveryNotFound()
      return { deliveryId: id }
    },

    async replayRange(
      endpointId: string,
      body: webhooks.ReplayRangeBody,
    ): Promise<webhooks.ReplayedRange> {
      const from = timeOf(body.from)
      const to = timeOf(body.to)
      if (from === undefined || to === undefined || from >= to) {
        throw new AppError('invalid', 'WEBHOOKS.INVALID_RANGE', '`from` must come before `to`.', {
          details: { errors: [{ path: '/body/to', message: 'must come after from' }] },
        })
      }
      await endpointExists(endpointId)
      const count = await deps.deliveries.countInRange(endpointId, from, to)
      if (count > webhooks.maxReplayRange) {
        throw new AppError(
          'unprocessable',
          'WEBHOOKS.REPLAY_TOO_LARGE',
          `The range holds ${count} deliveries; at most ${webhooks.maxReplayRange} are replayed at once: narrow it.`,
        )
      }
      return { replayed: await deps.deliveries.replayRange(endpointId, from, to, deps.now()) }
    },
  }
}

export type ManageDeliveries = ReturnType<typeof createManageDeliveries>
