import type { payments } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from './cursor.js'
import { publicStatus } from '../domain/payment.js'
import type { PaymentQueries, PaymentRecord } from './ports.js'

/** Who is asking: a customer sees their own payments, staff with payments.read everyone's. */
export interface Caller {
  userId: string
  canReadAll: boolean
}

/**
 * `GET /payments`: newest first with a cursor. Someone else's payment is simply not in a
 * customer's list (so ids cannot be probed). Payments still `pending` (nothing asked of the
 * provider yet) are not listed: no public status describes them honestly.
 */
export function createListPayments(deps: { queries: PaymentQueries }) {
  return async (
    caller: Caller,
    query: payments.ListPaymentsQuery,
  ): Promise<payments.PaymentPage> => {
    const limit = query.limit ?? 20
    const after = query.cursor ? decodeCursor(query.cursor) : undefined
    const rows = await deps.queries.list({
      userId: caller.canReadAll ? undefined : caller.userId,
      orderId: query.orderId,
      limit: limit + 1,
      after: after && { createdAt: new Date(after.createdAt), id: after.id },
    })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map((record) => toPayment(record, caller)),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
          : null,
    }
  }
}

/**
 * A payment as API.md shows it. The precise decline reason (`card_declined`,
 * `insufficient_funds`, ...) is for staff with payments.read only: telling a card tester which decline it was
 * helps them; the shopper sees the status `declined`.
 */
export function toPayment(record: PaymentRecord, caller: Caller): payments.Payment {
  return {
    id: record.id,
    orderId: record.orderId,
    // The store leaves pending payments out, so there is always a public status.
    status: publicStatus(record.state) ?? 'authorized',
    amount: record.amount,
    last4: record.last4,
    brand: record.brand,
    ...(caller.canReadAll ? { declineReason: record.declineReason } : {}),
    attempt: record.attempt,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  }
}
