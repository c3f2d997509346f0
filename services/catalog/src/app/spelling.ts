import type { Logger } from '@emporium/platform/app'
import {
  createVocabulary,
  maxVocabularyWords,
  spellCheck,
  unknownWords,
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
 * Spelling correction with the catalog's vocabulary kept in memory by this replica. The first
 * search to need it waits for it to be read; once it is older than `ttlMs`, the next search
 * starts reading it again and is corrected with the one it has meanwhile (reading every name
 * takes about half a second at 100,000 products: no shopper waits for it). So a name added or
 * renamed is a correction within a minute or so by default. One read at a time. A first read
 * that fails fails the searches waiting for it; a later one is logged, the vocabulary kept, and
 * tried again by the next search.
 */
export function createSpelling(deps: {
  source: VocabularySource
  now: () => Date
  ttlMs?: number
  log?: Logger
}): Spelling {
  const ttlMs = deps.ttlMs ?? vocabularyTtlMs
  let cached: { vocabulary: Vocabulary; readAt: number } | undefined
  let reading: Promise<Vocabulary> | undefined

  function read(now: number): Promise<Vocabulary> {
    reading ??= deps.source
      .words(maxVocabularyWords)
      .then((words) => {
        const vocabulary = createVocabulary(words)
        cached = { vocabulary, readAt: now }
        return vocabulary
      })
      .finally(() => {
        reading = undefined
      })
    return reading
  }

  function vocabulary(): Promise<Vocabulary> {
    const now = deps.now().getTime()
    if (!cached) return read(now)
    // A clock moved back counts as stale too.
    if (now < cached.readAt || now - cached.readAt >= ttlMs) {
      read(now).catch((error: unknown) => {
        deps.log?.warn({ err: error }, 'reading the catalog vocabulary failed; kept the last one')
      })
    }
    return Promise.resolve(cached.vocabulary)
  }

  return {
    async correct(q) {
      const words = await vocabulary()
      const unknown = unknownWords(q, words)
      if (unknown.length === 0) return undefined
      // A word the search matches alone is right, if not a name's: "bright" of a description.
      return spellCheck(q, words, await deps.source.matching(unknown)).corrected
    },
  }
}
