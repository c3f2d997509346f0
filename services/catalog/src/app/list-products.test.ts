import { describe, expect, it } from 'vitest'
import type { catalog } from '@emporium/contracts'
import { decodeCursor, type Cursor } from '../domain/cursor.js'
import type { ListCriteria } from '../domain/listing.js'
import { createListProducts } from './list-products.js'
import type { CatalogStore, ListPage, StoredMedia } from './ports.js'
import type { Spelling } from './spelling.js'

/**
 * A store that lists the products whose name has every word of the search, by id, and records
 * the searches it is asked; only what `listProducts` uses of a CatalogStore.
 */
function fakeStore(names: string[]) {
  const searches: Array<string | undefined> = []
  const store = {
    typoSearch: false,
    async listProducts(criteria: ListCriteria, after: Cursor | null): Promise<ListPage> {
      searches.push(criteria.q)
      const words = criteria.q?.toLowerCase().split(/\s+/) ?? []
      const matching = names
        .map((name, i) => ({ id: `p${i}`, name }))
        .filter((p) => words.every((w) => p.name.toLowerCase().split(' ').includes(w)))
        .filter((p) => !after || p.id > after.id)
      const page = matching.slice(0, criteria.limit)
      const last = page.at(-1)
      return {
        firstPictures: new Map(),
        items: page as unknown as catalog.Product[],
        next:
          matching.length > criteria.limit && last
            ? { sort: criteria.sort, key: '1', id: last.id }
            : null,
      }
    },
  }
  return { store: store as unknown as CatalogStore, searches }
}

/** Corrects "lmap" to "lamp" and a word of Cyrillic "лмапа" to "лампа", counting its calls. */
function fakeSpelling() {
  const calls: string[] = []
  const spelling: Spelling = {
    async correct(q) {
      calls.push(q)
      const corrected = q.replace(/\blmap\b/g, 'lamp').replace(/лмапа/g, 'лампа')
      return corrected === q ? undefined : corrected
    },
  }
  return { spelling, calls }
}

describe('createListProducts with spelling correction', () => {
  const names = ['Desk lamp', 'Floor lamp', 'Wall lamp', 'Oak desk']

  it('lists the corrected search when the words match nothing, and pages it', async () => {
    const { store, searches } = fakeStore(names)
    const { spelling } = fakeSpelling()
    const list = createListProducts({ store, spelling })
    const first = await list({ q: 'lmap', limit: 2 })
    expect(first.items.map((p) => p.name)).toEqual(['Desk lamp', 'Floor lamp'])
    expect(first.correctedQuery).toBe('lamp')
    expect(searches).toEqual(['lmap', 'lamp'])
    expect(decodeCursor(first.nextCursor!, 'relevance').spelled).toBe('lamp')
    const second = await list({ q: 'lmap', limit: 2, cursor: first.nextCursor! })
    expect(second.items.map((p) => p.name)).toEqual(['Wall lamp'])
    expect(second.correctedQuery).toBe('lamp')
    // The next page searches the corrected words at once.
    expect(searches).toEqual(['lmap', 'lamp', 'lamp'])
  })

  it('corrects nothing when the words match, and keeps an uncorrected list uncorrected', async () => {
    const { store, searches } = fakeStore(names)
    const { spelling, calls } = fakeSpelling()
    const list = createListProducts({ store, spelling })
    const first = await list({ q: 'lamp', limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(first).not.toHaveProperty('correctedQuery')
    await list({ q: 'lamp', limit: 2, cursor: first.nextCursor! })
    expect(calls).toEqual([])
    expect(searches).toEqual(['lamp', 'lamp'])
    // Nothing to correct to: the empty list stands.
    expect((await list({ q: 'zzzz' })).items).toEqual([])
  })

  it('corrects a search again on its next page when the cursor could not carry it', async () => {
    const cyrillic = ['Лампа один', 'Лампа два', 'Лампа три']
    const { store, searches } = fakeStore(cyrillic)
    const { spelling, calls } = fakeSpelling()
    const list = createListProducts({ store, spelling })
    // The longest search, of letters of two bytes: its corrected text is too long for a cursor.
    const q = ['лмапа', ...Array.from({ length: 32 }, () => 'лампа')].join(' ').slice(0, 200)
    const first = await list({ q, limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor!.length).toBeLessThanOrEqual(512)
    expect(decodeCursor(first.nextCursor!, 'relevance').spelled).toBe(true)
    const second = await list({ q, limit: 2, cursor: first.nextCursor! })
    expect(second.items).toHaveLength(1)
    expect(calls).toEqual([q, q])
    expect(searches.at(-1)).toBe(q.replace('лмапа', 'лампа'))
  })
})

describe('createListProducts thumbnails', () => {
  const picture = (productId: string, id: string): StoredMedia => ({
    id,
    productId,
    alt: `${id} alt`,
    sizes: [{ width: 320, height: 200, etag: `"${id}"` }],
    createdAt: '2026-12-05T00:00:00.000Z',
  })

  it('shows the first pictures the store read with the page, as public media', async () => {
    const { store } = fakeStore(['Desk lamp', 'Floor lamp', 'Oak desk'])
    const withPictures: CatalogStore = {
      ...store,
      typoSearch: false,
      async listProducts(criteria: ListCriteria, after: Cursor | null) {
        const page = await store.listProducts(criteria, after)
        return { ...page, firstPictures: new Map([['p1', picture('p1', 'm1')]]) }
      },
    }
    const page = await createListProducts({ store: withPictures })({ limit: 10 })
    expect(page.items.map((p) => p.thumbnail?.id)).toEqual([undefined, 'm1', undefined])
    expect(page.items[1]!.thumbnail).toMatchObject({
      alt: 'm1 alt',
      sizes: [{ width: 320, height: 200, url: '/api/v1/media/m1/320.webp' }],
    })
  })
})
