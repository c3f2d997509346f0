import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { createSharpImages } from './sharp-images.js'

const images = createSharpImages()

/** A picture of `width` × `height` in `format`, drawn by sharp itself. */
function picture(format: 'jpeg' | 'png' | 'webp', width: number, height: number) {
  return sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } },
  })
    .toFormat(format)
    .toBuffer()
}

describe('createSharpImages', () => {
  it('reads the format and dimensions of JPEG, PNG and WebP headers', async () => {
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      expect(await images.header(await picture(format, 300, 200))).toEqual({
        format,
        width: 300,
        height: 200,
      })
    }
  })

  it('reports dimensions as shown: EXIF orientation applied', async () => {
    // Stored 300 wide and 200 high, but to be shown turned a quarter (orientation 6).
    const turned = await sharp(await picture('jpeg', 300, 200))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer()
    expect(await images.header(turned)).toMatchObject({ width: 200, height: 300 })
    const [size] = (await images.toWebp(turned, [{ width: 100, height: 150 }], 1e6))!
    expect(await sharp(size!.bytes).metadata()).toMatchObject({ width: 100, height: 150 })
  })

  it('reads no header from bytes that are no picture', async () => {
    expect(await images.header(Buffer.from('just some text, named image/png'))).toBeUndefined()
    expect(await images.header(Buffer.alloc(0))).toBeUndefined()
  })

  it('names SVG as svg (the caller refuses it)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    expect((await images.header(svg))?.format).toBe('svg')
  })

  it('writes each size as WebP, at exactly the size asked', async () => {
    const source = await picture('png', 1600, 1200)
    const sizes = [
      { width: 320, height: 240 },
      { width: 640, height: 480 },
      { width: 1280, height: 960 },
    ]
    const written = (await images.toWebp(source, sizes, 1e7))!
    expect(written.map(({ width, height }) => ({ width, height }))).toEqual(sizes)
    for (const [i, size] of written.entries()) {
      const meta = await sharp(size.bytes).metadata()
      expect(meta).toMatchObject({ format: 'webp', ...sizes[i] })
    }
    expect(written[0]!.bytes.length).toBeLessThan(written[2]!.bytes.length)
  })

  it('refuses to decode a damaged picture or one over the pixel limit', async () => {
    const jpeg = await picture('jpeg', 400, 400)
    const cut = jpeg.subarray(0, Math.floor(jpeg.length / 2))
    expect(await images.header(cut)).toBeDefined() // the header alone is intact
    expect(await images.toWebp(cut, [{ width: 320, height: 320 }], 1e6)).toBeUndefined()
    expect(await images.toWebp(jpeg, [{ width: 320, height: 320 }], 400 * 400 - 1)).toBe(undefined)
    expect(await images.toWebp(jpeg, [{ width: 320, height: 320 }], 400 * 400)).toHaveLength(1)
  })
})
