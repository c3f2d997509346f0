import { randomUUID } from 'node:crypto'
import type { Money } from '@emporium/contracts'
import { cardBrand, last4Of } from '../domain/card.js'
import {
  ProviderTransientError,
  type AuthorizeResult,
  type CaptureResult,
  type PaymentProvider,
  type VoidResult,
} from '../app/ports.js'

/** The simulated acquirer's memory (its own table in production, a map in unit tests). */
export interface AcquirerStore {
  read(key: string): Promise<string | undefined>
  /** Several keys in one read (a store without it is read key by key). */
  readMany?(keys: readonly string[]): Promise<Map<string, string>>
  /** Stores `value` unless the key holds one; returns what the key holds then (first wins). */
  writeOnce(key: string, value: string): Promise<string>
  /** Adds one to the counter under `key`; returns the new count. */
  increment(key: string): Promise<number>
}

/** How a tokenized card behaves at authorization (API.md's test cards). */
export type CardBehaviour = 'approve' | 'card_declined' | 'insufficient_funds' | 'flaky' | 'slow'

/** API.md's test cards; any other valid card is approved. */
export const testCards: Readonly<Record<string, CardBehaviour>> = {
  '4242424242424242': 'approve',
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000119': 'flaky',
  '4000000000000259': 'slow',
}

/** The flaky card fails this many authorize attempts (per idempotency key), then approves. */
const flakyFailures = 2

interface TokenEntry {
  behaviour: CardBehaviour
  last4: string
  brand: string
}

interface Operation<R> {
  /** What the request was, so that a key reused for another request is refused. */
  request: string
  result: R
}

/**
 * The built-in provider: an acquirer simulated from API.md's test cards, with a real PSP's
 * contract. It keeps its own state (tokens → behaviour, last4 and brand, never the number;
 * results by idempotency key; attempt counts) in `store`, and answers a repeated idempotency key
 * with the first result, at once and without a second effect. Only the first answer to the slow
 * card's authorization is slow.
 */
