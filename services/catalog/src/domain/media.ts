import { AppError } from '@emporium/platform/errors'

/**
 * Product media (issue 17): the rules of an uploaded picture, its sizes and its gallery, with no
 * I/O. The bytes decide what a file is, never the client's `content-type`.
 */

/** The formats an admin may upload. */
export const imageFormats = ['jpeg', 'png', 'webp'] as const
export type ImageFormat = (typeof imageFormats)[number]

/** What the image decoder says of the bytes, before any pixel is decoded. */
export interface ImageHeader {
  /** The decoder's name of the format (`jpeg`, `png`, `webp`, `svg`, `gif`, …). */
  format: string
  /** Width and height as shown: EXIF orientation applied (a portrait photo is taller than wide). */
  width: number
  height: number
}

export interface MediaLimits {
  /** Largest upload, in bytes (CATALOG_MEDIA_MAX_BYTES; more is a 413 before it is read). */
  maxBytes: number
  /**
   * Most pixels of a picture: a small file that declares huge dimensions (a decompression bomb)
   * is refused from its header, and the decoder is told the same limit.
   */
  maxPixels: number
  /** Longest side, in pixels. */
  maxSide: number
}

export const defaultMediaLimits: MediaLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxSide: 12_000,
}

/** The widths every upload is resized to (as WebP), never enlarged. */
export const renditionTargets = [320, 640, 1280] as const

/** The width whose rendition becomes the product's `imageUrl` (the size of a product page). */
export const primaryTarget = 640

/** Most pictures in one product's gallery. */
export const maxGallerySize = 24

/**
 * The format the bytes begin with, from their signature: JPEG (`FF D8 FF`), PNG (its 8-byte
 * signature) or WebP (`RIFF` … `WEBP`). Anything else, however it was labelled: undefined.
 */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const starts = (offset: number, ...signature: number[]) =>
    bytes.length >= offset + signature.length &&
    signature.every((byte, i) => bytes[offset + i] === byte)
  if (starts(0, 0xff, 0xd8, 0xff)) return 'jpeg'
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png'
  if (starts(0, 0x52, 0x49, 0x46, 0x46) && starts(8, 0x57, 0x45, 0x42, 0x50)) return 'webp'
  return undefined
}

export function unsupportedImage(): AppError {
  return new AppError(
    'unsupported_media_type',
    'CATALOG.IMAGE_TYPE_UNSUPPORTED',
    'The file is not a JPEG, PNG or WebP picture.',
  )
}

export function unreadableImage(): AppError {
  return new AppError(
    'unprocessable',
    'CATALOG.IMAGE_UNREADABLE',
    'The picture cannot be read: the file is damaged or incomplete.',
  )
}

/**
 * Checks what the decoder read from the header against the signature and the limits: a format
 * it names differently from the signature is not one we take (415); no pixels, too many, or a
 * side too long is a 422 `CATALOG.IMAGE_DIMENSIONS`.
 */
export function checkImageHeader(
  sniffed: ImageFormat,
  header: ImageHeader,
  limits: MediaLimits,
): void {
  if (header.format !== sniffed) throw unsupportedImage()
  const { width, height } = header
  const fits =
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width >= 1 &&
    height >= 1 &&
    width <= limits.maxSide &&
    height <= limits.maxSide &&
    width * height <= limits.maxPixels
  if (!fits) {
    throw new AppError(
      'unprocessable',
      'CATALOG.IMAGE_DIMENSIONS',
      `A picture may have at most ${limits.maxPixels} pixels and ${limits.maxSide} on a side; ` +
        `this one is ${width} × ${height}.`,
      { details: { width, height } },
    )
  }
}

/** One size of a picture: its width and height in pixels. */
export interface Size {
  width: number
  height: number
}

/**
 * The sizes to make of a picture: each target width below its own, and its own width when that is
 * under the largest target, so that nothing is enlarged and the largest size is as sharp as the
 * upload allows. Heights keep the aspect ratio (at least 1 pixel).
 */
export function renditionSizes(original: Size): Size[] {
  const largest = renditionTargets[renditionTargets.length - 1]!
  const widths: number[] = renditionTargets.filter((target) => target < original.width)
  widths.push(Math.min(original.width, largest))
  return [...new Set(widths)]
    .sort((a, b) => a - b)
    .map((width) => ({
      width,
      height: Math.max(1, Math.round((original.height * width) / original.width)),
    }))
}

/**
 * The public address of one size of a picture. A picture's bytes never change after upload, so
 * the address is its content's for good: it is cached for a year as immutable.
 */
export function mediaUrl(mediaId: string, width: number): string {
  return `/api/v1/media/${encodeURIComponent(mediaId)}/${width}.webp`
}

/** The size that stands for the picture where one address is shown (`imageUrl`). */
export function primarySize<S extends Size>(sizes: readonly S[]): S {
  const sorted = [...sizes].sort((a, b) => a.width - b.width)
  return sorted.find((size) => size.width >= primaryTarget) ?? sorted[sorted.length - 1]!
}

/** Alt text as stored: trimmed, inner runs of white space made one space. */
export function normaliseAlt(alt: string): string {
  return alt.trim().replace(/\s+/g, ' ')
}

/**
 * Checks a new gallery order against the gallery: every picture exactly once. 422
 * `CATALOG.MEDIA_ORDER_MISMATCH` names what is missing, unknown or repeated.
 */
export function checkGalleryOrder(current: readonly string[], requested: readonly string[]): void {
  const known = new Set(current)
  const seen = new Set<string>()
  const errors: { path: string; message: string }[] = []
  requested.forEach((id, i) => {
    if (!known.has(id)) errors.push({ path: `/body/ids/${i}`, message: 'is not in the gallery' })
    else if (seen.has(id)) errors.push({ path: `/body/ids/${i}`, message: 'is repeated' })
    seen.add(id)
  })
  const missing = current.filter((id) => !seen.has(id))
  if (missing.length > 0) {
    errors.push({ path: '/body/ids', message: `leaves out ${missing.join(', ')}` })
  }
  if (errors.length > 0) {
    throw new AppError(
      'unprocessable',
      'CATALOG.MEDIA_ORDER_MISMATCH',
      "The order must name each of the gallery's pictures exactly once.",
      { details: { errors } },
    )
  }
}

export function galleryFull(): AppError {
  return new AppError(
    'conflict',
    'CATALOG.GALLERY_FULL',
    `A product has at most ${maxGallerySize} pictures: delete one first.`,
  )
}

export function mediaNotFound(): AppError {
  return new AppError('not_found', 'CATALOG.MEDIA_NOT_FOUND', 'There is no such picture.')
}

/**
 * Whether an `If-None-Match` header names the entity tag (RFC 9110 13.1.2: weak comparison, a
 * list, or `*`): the client's copy is current and a 304 answers.
 */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag))
}
