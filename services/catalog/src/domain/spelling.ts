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

/** A word a search's word may become, with its code points. */
export interface Target extends VocabularyEntry {
  points: readonly number[]
}

/** The catalog's words, ready for lookups (build it with `createVocabulary`). */
export interface Vocabulary {
  /** Whether a lower-cased word is a word of the catalog (then it is never corrected). */
  has(word: string): boolean
  /** The words a search's word may be corrected to, by length in code points, commonest first. */
  readonly byLength: ReadonlyMap<number, readonly Target[]>
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
  const byLength = new Map<number, Target[]>()
  for (const entry of sorted) {
    const points = codePoints(entry.word)
    // Only words of letters are targets: "2024" never becomes "2023".
    if (points.length < minTargetLength || !/^\p{L}+$/u.test(entry.word)) continue
    const target = { ...entry, points }
    const bucket = byLength.get(points.length)
    if (bucket) bucket.push(target)
    else byLength.set(points.length, [target])
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
  const s = codePoints(a)
  const t = codePoints(b)
  const bound = Math.min(max, Math.max(s.length, t.length))
  const d = boundedDistance(s, t, bound, rowsFor(t.length))
  return d > bound ? max + 1 : d
}

function codePoints(word: string): number[] {
  return Array.from(word, (c) => c.codePointAt(0)!)
}

function rowsFor(length: number): [Int32Array, Int32Array, Int32Array] {
  return [new Int32Array(length + 1), new Int32Array(length + 1), new Int32Array(length + 1)]
}

/**
 * `osaDistance` of code points, in `rows` (three of at least `t.length + 1`, reused between
 * calls: no allocation per word compared), computing only the cells within `max` of the
 * diagonal, since a path through any other is longer than `max` anyway. `max + 1` when over.
 */
function boundedDistance(
  s: readonly number[],
  t: readonly number[],
  max: number,
  rows: [Int32Array, Int32Array, Int32Array],
): number {
  const n = s.length
  const m = t.length
  const over = max + 1
  if (Math.abs(n - m) > max) return over
  let [before, previous, current] = rows
  for (let j = 0; j <= m; j++) previous[j] = j <= max ? j : over
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max)
    const hi = Math.min(m, i + max)
    current[0] = i <= max ? i : over
    if (lo > 1) current[lo - 1] = over
    let rowMin = current[0]!
    for (let j = lo; j <= hi; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d = Math.min(d, before[j - 2]! + 1)
      }
      current[j] = d
      if (d < rowMin) rowMin = d
    }
    if (hi < m) current[hi + 1] = over
    // Every later cell is at least the smallest of this row: a transposition reads the row
    // before, but the cell it reads is at most one below one of this row's.
    if (rowMin > max) return over
    ;[before, previous, current] = [previous, current, before]
  }
  return Math.min(previous[m]!, over)
}

/** The word of the vocabulary nearest to `word`, within its `maxEdits`, and how many compared. */
export function nearestWord(
  word: string,
  vocabulary: Vocabulary,
): { word: string | undefined; compared: number } {
  const points = codePoints(word)
  const max = maxEdits(points.length)
  let best: { entry: Target; distance: number } | undefined
  let compared = 0
  if (max === 0) return { word: undefined, compared }
  const rows = rowsFor(points.length + max)
  for (let l = Math.max(minTargetLength, points.length - max); l <= points.length + max; l++) {
    for (const entry of vocabulary.byLength.get(l) ?? []) {
      compared++
      const bound = best?.distance ?? max
      const distance = boundedDistance(points, entry.points, bound, rows)
      if (distance > bound) continue
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
 * The words of a search `spellCheck` would try to correct (lower-cased, each once): words of
 * four letters or more, without a digit, of at most `maxSpelledWordLength`, among its first
 * `maxSpelledWords`, that are not words of the vocabulary; none for a search in websearch syntax
 * (a quoted phrase, `-word`, `or`), whose words are not all meant to match.
 */
export function unknownWords(q: string, vocabulary: Vocabulary): string[] {
  if (usesWebsearchSyntax(q) || vocabulary.size === 0) return []
  const words = (q.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, maxSpelledWords)
  const unknown = new Set<string>()
  for (const word of words) {
    const lower = word.toLowerCase()
    if (isCorrectable(lower, vocabulary)) unknown.add(lower)
  }
  return [...unknown]
}

function isCorrectable(lower: string, vocabulary: Vocabulary): boolean {
  const length = [...lower].length
  return (
    maxEdits(length) > 0 &&
    length <= maxSpelledWordLength &&
    !/\p{N}/u.test(lower) &&
    !vocabulary.has(lower)
  )
}

/**
 * Corrects the words of a search that are not words of the catalog (`unknownWords`), in place:
 * the rest of the text stays as typed. `known` are words to leave as they are all the same
 * (lower-cased): those the search matches alone, in a description or as another form of a word
 * (`lamps`), which the vocabulary of names does not have.
 */
export function spellCheck(
  q: string,
  vocabulary: Vocabulary,
  known: ReadonlySet<string> = new Set(),
): SpellCheck {
  const corrections: SpellCheck['corrections'] = []
  let compared = 0
  if (usesWebsearchSyntax(q) || vocabulary.size === 0) {
    return { corrected: undefined, corrections, compared }
  }
  let seen = 0
  const corrected = q.replace(/[\p{L}\p{N}]+/gu, (word) => {
    if (++seen > maxSpelledWords) return word
    const lower = word.toLowerCase()
    if (!isCorrectable(lower, vocabulary) || known.has(lower)) return word
    const nearest = nearestWord(lower, vocabulary)
    compared += nearest.compared
    if (nearest.word === undefined) return word
    corrections.push({ from: word, to: nearest.word })
    return nearest.word
  })
  return { corrected: corrections.length > 0 ? corrected : undefined, corrections, compared }
}