export function createSimulatedProvider(deps: {
  store: AcquirerStore
  slowMs: number
  sleep?: (ms: number) => Promise<void>
}): PaymentProvider {
  const { store } = deps
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)))

  async function readMany(keys: readonly string[]): Promise<Map<string, string>> {
    if (store.readMany) return store.readMany(keys)
    const found = new Map<string, string>()
    for (const key of keys) {
      const value = await store.read(key)
      if (value !== undefined) found.set(key, value)
    }
    return found
  }

  /**
   * Runs `effect` once per idempotency key; a repeat returns the stored first result. The keys in
   * `alsoRead` are read with the operation's own, in one read, and handed to `effect`.
   */
  async function once<R>(
    key: string,
    request: unknown,
    effect: (known: Map<string, string>) => Promise<R>,
    alsoRead: readonly string[] = [],
  ): Promise<{ result: R; first: boolean; known: Map<string, string> }> {
    const fingerprint = JSON.stringify(request)
    const known = await readMany([`op:${key}`, ...alsoRead])
    const stored = known.get(`op:${key}`)
    if (stored !== undefined) {
      return { result: replay<R>(key, stored, fingerprint), first: false, known }
    }
    const result = await effect(known)
    const value = JSON.stringify({ request: fingerprint, result } satisfies Operation<R>)
    const winner = await store.writeOnce(`op:${key}`, value)
    return { result: replay<R>(key, winner, fingerprint), first: winner === value, known }
  }

  function replay<R>(key: string, stored: string, fingerprint: string): R {
    const operation = JSON.parse(stored) as Operation<R>
    if (operation.request !== fingerprint) {
      // Stripe answers 400 idempotency_error: a bug of the caller, not worth retrying.
      throw new Error(`idempotency key ${key} was used for a different request`)
    }
    return operation.result
  }

  /**
   * Records the one effect allowed on `target` (a capture of an authorization, a refund of a
   * capture): its id, or the id a concurrent request with the same key recorded; undefined when
   * a request with another key had it.
   */
  async function effectOnce(target: string, key: string, prefix: string) {
    const mine = JSON.stringify({ key, id: `${prefix}_sim_${randomUUID()}` })
    const winner = JSON.parse(await store.writeOnce(target, mine)) as { key: string; id: string }
    return winner.key === key ? winner.id : undefined
  }

  function entry(known: Map<string, string>, token: string): TokenEntry | undefined {
    const stored = known.get(`token:${token}`)
    return stored === undefined ? undefined : (JSON.parse(stored) as TokenEntry)
  }

  return {
    async tokenize(card) {
      const token = `tok_sim_${randomUUID()}`
      const value: TokenEntry = {
        behaviour: testCards[card.cardNumber] ?? 'approve',
        last4: last4Of(card.cardNumber),
        brand: cardBrand(card.cardNumber),
      }
      await store.writeOnce(`token:${token}`, JSON.stringify(value))
      return { token, last4: value.last4, brand: value.brand }
    },

    async authorize({ idempotencyKey, token, amount }) {
      const { result, first, known } = await once<AuthorizeResult>(
        idempotencyKey,
        { token, amount },
        async (known) => {
          const card = entry(known, token)
          if (!card) return { ok: false, reason: 'invalid_payment_method' }
          if (card.behaviour === 'flaky') {
            const attempt = await store.increment(`attempts:${idempotencyKey}`)
            if (attempt <= flakyFailures) {
              throw new ProviderTransientError(`simulated provider error (attempt ${attempt})`)
            }
          }
          if (card.behaviour === 'card_declined' || card.behaviour === 'insufficient_funds') {
            return { ok: false, reason: card.behaviour }
          }
          const authorizationId = `auth_sim_${randomUUID()}`
          await store.writeOnce(
            `authorization:${authorizationId}`,
            JSON.stringify({ token, amount } satisfies { token: string; amount: Money }),
          )
          return { ok: true, authorizationId }
        },
        [`token:${token}`],
      )
      if (first && entry(known, token)?.behaviour === 'slow') await sleep(deps.slowMs)
      return result
    },

    async capture({ idempotencyKey, authorizationId, amount }) {
      const { result } = await once<CaptureResult>(
        idempotencyKey,
        { authorizationId, amount },
        async (known) => {
          const held = known.get(`authorization:${authorizationId}`)
          if (held === undefined) return { ok: false, reason: 'authorization_not_found' }
          if (known.has(`voided:${authorizationId}`)) {
            return { ok: false, reason: 'authorization_voided' }
          }
          if ((JSON.parse(held) as { amount: Money }).amount.amount < amount.amount) {
            return { ok: false, reason: 'amount_too_large' }
          }
          // One capture per authorization, whatever the key; a concurrent twin (same key) gets
          // the same capture.
          const captureId = await effectOnce(`captured:${authorizationId}`, idempotencyKey, 'cap')
          return captureId ? { ok: true, captureId } : { ok: false, reason: 'already_captured' }
        },
        [`authorization:${authorizationId}`, `voided:${authorizationId}`],
      )
      return result
    },

    async refund({ idempotencyKey, captureId, amount, partialRefundId }) {
      const { result } = await once(idempotencyKey, { captureId, amount }, async () => {
        // A partial refund is one of several on the capture, once per its id (issue 19).
        const target = partialRefundId
          ? `refunded:${captureId}:${partialRefundId}`
          : `refunded:${captureId}`
        const refundId = await effectOnce(target, idempotencyKey, 're')
        if (!refundId) throw new Error(`capture ${captureId} is refunded already`)
        return { refundId }
      })
      return result
    },

    async void({ idempotencyKey, authorizationId }) {
      const { result } = await once<VoidResult>(idempotencyKey, { authorizationId }, async () => {
        // As at a real PSP, a captured hold cannot be voided (the caller refunds it instead);
        // read now, not with the key: a capture may land while this void is under way.
        if ((await store.read(`captured:${authorizationId}`)) !== undefined) {
          return { ok: false, reason: 'already_captured' }
        }
        const voidId = `void_sim_${randomUUID()}`
        await store.writeOnce(`voided:${authorizationId}`, voidId)
        return { ok: true, voidId }
      })
      return result
    },
  }
}
