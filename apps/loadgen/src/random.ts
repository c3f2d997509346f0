/** A source of numbers in [0, 1). */
export type Random = () => number

/** mulberry32: small, fast and seedable, so a run's choices can be replayed with `--seed`. */
export function createRandom(seed: number = Math.floor(Math.random() * 2 ** 32)): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [low, high]. */
export function between(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1))
}

/** One element, or undefined for an empty list. */
export function oneOf<T>(random: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)]
}

/**
 * Picks keys in proportion to their weights. Keys with a weight of 0 are never picked; at
 * least one weight must be positive.
 */
export function weightedPicker<K extends string>(
  weights: Partial<Record<K, number>>,
): (random: Random) => K {
  const entries = (Object.entries(weights) as Array<[K, number | undefined]>).filter(
    (entry): entry is [K, number] => entry[1] !== undefined && entry[1] > 0,
  )
  for (const [key, weight] of Object.entries(weights) as Array<[K, number | undefined]>) {
    if (weight !== undefined && !(Number.isFinite(weight) && weight >= 0))
      throw new RangeError(`weight of ${key} must be a number ≥ 0, not ${weight}`)
  }
  if (entries.length === 0) throw new RangeError('at least one weight must be above 0')
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
  const bounds: Array<[K, number]> = []
  let running = 0
  for (const [key, weight] of entries) bounds.push([key, (running += weight / total)])
  return (random) => {
    const x = random()
    for (const [key, bound] of bounds) if (x < bound) return key
    return bounds[bounds.length - 1]![0]
  }
}
