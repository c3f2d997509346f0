import {
  createVocabulary,
  maxVocabularyWords,
  spellCheck,
  vocabularyTtlMs,
  type Vocabulary,
} from '../domain/spelling.js'
import type { VocabularySource } from './ports.js'

/** Corrects a search's spelling against the catalog's words (see domain/spelling.ts). */
export interface Spelling {
  /** The search with its misspelled words corrected; undefined when none is. */
  correct(q: string): Promise<string | undefined>
}

/**
 * Spelling correction with the catalog's vocabulary kept in memory by this replica: read on first
 * use, and again on the first use more than `ttlMs` after (so a name added or renamed is a word
 * of the vocabulary within a minute by default). One read at a time: the searches that find it
 * stale wait for the same read. A read that fails fails those searches and is tried again by the
 * next one.
 */
export function createSpelling(deps: {
  source: VocabularySource
  now: () => Date
  ttlMs?: number
}): Spelling {
  const ttlMs = deps.ttlMs ?? vocabularyTtlMs
  let cached: { vocabulary: Vocabulary; readAt: number } | undefined
  let reading: Promise<Vocabulary> | undefined

  function vocabulary(): Promise<Vocabulary> {
    const now = deps.now().getTime()
    // A clock moved back counts as stale too.
    if (cached && now >= cached.readAt && now - cached.readAt < ttlMs) {
      return Promise.resolve(cached.vocabulary)
    }
    reading ??= deps.source
      .words(maxVocabularyWords)
      .then((words) => {
        const read = createVocabulary(words)
        cached = { vocabulary: read, readAt: now }
        return read
      })
      .finally(() => {
        reading = undefined
      })
    return reading
  }

  return {
    async correct(q) {
      return spellCheck(q, await vocabulary()).corrected
    },
  }
}
