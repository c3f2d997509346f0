import { describe, expect, it } from 'vitest'
import {
  createVocabulary,
  maxEdits,
  maxSpelledWords,
  maxVocabularyWords,
  nearestWord,
  osaDistance,
  spellCheck,
  unknownWords,
  type VocabularyEntry,
} from './spelling.js'

const words = (...list: Array<string | [string, number]>): VocabularyEntry[] =>
  list.map((w) => (typeof w === 'string' ? { word: w, count: 1 } : { word: w[0], count: w[1] }))

/** A distinct word of letters for each number, of 1 to 4 letters. */
const letters = (n: number): string =>
  n < 26 ? String.fromCharCode(97 + n) : letters(Math.floor(n / 26) - 1) + letters(n % 26)

const catalog = createVocabulary(
  words(
    ['lamp', 5],
    ['desk', 3],
    'floor',
    'lampshade',
    'oak',
    'larch',
    'bookshelf',
    'walnut',
    'chair',
    'hammock',
    't',
    'shirt',
    'café',
    '2024',
  ),
)

describe('osaDistance', () => {
  it('counts a transposition of neighbours as one edit', () => {
    expect(osaDistance('lmap', 'lamp')).toBe(1)
    expect(osaDistance('almp', 'lamp')).toBe(1)
    expect(osaDistance('lapm', 'lamp')).toBe(1)
  })

  it('counts insertions, deletions and substitutions as one edit each', () => {
    expect(osaDistance('lamp', 'lamp')).toBe(0)
    expect(osaDistance('lammp', 'lamp')).toBe(1)
    expect(osaDistance('lap', 'lamp')).toBe(1)
    expect(osaDistance('lamb', 'lamp')).toBe(1)
    expect(osaDistance('hamock', 'hammock')).toBe(1)
    expect(osaDistance('bokshefl', 'bookshelf')).toBe(2)
    expect(osaDistance('', 'lamp')).toBe(4)
    expect(osaDistance('lamp', '')).toBe(4)
    expect(osaDistance('kitten', 'sitting')).toBe(3)
  })

  it('is the restricted distance: no substring edited twice', () => {
    // Damerau-Levenshtein proper says 2 (ca → ac → abc); optimal string alignment says 3.
    expect(osaDistance('ca', 'abc')).toBe(3)
  })

  it('counts code points, not UTF-16 units', () => {
    expect(osaDistance('cafe', 'café')).toBe(1)
    expect(osaDistance('😀a', 'a😀')).toBe(1)
  })

  it('stops past the bound it is given', () => {
    expect(osaDistance('lamp', 'walnut', 1)).toBe(2)
    expect(osaDistance('a', 'abcdef', 2)).toBe(3)
    expect(osaDistance('lmap', 'lamp', 1)).toBe(1)
  })
})

/** Optimal string alignment as the textbook writes it: the whole table, no bound. */
function reference(a: string, b: string): number {
  const s = [...a]
  const t = [...b]
  const d = Array.from({ length: s.length + 1 }, (_, i) =>
    Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
      }
    }
  }
  return d[s.length]![t.length]!
}

describe('osaDistance against the whole table', () => {
  it('agrees on many words of a small alphabet, within any bound', () => {
    let seed = 17
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    const word = () =>
      Array.from({ length: Math.floor(random() * 9) }, () => 'abc'[Math.floor(random() * 3)]).join(
        '',
      )
    for (let n = 0; n < 3_000; n++) {
      const [a, b] = [word(), word()]
      const exact = reference(a, b)
      expect(osaDistance(a, b), `${a} ${b}`).toBe(exact)
      for (const max of [0, 1, 2, 3]) {
        expect(osaDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(exact, max + 1))
      }
    }
  })
})

describe('maxEdits', () => {
  it('allows none under four letters, one for four and five, two above', () => {
    expect([1, 2, 3, 4, 5, 6, 12].map(maxEdits)).toEqual([0, 0, 0, 1, 1, 2, 2])
  })
})

