/**
 * Spelling correction of a search (issue 17): a word of the search that is not a word of the
 * catalog's product names is replaced by the nearest one that is, by optimal string alignment
 * distance (Damerau-Levenshtein without edits of a substring edited before): "lmap" is one
 * transposition from "lamp", where pg_trgm sees almost no likeness. Pure: the vocabulary comes
 * from the caller (app/spelling.ts reads and caches it).
 */
import { usesWebsearchSyntax } from './search-plan.js'

/** One word of the vocabulary and in how many product names it is. */
export interface VocabularyEntry {
  word: string
  count: number
}

/** The catalog's words, ready for lookups (build it with `createVocabulary`). */
export interface Vocabulary {
  /** Whether a lower-cased word is a word of the catalog (then it is never corrected). */
  has(word: string): boolean
  /** The words a search's word may be corrected to, by length in code points, commonest first. */
  readonly byLength: ReadonlyMap<number, readonly VocabularyEntry[]>
  readonly size: number
}

/** At most this many words are read into the vocabulary, the commonest first. */
export const maxVocabularyWords = 10_000
/** How long a replica keeps the vocabulary before reading it again. */
export const vocabularyTtlMs = 60_000
/** A word longer than this (in code points) is left as it is: no name has such, and it costs. */
export const maxSpelledWordLength = 20
/** At most this many words of a search are looked up (a search box, not an essay). */
export const maxSpelledWords = 8
/** The shortest word of the vocabulary a search's word may become. */
const minTargetLength = 3

/**
 * How many edits a word of this length may be away from the word it is corrected to: none under
 * four letters (too many short words are one letter apart), one for four or five, two above.
 */
export function maxEdits(length: number): number {
  if (length < 4) return 0
  return length <= 5 ? 1 : 2
}

/** Lower-cased words, the commonest (then alphabetically) first, at most `maxVocabularyWords`. */
export function createVocabulary(entries: Iterable<VocabularyEntry>): Vocabulary {
  const counts = new Map<string, number>()
  for (const { word, count } of entries) {
    const lower = word.toLowerCase()
    counts.set(lower, (counts.get(lower) ?? 0) + count)
  }
  const sorted = [...counts]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || compareWords(a.word, b.word))
    .slice(0, maxVocabularyWords)
  const words = new Set(sorted.map((e) => e.word))
  const byLength = new Map<number, VocabularyEntry[]>()
  for (const entry of sorted) {
    const length = [...entry.word].length
    // Only words of letters are targets: "2024" never becomes "2023".
    if (length < minTargetLength || !/^\p{L}+$/u.test(entry.word)) continue
    const bucket = byLength.get(length)
    if (bucket) bucket.push(entry)
    else byLength.set(length, [entry])
  }
  return { has: (word) => words.has(word), byLength, size: words.size }
}

function compareWords(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The optimal string alignment distance of `a` and `b` (insertions, deletions, substitutions and
 * transpositions of adjacent letters, each counting one; no substring edited twice), by code
 * points. Stops early once it exceeds `max`, returning `max + 1`.
 */
export function osaDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const s = [...a]
  const t = [...b]
  if (Math.abs(s.length - t.length) > max) return max + 1
  if (s.length === 0 || t.length === 0) {
    const d = Math.max(s.length, t.length)
    return d > max ? max + 1 : d
  }
  let before = new Array<number>(t.length + 1).fill(0)
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j)
  let current = new Array<number>(t.length + 1).fill(0)
  for (let i = 1; i <= s.length; i++) {
    current[0] = i
    let rowMin = i
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d = Math.min(d, before[j - 2]! + 1)
      }
      current[j] = d
      if (d < rowMin) rowMin = d
    }
    // Every later cell is at least the smallest of this row (a transposition reads a row back,
    // but adds one to it, so it cannot go below it either).
    if (rowMin > max) return max + 1
    ;[before, previous, current] = [previous, current, before]
  }
  const d = previous[t.length]!
  return d > max ? max + 1 : d
}

/** The word of the vocabulary nearest to `word`, within its `maxEdits`, and how many compared. */
export function nearestWord(
  word: string,
  vocabulary: Vocabulary,
): { word: string | undefined; compared: number } {
  const length = [...word].length
  const max = maxEdits(length)
  let best: { entry: VocabularyEntry; distance: number } | undefined
  let compared = 0
  if (max === 0) return { word: undefined, compared }
  for (let l = Math.max(minTargetLength, length - max); l <= length + max; l++) {
    for (const entry of vocabulary.byLength.get(l) ?? []) {
      compared++
      const distance = osaDistance(word, entry.word, best?.distance ?? max)
      if (distance > (best?.distance ?? max)) continue
      if (
        !best ||
        distance < best.distance ||
        entry.count > best.entry.count ||
        (entry.count === best.entry.count && compareWords(entry.word, best.entry.word) < 0)
      ) {
        best = { entry, distance }
      }
    }
  }
  return { word: best?.entry.word, compared }
}

/** A search's spelling corrected: its text with the corrected words replaced, and what changed. */
export interface SpellCheck {
  /** The search with its unknown words replaced; undefined when no word was corrected. */
  corrected: string | undefined
  corrections: Array<{ from: string; to: string }>
  /** How many vocabulary words were compared (the work done, bounded whatever the search). */
  compared: number
}

/**
 * Corrects the words of a search that are not words of the catalog (see `maxEdits`), in place:
 * the rest of the text stays as typed. Words are runs of letters and digits, as in the prefix
 * query; a word with a digit, a word over `maxSpelledWordLength` and the words after the first
 * `maxSpelledWords` stay as they are, and a search in websearch syntax (a quoted phrase,
 * `-word`, `or`) is not corrected at all, since its words are not all meant to match.
 */
export function spellCheck(q: string, vocabulary: Vocabulary): SpellCheck {
  const corrections: SpellCheck['corrections'] = []
  let compared = 0
  if (usesWebsearchSyntax(q) || vocabulary.size === 0)
    return { corrected: undefined, corrections, compared }
  let seen = 0
  const corrected = q.replace(/[\p{L}\p{N}]+/gu, (word) => {
    if (++seen > maxSpelledWords) return word
    const lower = word.toLowerCase()
    const length = [...lower].length
    if (length > maxSpelledWordLength || /\p{N}/u.test(lower) || vocabulary.has(lower)) return word
    const nearest = nearestWord(lower, vocabulary)
    compared += nearest.compared
    if (nearest.word === undefined) return word
    corrections.push({ from: word, to: nearest.word })
    return nearest.word
  })
  return { corrected: corrections.length > 0 ? corrected : undefined, corrections, compared }
}
