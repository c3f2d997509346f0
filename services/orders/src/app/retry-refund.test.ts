import { describe, expect, it } from 'vitest'
import { createLogger } from '@emporium/platform'
import type { OrderRecord } from '../domain/order.js'
import type { RefundRecord, ReturnRecord } from '../domain/refund.js'
import type {
  ClaimOutcome,
  IdempotencyStore,
  OrderStore,
  OrderTx,
  StoredResponse,
} from './ports.js'
import { createRetryRefund } from './retry-refund.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const at = new Date('2026-12-01T00:00:00Z')

function order(): OrderRecord {
  return {
    id: 'o1',
    userId: 'u1',
    status: 'shipped',
    lines: [
      { productId: 'a', variantId: 'a', name: 'A', unitPrice: usd(1000), quantity: 3 },
      { productId: 'b', variantId: 'b', name: 'B', unitPrice: usd(500), quantity: 1 },
    ],
    total: usd(3500),
    shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'GB' },
    paymentMethod: { id: 'pm', last4: '4242', brand: 'visa' },
    payment: { status: 'captured', last4: '4242' },
    cancellationReason: null,
    deadlineAt: null,
    paymentAttempt: 1,
    paymentDueBy: null,
    createdAt: at,
    updatedAt: at,
  }
}

function refund(overrides: Partial<RefundRecord>): RefundRecord {
  return {
    id: 'r1',
    orderId: 'o1',
    amount: usd(1000),
    status: 'failed',
    lines: [{ productId: 'a', variantId: 'a', quantity: 1, amount: 1000 }],
    reason: 'too big',
    returnId: 'ret1',
    failureReason: 'payment_not_refundable',
    createdBy: 'staff',
    createdAt: at,
    refundedAt: null,
    ...overrides,
  }
}

const received: ReturnRecord = {
  id: 'ret1',
  orderId: 'o1',
  status: 'received',
  lines: [{ productId: 'a', variantId: 'a', quantity: 1, receivedQuantity: 1, restock: true }],
  reason: 'too big',
  rejectionReason: null,
  refundId: 'r1',
  createdBy: 'u1',
  deadlineAt: at,
  createdAt: at,
  updatedAt: at,
}

/** One order's rows in memory; a transaction's writes are kept only when it returns. */
function fakes(refunds: RefundRecord[], returns: ReturnRecord[] = [structuredClone(received)]) {
  const state = { refunds, returns, events: [] as Array<{ type: string; data: any }> }
  const keys = new Map<string, { fingerprint: string; response?: StoredResponse }>()
  const orders = {
    async transaction<T>(fn: (tx: OrderTx) => Promise<T>): Promise<T> {
      const draft = structuredClone(state)
      const tx = {
        lock: async (id: string) => (id === 'o1' ? order() : undefined),
        refunds: {
          refunds: async () => draft.refunds,
          insertRefund: async (r: RefundRecord) => void draft.refunds.push(r),
          returns: async () => draft.returns,
          saveReturn: async (ret: ReturnRecord) => {
            draft.returns = draft.returns.map((r) => (r.id === ret.id ? ret : r))
          },
        },
        emit: async (event: { type: string }, data: unknown) =>
          void draft.events.push({ type: event.type, data }),
        completeKey: async (claim: { userId: string; key: string }, response: StoredResponse) => {
          keys.get(`${claim.userId}/${claim.key}`)!.response = response
          return true
        },
      } as unknown as OrderTx
      const result = await fn(tx)
      Object.assign(state, draft)
      return result
    },
  } as unknown as OrderStore
  const store: IdempotencyStore = {
    async claim(userId, key, fingerprint): Promise<ClaimOutcome> {
      const known = keys.get(`${userId}/${key}`)
      if (known?.fingerprint !== undefined && known.fingerprint !== fingerprint) {
        return { kind: 'reused' }
      }
      if (known?.response) return { kind: 'completed', response: known.response }
      keys.set(`${userId}/${key}`, { fingerprint })
      return { kind: 'claimed', claim: { userId, key, token: 't' } }
    },
    release: async (claim) => void keys.delete(`${claim.userId}/${claim.key}`),
    purge: async () => 0,
  }
  const retry = createRetryRefund({
    orders,
    keys: store,
    now: () => new Date('2026-12-02T00:00:00Z'),
    log: createLogger({ service: 'test', level: 'silent' }),
  })
  const caller = { userId: 'staff', roles: ['customer', 'support'] }
  const call = (refundId: string, key = `k-${refundId}`, orderId = 'o1') =>
    retry({ caller, orderId, refundId, idempotencyKey: key })
  return { state, call }
}

