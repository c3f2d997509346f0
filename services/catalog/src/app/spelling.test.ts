import { describe, expect, it, vi } from 'vitest'
import type { Logger } from '@emporium/platform/app'
import { maxVocabularyWords } from '../domain/spelling.js'
import type { VocabularySource } from './ports.js'
import { createSpelling } from './spelling.js'

/** A vocabulary source over a list the test changes, counting its reads. */
function source(initial: string[]) {
  const state = {
    words: initial,
    reads: 0,
    limits: [] as number[],
    fail: false,
    matching: new Set<string>(),
    asked: [] as string[][],
  }
  const port: VocabularySource = {
    async matching(words) {
      state.asked.push(words)
      return new Set(words.filter((w) => state.matching.has(w)))
    },
    async words(limit) {
      state.reads++
      state.limits.push(limit)
      if (state.fail) throw new Error('database down')
      return state.words.map((word) => ({ word, count: 1 }))
    },
  }
  return { state, port }
}

describe('createSpelling', () => {
  it('corrects against the vocabulary it reads, at most maxVocabularyWords', async () => {
    const { state, port } = source(['lamp', 'desk'])
    const spelling = createSpelling({ source: port, now: () => new Date(0) })
    expect(await spelling.correct('dsek lmap')).toBe('desk lamp')
    expect(await spelling.correct('lamp')).toBeUndefined()
    expect(state.limits).toEqual([maxVocabularyWords])
  })

  it('leaves the words a search matches alone, asking about the unknown ones only', async () => {
    const { state, port } = source(['lamp', 'desk'])
    state.matching = new Set(['bright', 'lamps'])
    const spelling = createSpelling({ source: port, now: () => new Date(0) })
    // "bright" is a description's word, "lamps" a form of "lamp": right, if not names' words.
    expect(await spelling.correct('Bright lmap')).toBe('Bright lamp')
    expect(await spelling.correct('lamps dsek')).toBe('lamps desk')
    expect(state.asked).toEqual([
      ['bright', 'lmap'],
      ['lamps', 'dsek'],
    ])
    // Nothing to correct: nothing asked.
    expect(await spelling.correct('desk lamp oak')).toBeUndefined()
    expect(state.asked).toHaveLength(2)
  })

  it('keeps the vocabulary for its time, then reads it again behind the searches', async () => {
    const { state, port } = source(['lamp'])
    let clock = 0
    const spelling = createSpelling({ source: port, now: () => new Date(clock), ttlMs: 1_000 })
    expect(await spelling.correct('hamock')).toBeUndefined()
    state.words = ['lamp', 'hammock']
    clock = 999
    // Still the vocabulary read at 0.
    expect(await spelling.correct('hamock')).toBeUndefined()
    expect(state.reads).toBe(1)
    clock = 1_000
    // Stale: this search is corrected with the old one while the new one is read.
    expect(await spelling.correct('hamock')).toBeUndefined()
    expect(state.reads).toBe(2)
    await vi.waitFor(async () => expect(await spelling.correct('hamock')).toBe('hammock'))
    expect(state.reads).toBe(2)
    // A clock moved back is no reason to keep it.
    clock = 0
    await spelling.correct('hamock')
    expect(state.reads).toBe(3)
  })

  it('reads once for the searches that find it stale together', async () => {
    const { state, port } = source(['lamp'])
    const spelling = createSpelling({ source: port, now: () => new Date(0) })
    const all = await Promise.all(['lmap', 'lamb', 'lapm'].map((q) => spelling.correct(q)))
    expect(all).toEqual(['lamp', 'lamp', 'lamp'])
    expect(state.reads).toBe(1)
  })

  it('fails the searches of a failed first read, and reads again for the next', async () => {
    const { state, port } = source(['lamp'])
    const spelling = createSpelling({ source: port, now: () => new Date(0) })
    state.fail = true
    await expect(spelling.correct('lmap')).rejects.toThrow('database down')
    state.fail = false
    expect(await spelling.correct('lmap')).toBe('lamp')
    expect(state.reads).toBe(2)
  })

  it('keeps the vocabulary it has when reading it again fails, and logs it', async () => {
    const { state, port } = source(['lamp'])
    let clock = 0
    const warnings: unknown[] = []
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger
    const spelling = createSpelling({ source: port, now: () => new Date(clock), ttlMs: 10, log })
    expect(await spelling.correct('lmap')).toBe('lamp')
    state.fail = true
    clock = 10
    expect(await spelling.correct('lmap')).toBe('lamp')
    await vi.waitFor(() => expect(warnings).toHaveLength(1))
    state.fail = false
    state.words = ['lamp', 'hammock']
    expect(await spelling.correct('hamock')).toBeUndefined()
    await vi.waitFor(async () => expect(await spelling.correct('hamock')).toBe('hammock'))
    expect(state.reads).toBe(3)
  })
})
