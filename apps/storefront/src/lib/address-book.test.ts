import { describe, expect, it } from 'vitest'
import type { SavedAddress } from '../api/account'
import { withSaved } from './address-book'

const address = (id: string, isDefault = false): SavedAddress =>
  ({ id, name: `Name ${id}`, line1: `${id} Road`, isDefault }) as SavedAddress

describe('the address book after a save', () => {
  it('adds a new address last, or first as the only default', () => {
    const book = [address('a', true), address('b')]
    expect(withSaved(book, address('c')).map((a) => [a.id, a.isDefault])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ])
    expect(withSaved(book, address('c', true)).map((a) => [a.id, a.isDefault])).toEqual([
      ['c', true],
      ['a', false],
      ['b', false],
    ])
    expect(withSaved([], address('a', true))).toEqual([address('a', true)])
  })

  it('replaces an edited address in its place, or moves it first when made the default', () => {
    const book = [address('a', true), address('b'), address('c')]
    const edited = { ...address('b'), city: 'Potsdam' }
    expect(withSaved(book, edited)).toEqual([book[0], edited, book[2]])
    expect(withSaved(book, address('c', true)).map((a) => [a.id, a.isDefault])).toEqual([
      ['c', true],
      ['a', false],
      ['b', false],
    ])
  })
})
