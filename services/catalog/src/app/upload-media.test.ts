import { describe, expect, it } from 'vitest'
import { defaultMediaLimits, maxGallerySize, type ImageHeader } from '../domain/media.js'
import { createFakeImages, createFakeMediaStore } from './media-fakes-test-support.js'
import { createUploadMedia, etagOf } from './upload-media.js'

const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
const now = new Date('2026-12-01T10:00:00Z')

/** The use case over fakes whose decoder reads `header` (`unreadable`: no header at all). */
function setUp(header: ImageHeader | 'unreadable' = { format: 'png', width: 1000, height: 500 }) {
  const media = createFakeMediaStore(['p-1'])
  const fake = createFakeImages(header === 'unreadable' ? undefined : header)
  let ids = 0
  const upload = createUploadMedia({
    media: media.store,
    images: fake.images,
    limits: defaultMediaLimits,
    now: () => now,
    newId: () => `m-${++ids}`,
  })
  return { upload, ...fake, galleries: media.galleries }
}

describe('createUploadMedia', () => {
  it('resizes to the widths below the picture and its own, and adds it to the gallery', async () => {
    const { upload, calls, galleries } = setUp()
    const added = await upload({ productId: 'p-1', bytes: png, alt: '  A  lamp ' })
    expect(calls.toWebp).toEqual([
      [
        { width: 320, height: 160 },
        { width: 640, height: 320 },
        { width: 1000, height: 500 },
      ],
    ])
    expect(added).toEqual({
      id: 'm-1',
      alt: 'A lamp',
      width: 1000,
      height: 500,
      url: '/api/v1/media/m-1/640.webp',
      sizes: [
        { width: 320, height: 160, url: '/api/v1/media/m-1/320.webp' },
        { width: 640, height: 320, url: '/api/v1/media/m-1/640.webp' },
        { width: 1000, height: 500, url: '/api/v1/media/m-1/1000.webp' },
      ],
    })
    const stored = galleries.get('p-1')!
    expect(stored.map((m) => m.id)).toEqual(['m-1'])
    expect(stored[0]!.sizes[0]!.etag).toBe(etagOf(new TextEncoder().encode('webp 320x160')))
  })

  it('judges the bytes, not the label: a JPEG header under a PNG signature is refused', async () => {
    const { upload, calls } = setUp({ format: 'jpeg', width: 10, height: 10 })
    await expect(upload({ productId: 'p-1', bytes: png })).rejects.toMatchObject({
      code: 'CATALOG.IMAGE_TYPE_UNSUPPORTED',
      status: 415,
    })
    expect(calls.toWebp).toEqual([])
  })

  it('refuses bytes that are no picture before asking the decoder anything (415)', async () => {
    const { upload, calls } = setUp()
    const text = new TextEncoder().encode('hello, I am a picture')
    await expect(upload({ productId: 'p-1', bytes: text })).rejects.toMatchObject({
      code: 'CATALOG.IMAGE_TYPE_UNSUPPORTED',
    })
    expect(calls.header).toBe(0)
  })

  it('refuses an unreadable header or undecodable pixels (422)', async () => {
    const unreadable = setUp('unreadable')
    await expect(unreadable.upload({ productId: 'p-1', bytes: jpeg })).rejects.toMatchObject({
      code: 'CATALOG.IMAGE_UNREADABLE',
      status: 422,
    })
    const damaged = setUp({ format: 'jpeg', width: 100, height: 100 })
    damaged.failRendering()
    await expect(damaged.upload({ productId: 'p-1', bytes: jpeg })).rejects.toMatchObject({
      code: 'CATALOG.IMAGE_UNREADABLE',
    })
    expect(damaged.galleries.get('p-1')).toEqual([])
  })

  it('refuses a decompression bomb from its header, decoding nothing (422)', async () => {
    const { upload, calls } = setUp({ format: 'png', width: 30_000, height: 30_000 })
    await expect(upload({ productId: 'p-1', bytes: png })).rejects.toMatchObject({
      code: 'CATALOG.IMAGE_DIMENSIONS',
      status: 422,
    })
    expect(calls.toWebp).toEqual([])
  })

  it('answers 404 for an unknown product before decoding', async () => {
    const { upload, calls } = setUp()
    await expect(upload({ productId: 'nope', bytes: png })).rejects.toMatchObject({
      code: 'CATALOG.PRODUCT_NOT_FOUND',
      status: 404,
    })
    expect(calls.toWebp).toEqual([])
  })

  it('answers 409 when the gallery is full', async () => {
    const { upload } = setUp()
    for (let i = 0; i < maxGallerySize; i++) await upload({ productId: 'p-1', bytes: png })
    await expect(upload({ productId: 'p-1', bytes: png })).rejects.toMatchObject({
      code: 'CATALOG.GALLERY_FULL',
      status: 409,
    })
  })
})
