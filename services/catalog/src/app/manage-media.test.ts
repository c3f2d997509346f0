import { describe, expect, it } from 'vitest'
import { createFakeMediaStore } from './media-fakes-test-support.js'
import {
  createDeleteMedia,
  createGetMediaFile,
  createListMedia,
  createReorderMedia,
  createUpdateMedia,
} from './manage-media.js'

const now = () => new Date('2026-12-01T10:00:00Z')

async function setUp() {
  const { store } = createFakeMediaStore(['p-1', 'p-2'])
  for (const id of ['a', 'b', 'c']) {
    await store.add({
      id,
      productId: 'p-1',
      alt: `picture ${id}`,
      source: { format: 'png', bytes: 10 },
      sizes: [{ width: 320, height: 200, etag: `etag-${id}`, bytes: Uint8Array.of(1, 2) }],
      now: now(),
    })
  }
  const deps = { media: store, now }
  return {
    list: createListMedia(deps),
    reorder: createReorderMedia(deps),
    update: createUpdateMedia(deps),
    remove: createDeleteMedia(deps),
    file: createGetMediaFile(deps),
  }
}

describe('managing a gallery', () => {
  it('lists a gallery in order, and 404 for an unknown product', async () => {
    const { list } = await setUp()
    const gallery = await list('p-1')
    expect(gallery.items.map((m) => m.id)).toEqual(['a', 'b', 'c'])
    expect(gallery.items[0]).toMatchObject({ alt: 'picture a', width: 320, height: 200 })
    expect((await list('p-2')).items).toEqual([])
    await expect(list('nope')).rejects.toMatchObject({ code: 'CATALOG.PRODUCT_NOT_FOUND' })
  })

  it('reorders, naming what a wrong order gets wrong (422)', async () => {
    const { reorder } = await setUp()
    expect((await reorder('p-1', ['c', 'a', 'b'])).items.map((m) => m.id)).toEqual(['c', 'a', 'b'])
    await expect(reorder('p-1', ['c', 'a'])).rejects.toMatchObject({
      code: 'CATALOG.MEDIA_ORDER_MISMATCH',
      status: 422,
      details: { errors: [{ path: '/body/ids', message: 'leaves out b' }] },
    })
    await expect(reorder('nope', [])).rejects.toMatchObject({ status: 404 })
  })

  it("changes a picture's alt text, normalised; tells an unknown picture from a product", async () => {
    const { update } = await setUp()
    expect(await update('p-1', 'b', { alt: ' A  red lamp ' })).toMatchObject({
      id: 'b',
      alt: 'A red lamp',
    })
    await expect(update('p-1', 'zzz', { alt: 'x' })).rejects.toMatchObject({
      code: 'CATALOG.MEDIA_NOT_FOUND',
    })
    await expect(update('p-2', 'a', { alt: 'x' })).rejects.toMatchObject({
      code: 'CATALOG.MEDIA_NOT_FOUND',
    })
    await expect(update('nope', 'a', { alt: 'x' })).rejects.toMatchObject({
      code: 'CATALOG.PRODUCT_NOT_FOUND',
    })
  })

  it('deletes a picture once', async () => {
    const { remove, list } = await setUp()
    await remove('p-1', 'b')
    expect((await list('p-1')).items.map((m) => m.id)).toEqual(['a', 'c'])
    await expect(remove('p-1', 'b')).rejects.toMatchObject({ code: 'CATALOG.MEDIA_NOT_FOUND' })
  })

  it("serves a size's file, and 404 for a width it does not have", async () => {
    const { file } = await setUp()
    expect(await file('a', 320)).toMatchObject({ contentType: 'image/webp', etag: 'etag-a' })
    await expect(file('a', 640)).rejects.toMatchObject({
      code: 'CATALOG.MEDIA_NOT_FOUND',
      status: 404,
    })
  })
})
