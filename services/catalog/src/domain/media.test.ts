import { describe, expect, it } from 'vitest'
import {
  checkGalleryOrder,
  checkImageHeader,
  defaultMediaLimits,
  matchesEtag,
  mediaUrl,
  normaliseAlt,
  primarySize,
  renditionSizes,
  sniffImageFormat,
} from './media.js'

const bytes = (...values: number[]) => Uint8Array.from(values)
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0))

describe('sniffImageFormat', () => {
  it('knows JPEG, PNG and WebP by their signatures', () => {
    expect(sniffImageFormat(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe('jpeg')
    expect(sniffImageFormat(bytes(0x89, ...ascii('PNG\r\n\x1a\n'), 0, 0))).toBe('png')
    expect(sniffImageFormat(bytes(...ascii('RIFF'), 1, 2, 3, 4, ...ascii('WEBPVP8 ')))).toBe('webp')
  })

  it('knows nothing else, whatever a client called it', () => {
    expect(sniffImageFormat(bytes(...ascii('GIF89a')))).toBeUndefined()
    expect(sniffImageFormat(bytes(...ascii('<svg xmlns="http://www.w3.org/2000/svg">')))).toBe(
      undefined,
    )
    expect(sniffImageFormat(bytes(...ascii('RIFF'), 1, 2, 3, 4, ...ascii('WAVE')))).toBe(undefined)
    expect(sniffImageFormat(bytes(...ascii('just some text')))).toBeUndefined()
    // Cut short: a signature's first bytes are not the signature.
    expect(sniffImageFormat(bytes(0xff, 0xd8))).toBeUndefined()
    expect(sniffImageFormat(bytes(0x89, ...ascii('PNG')))).toBeUndefined()
    expect(sniffImageFormat(bytes())).toBeUndefined()
  })
})

describe('checkImageHeader', () => {
  const limits = { maxBytes: 1000, maxPixels: 10_000, maxSide: 500 }

  it('passes a picture whose decoder agrees with its signature, within the limits', () => {
    expect(() =>
      checkImageHeader('png', { format: 'png', width: 100, height: 100 }, limits),
    ).not.toThrow()
    expect(() =>
      checkImageHeader('jpeg', { format: 'jpeg', width: 500, height: 20 }, limits),
    ).not.toThrow()
  })

  it('refuses a format the decoder names otherwise (415)', () => {
    expect(() => checkImageHeader('png', { format: 'svg', width: 10, height: 10 }, limits)).toThrow(
      expect.objectContaining({ kind: 'unsupported_media_type', status: 415 }),
    )
  })

  it('refuses too many pixels, a side too long, or no pixels (422)', () => {
    const dimensions = expect.objectContaining({
      code: 'CATALOG.IMAGE_DIMENSIONS',
      status: 422,
    })
    for (const [width, height] of [
      [101, 100],
      [501, 1],
      [1, 501],
      [0, 10],
      [10, 0],
      [1.5, 10],
    ] as const) {
      expect(() => checkImageHeader('png', { format: 'png', width, height }, limits)).toThrow(
        dimensions,
      )
    }
  })

  it('by default refuses a decompression bomb: a 20000-pixel side, or 50 megapixels', () => {
    const header = (width: number, height: number) => ({ format: 'png', width, height })
    expect(() => checkImageHeader('png', header(20_000, 20_000), defaultMediaLimits)).toThrow()
    expect(() => checkImageHeader('png', header(10_000, 5_000), defaultMediaLimits)).toThrow()
    expect(() => checkImageHeader('png', header(6_000, 4_000), defaultMediaLimits)).not.toThrow()
  })
})

describe('renditionSizes', () => {
  it('makes 320, 640 and 1280 of a large picture, keeping its aspect ratio', () => {
    expect(renditionSizes({ width: 4000, height: 3000 })).toEqual([
      { width: 320, height: 240 },
      { width: 640, height: 480 },
      { width: 1280, height: 960 },
    ])
  })

  it('never enlarges: the widths below the picture, then the picture as it is', () => {
    expect(renditionSizes({ width: 800, height: 400 })).toEqual([
      { width: 320, height: 160 },
      { width: 640, height: 320 },
      { width: 800, height: 400 },
    ])
    expect(renditionSizes({ width: 640, height: 640 })).toEqual([
      { width: 320, height: 320 },
      { width: 640, height: 640 },
    ])
    expect(renditionSizes({ width: 100, height: 50 })).toEqual([{ width: 100, height: 50 }])
  })

  it('keeps at least one pixel of height', () => {
    expect(renditionSizes({ width: 5000, height: 2 })[0]).toEqual({ width: 320, height: 1 })
  })
})

describe('primarySize and mediaUrl', () => {
  it('stands for a picture by its 640 size, or its largest when it is narrower', () => {
    const sizes = [320, 640, 1280].map((width) => ({ width, height: width }))
    expect(primarySize(sizes).width).toBe(640)
    expect(
      primarySize([
        { width: 500, height: 1 },
        { width: 320, height: 1 },
      ]).width,
    ).toBe(500)
    expect(
      primarySize([
        { width: 800, height: 1 },
        { width: 320, height: 1 },
      ]).width,
    ).toBe(800)
  })

  it('addresses a size under /api/v1/media', () => {
    expect(mediaUrl('m-1', 640)).toBe('/api/v1/media/m-1/640.webp')
    expect(mediaUrl('a/b', 320)).toBe('/api/v1/media/a%2Fb/320.webp')
  })
})

describe('checkGalleryOrder', () => {
  it('passes every picture once, in any order', () => {
    expect(() => checkGalleryOrder(['a', 'b', 'c'], ['c', 'a', 'b'])).not.toThrow()
    expect(() => checkGalleryOrder([], [])).not.toThrow()
  })

  it('names what is unknown, repeated or left out (422)', () => {
    const check = (requested: string[]) => {
      try {
        checkGalleryOrder(['a', 'b', 'c'], requested)
      } catch (error) {
        return error as { code: string; status: number; details: { errors: unknown[] } }
      }
      throw new Error('not refused')
    }
    expect(check(['a', 'b', 'x', 'c'])).toMatchObject({
      code: 'CATALOG.MEDIA_ORDER_MISMATCH',
      status: 422,
      details: { errors: [{ path: '/body/ids/2', message: 'is not in the gallery' }] },
    })
    expect(check(['a', 'a', 'b', 'c']).details.errors).toEqual([
      { path: '/body/ids/1', message: 'is repeated' },
    ])
    expect(check(['a', 'c']).details.errors).toEqual([
      { path: '/body/ids', message: 'leaves out b' },
    ])
  })
})

describe('normaliseAlt', () => {
  it('trims and makes runs of white space one space', () => {
    expect(normaliseAlt('  A  red\tlamp  ')).toBe('A red lamp')
    expect(normaliseAlt('   ')).toBe('')
  })
})

describe('matchesEtag', () => {
  it('compares weakly, in lists, and takes *', () => {
    expect(matchesEtag('"abc"', '"abc"')).toBe(true)
    expect(matchesEtag('W/"abc"', '"abc"')).toBe(true)
    expect(matchesEtag('"x", "abc"', '"abc"')).toBe(true)
    expect(matchesEtag('*', '"abc"')).toBe(true)
    expect(matchesEtag('"abd"', '"abc"')).toBe(false)
    expect(matchesEtag('abc', '"abc"')).toBe(false)
    expect(matchesEtag(undefined, '"abc"')).toBe(false)
    expect(matchesEtag('', '"abc"')).toBe(false)
  })
})
