/**
 * The delay before retry number `attempt` (1 = after the first failure): exponential from
 * `baseMs`, capped at `capMs`, with equal jitter (between half and all of the step) so that
 * replicas spread out yet never retry at once. `random` is in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  options: { baseMs: number; capMs: number; random: () => number },
): number {
  const step = Math.min(options.capMs, options.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30))
  return Math.round(step / 2 + (options.random() * step) / 2)
}
