export interface DeliveryBatcherOptions<C, M> {
  /** Most deliveries in one batch. */
  maxBatch: number
  /**
   * How long a batch waits for more after its first delivery arrived while the consumer was
   * idle: 0 (no wait, one turn of the event loop) or a few milliseconds for a consumer whose
   * effect nobody waits for, so that a moderate rate still fills batches (fewer transactions).
   */
  lingerMs?: number
  /** Applies one batch (all from `channel`); the next starts once it settles. */
  run(channel: C, messages: M[]): Promise<void>
  onError(error: unknown): void
}

export interface DeliveryBatcher<C, M> {
  push(channel: C, message: M): void
  /** Resolves once every delivery pushed so far has been run. */
  idle(): Promise<void>
}

/**
 * Collects one consumer's deliveries into batches, run one at a time in arrival order (the
 * broker's): a batch is what arrived during one turn of the event loop, or while the previous
 * batch ran, up to `maxBatch`. Beyond `lingerMs` (default 0) it never waits for more: a lone
 * message is a batch of one.
 * A batch holds deliveries of one channel only, as their acks must go back on it.
 * Exported for any small writes worth gathering into one transaction the same way (the cart's
 * `cart.started` events, with a `null` channel).
 */
export function createDeliveryBatcher<C, M>(
  options: DeliveryBatcherOptions<C, M>,
): DeliveryBatcher<C, M> {
  const waiting: Array<{ channel: C; message: M }> = []
  let draining: Promise<void> | undefined

  async function drain(): Promise<void> {
    // Let the rest of this read from the socket arrive: amqplib emits a chunk's messages at once.
    const linger = options.lingerMs ?? 0
    await new Promise((resolve) =>
      linger > 0 ? setTimeout(resolve, linger) : setImmediate(resolve),
    )
    while (waiting.length > 0) {
      const { channel } = waiting[0]!
      let n = 1
      while (n < waiting.length && n < options.maxBatch && waiting[n]!.channel === channel) n++
      const batch = waiting.splice(0, n).map((w) => w.message)
      try {
        await options.run(channel, batch)
      } catch (error) {
        options.onError(error)
      }
    }
    draining = undefined
  }

  return {
    push(channel, message) {
      waiting.push({ channel, message })
      draining ??= drain()
    },
    idle: () => draining ?? Promise.resolve(),
  }
}
