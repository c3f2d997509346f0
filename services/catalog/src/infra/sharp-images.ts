import sharp from 'sharp'
import type { ImageProcessor } from '../app/ports.js'

export interface SharpImagesOptions {
  /** WebP quality, 1 to 100 (default 80). */
  quality?: number
}

/**
 * Pictures read and resized by sharp (libvips). Every decode is told the caller's pixel limit and
 * to fail on the first warning (`failOn: 'warning'`, sharp's advice for untrusted input), so a
 * truncated or damaged file is refused rather than half-drawn. Only the first frame of an
 * animated picture is read.
 */
export function createSharpImages(options: SharpImagesOptions = {}): ImageProcessor {
  const quality = options.quality ?? 80
  return {
    async header(bytes) {
      try {
        // No pixel limit here: the header is read, not the pixels, and the caller's rule then
        // names the dimensions it refuses (sharp's default limit would make it unreadable).
        const meta = await sharp(bytes, { failOn: 'warning', limitInputPixels: false }).metadata()
        return { format: meta.format, width: meta.autoOrient.width, height: meta.autoOrient.height }
      } catch {
        return undefined
      }
    },

    async toWebp(bytes, sizes, maxPixels) {
      try {
        // Decoded once; each size is resized from the same decoded picture.
        const decoded = sharp(bytes, {
          failOn: 'warning',
          limitInputPixels: maxPixels,
          autoOrient: true,
          pages: 1,
        })
        return await Promise.all(
          sizes.map(async (size) => {
            const { data, info } = await decoded
              .clone()
              .resize({ width: size.width, height: size.height, fit: 'fill' })
              .webp({ quality })
              .toBuffer({ resolveWithObject: true })
            return { width: info.width, height: info.height, bytes: data }
          }),
        )
      } catch {
        return undefined
      }
    },
  }
}