describe('retrying a failed refund', () => {
  it('asks again for the same lines, reason and return, audited, once per key', async () => {
    const { state, call } = fakes([refund({})])
    const first = await call('r1')
    expect(first.status).toBe(202)
    const view = JSON.parse(first.body)
    expect(view).toMatchObject({
      status: 'requested',
      amount: usd(1000),
      lines: [{ productId: 'a', variantId: 'a', quantity: 1, amount: usd(1000) }],
      reason: 'too big',
      returnId: 'ret1',
      retryOf: 'r1',
    })
    expect(view.id).not.toBe('r1')
    expect(state.refunds.map((r) => [r.id, r.status])).toEqual([
      ['r1', 'failed'],
      [view.id, 'requested'],
    ])
    // The return now names the refund that pays it.
    expect(state.returns[0]).toMatchObject({ status: 'received', refundId: view.id })
    expect(state.events.map((e) => e.type)).toEqual(['order.refund-requested', 'audit.recorded'])
    expect(state.events[0]!.data).toMatchObject({
      refundId: view.id,
      returnId: 'ret1',
      amount: usd(1000),
      reason: 'too big',
    })
    expect(state.events[1]!.data).toMatchObject({
      action: 'refund.retried',
      actor: { userId: 'staff' },
      entity: { type: 'order', id: 'o1' },
      before: { id: 'r1', status: 'failed' },
      after: { id: view.id, retryOf: 'r1' },
    })

    const again = await call('r1')
    expect(again).toMatchObject({ replayed: true, body: first.body })
    expect(state.refunds).toHaveLength(2)
    // Another key: the failed refund has its retry already.
    await expect(call('r1', 'other')).rejects.toMatchObject({
      code: 'ORDERS.REFUND_ALREADY_RETRIED',
      kind: 'conflict',
    })
  })

  it('retries a refund by amount with its amount', async () => {
    const { state, call } = fakes([refund({ lines: null, amount: usd(3500), returnId: null })], [])
    const view = JSON.parse((await call('r1')).body)
    expect(view).toMatchObject({ amount: usd(3500), retryOf: 'r1' })
    expect(view.lines).toBeUndefined()
    expect(state.events[0]!.data.lines).toBeUndefined()
  })

  it('refuses a refund not failed, not of the order, or past what is left', async () => {
    const { state, call } = fakes([
      refund({ id: 'r1', status: 'requested', failureReason: null }),
      refund({ id: 'r2', status: 'refunded', failureReason: null }),
      refund({ id: 'r3', lines: null, amount: usd(2000), returnId: null }),
    ])
    await expect(call('r1')).rejects.toMatchObject({
      code: 'ORDERS.REFUND_NOT_FAILED',
      kind: 'conflict',
    })
    await expect(call('r2')).rejects.toMatchObject({ code: 'ORDERS.REFUND_NOT_FAILED' })
    await expect(call('nope')).rejects.toMatchObject({
      code: 'ORDERS.REFUND_NOT_FOUND',
      kind: 'not_found',
    })
    await expect(call('r1', 'k', 'o2')).rejects.toMatchObject({ code: 'ORDERS.NOT_FOUND' })
    // 3500 captured, 2000 refunded or being refunded: 2000 more is too much.
    await expect(call('r3')).rejects.toMatchObject({ code: 'ORDERS.REFUND_EXCEEDS_CAPTURED' })
    expect(state.refunds).toHaveLength(3)
    expect(state.events).toEqual([])
  })

  it('counts a failed refund for nothing: a line refunded and failed may be retried in full', async () => {
    const { call } = fakes([
      refund({
        id: 'r1',
        lines: [{ productId: 'a', variantId: 'a', quantity: 3, amount: 3000 }],
        amount: usd(3000),
      }),
    ])
    const view = JSON.parse((await call('r1')).body)
    expect(view).toMatchObject({ amount: usd(3000), lines: [{ quantity: 3 }] })
  })
})