describe('spellCheck', () => {
  const fix = (q: string) => spellCheck(q, catalog).corrected

  it('corrects a transposition, an insertion, a deletion and a substitution', () => {
    expect(fix('lmap')).toBe('lamp')
    expect(fix('lammp')).toBe('lamp')
    expect(fix('hamock')).toBe('hammock')
    expect(fix('lamb')).toBe('lamp')
    expect(fix('walnutt')).toBe('walnut')
  })

  it('allows two edits in longer words only', () => {
    expect(fix('bokshefl')).toBe('bookshelf')
    // Two edits from "lamp", "larch" and "chair": too many for four or five letters.
    expect(fix('lmpa')).toBeUndefined()
    expect(fix('lrahc')).toBeUndefined()
    expect(fix('chari')).toBe('chair')
  })

  it('leaves words of the catalog, short words, numbers and unknown words alone', () => {
    expect(fix('lamp')).toBeUndefined()
    expect(fix('Desk LAMP')).toBeUndefined()
    expect(fix('oek')).toBeUndefined()
    expect(fix('2023')).toBeUndefined()
    expect(fix('usb3')).toBeUndefined()
    expect(fix('zzzzzz')).toBeUndefined()
  })

  it('replaces only the misspelled words, keeping the rest as typed', () => {
    expect(fix('Desk  lmap!')).toBe('Desk  lamp!')
    expect(spellCheck('walnut lmap', catalog).corrections).toEqual([{ from: 'lmap', to: 'lamp' }])
    expect(fix('t-shrit')).toBe('t-shirt')
  })

  it('breaks a tie by how common the word is, then alphabetically', () => {
    const v = createVocabulary(words(['card', 1], ['cart', 4], ['care', 1], ['cord', 9]))
    // "carx" is one from card, cart and care: cart is commonest.
    expect(spellCheck('carx', v).corrected).toBe('cart')
    const even = createVocabulary(words('card', 'care'))
    expect(spellCheck('carx', even).corrected).toBe('card')
    // A nearer word wins over a commoner one.
    expect(spellCheck('cordd', v).corrected).toBe('cord')
  })

  it('leaves the words it is told are right', () => {
    expect(spellCheck('brigth lmap', catalog, new Set(['brigth'])).corrected).toBe('brigth lamp')
    expect(spellCheck('lamb', catalog, new Set(['lamb'])).corrected).toBeUndefined()
  })

  it('names the words it would correct, each once', () => {
    expect(unknownWords('Lmap desk LMAP oak zzzzzz 2023 lamp', catalog)).toEqual(['lmap', 'zzzzzz'])
    expect(unknownWords('lmap -desk', catalog)).toEqual([])
    const many = Array.from({ length: 20 }, (_, i) => `word${'abcdefghijklmnopqrst'[i]}x`)
    expect(unknownWords(many.join(' '), catalog)).toHaveLength(maxSpelledWords)
    expect(unknownWords('q'.repeat(21), catalog)).toEqual([])
  })

  it('leaves a search in websearch syntax as it is', () => {
    expect(fix('lmap -desk')).toBeUndefined()
    expect(fix('"lmap"')).toBeUndefined()
    expect(fix('lmap or dsek')).toBeUndefined()
  })

  it('bounds the work whatever the search', () => {
    const big = createVocabulary(
      Array.from({ length: maxVocabularyWords * 2 }, (_, i) => ({ word: letters(i), count: 1 })),
    )
    expect(big.size).toBe(maxVocabularyWords)
    // Long words are never looked up, however many.
    const long = Array.from({ length: 500 }, () => 'q'.repeat(1_000)).join(' ')
    expect(spellCheck(long, big)).toEqual({ corrected: undefined, corrections: [], compared: 0 })
    // Many words: the first few only, each against the words of a near length only.
    const many = Array.from({ length: 500 }, () => 'qqqq').join(' ')
    const { compared } = spellCheck(many, big)
    const near = [3, 4, 5].reduce((n, l) => n + (big.byLength.get(l)?.length ?? 0), 0)
    expect(near).toBeGreaterThan(0)
    expect(compared).toBe(maxSpelledWords * near)
  })

  it('corrects nothing with an empty vocabulary', () => {
    expect(spellCheck('lmap', createVocabulary([])).corrected).toBeUndefined()
  })
})

describe('nearestWord', () => {
  it('compares only words within the edits allowed of its length', () => {
    const { word, compared } = nearestWord('lmap', catalog)
    expect(word).toBe('lamp')
    // lamp, desk, oak (3 letters), floor, larch, chair, shirt, café: not the longer ones.
    expect(compared).toBe(8)
  })
})
