import { describe, expect, it } from 'vitest'
import { between, createRandom, weightedPicker } from './random.js'

describe('createRandom', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = createRandom(42)
    const b = createRandom(42)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(createRandom(43)()).not.toBe(xs[0])
  })

  it('between covers both ends', () => {
    const random = createRandom(1)
    const seen = new Set(Array.from({ length: 500 }, () => between(random, 1, 3)))
    expect([...seen].sort()).toEqual([1, 2, 3])
  })
})

describe('weightedPicker', () => {
  it('picks in proportion to the weights and never a zero weight', () => {
    const pick = weightedPicker({ a: 3, b: 1, c: 0 })
    const random = createRandom(7)
    const counts = { a: 0, b: 0, c: 0 }
    for (let i = 0; i < 40_000; i++) counts[pick(random)]++
    expect(counts.c).toBe(0)
    expect(counts.a / 40_000).toBeCloseTo(0.75, 1)
    expect(counts.b / 40_000).toBeCloseTo(0.25, 1)
  })

  it('maps the edges of [0, 1) to the first and last keys', () => {
    const pick = weightedPicker({ a: 1, b: 1 })
    expect(pick(() => 0)).toBe('a')
    expect(pick(() => 0.4999)).toBe('a')
    expect(pick(() => 0.5)).toBe('b')
    expect(pick(() => 0.999999)).toBe('b')
  })

  it('refuses no positive weight and negative weights', () => {
    expect(() => weightedPicker({ a: 0 })).toThrow(/above 0/)
    expect(() => weightedPicker({ a: 1, b: -1 })).toThrow(/≥ 0/)
    expect(() => weightedPicker({ a: Number.NaN })).toThrow(/≥ 0/)
  })
})
