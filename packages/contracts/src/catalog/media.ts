import Type from 'typebox'
import { Id as IdOf, Text } from '../text.js'

/*
 * Product media (issue 17): the pictures admins upload, resized by the catalog to a few widths
 * as WebP and served under `/api/v1/media/…`, cached for a year (an upload's bytes never change).
 */

const Id = IdOf()

/** One size of a picture. */
export const MediaSize = Type.Object({
  /** Width in pixels. */
  width: Type.Integer({ minimum: 1, description: 'Width in pixels.' }),
  /** Height in pixels. */
  height: Type.Integer({ minimum: 1, description: 'Height in pixels.' }),
  /** Its address (WebP, cached for a year). */
  url: Type.String({ description: 'Its address (WebP, cached for a year).' }),
})
export type MediaSize = Type.Static<typeof MediaSize>

/** A picture of a product's gallery. */
export const ProductMedia = Type.Object({
  /** Opaque id. */
  id: Type.String({ description: 'Opaque id.' }),
  /** Text that stands for the picture where it cannot be seen (may be empty). */
  alt: Type.String({ description: 'Text that stands for the picture (may be empty).' }),
  /** Width of the largest size, in pixels (never more than was uploaded). */
  width: Type.Integer({ minimum: 1, description: 'Width of the largest size, in pixels.' }),
  /** Height of the largest size, in pixels. */
  height: Type.Integer({ minimum: 1, description: 'Height of the largest size, in pixels.' }),
  /** The size fit for a product page: 640 pixels wide, or the largest when narrower. */
  url: Type.String({ description: 'The size fit for a product page (640 wide, or narrower).' }),
  /** Every size, narrowest first (320, 640 and 1280 wide, those not wider than the upload). */
  sizes: Type.Array(MediaSize, { description: 'Every size, narrowest first (for srcset).' }),
})
export type ProductMedia = Type.Static<typeof ProductMedia>

/** A product's gallery, in order: its first picture is the product's `imageUrl`. */
export const ProductMediaList = Type.Object({
  /** The pictures in gallery order. */
  items: Type.Array(ProductMedia, { description: 'The pictures in gallery order.' }),
})
export type ProductMediaList = Type.Static<typeof ProductMediaList>

/** Path parameters of `/products/{id}/media/{mediaId}`. */
export const ProductMediaParams = Type.Object({ id: Id, mediaId: Id })
export type ProductMediaParams = Type.Static<typeof ProductMediaParams>

/** Path parameters of `/media/{mediaId}/{width}.webp`. */
export const MediaFileParams = Type.Object({
  mediaId: Id,
  /** One of the picture's widths. */
  width: Type.Integer({ minimum: 1, maximum: 99_999, description: "One of the picture's widths." }),
})
export type MediaFileParams = Type.Static<typeof MediaFileParams>

/** Longest alt text. */
export const maxAltLength = 300

const Alt = Text({ maxLength: maxAltLength, description: 'Alt text, at most 300 characters.' })

/** Query of `POST /products/{id}/media` (admin). */
export const UploadMediaQuery = Type.Object({
  /** The picture's alt text (default empty). */
  alt: Type.Optional(Alt),
})
export type UploadMediaQuery = Type.Static<typeof UploadMediaQuery>

/**
 * Body of `POST /products/{id}/media`: the picture's bytes, sent as they are (not multipart),
 * with any `image/*` content type. The bytes decide the format: JPEG, PNG or WebP. (A binary
 * body is not validated by the schema: the platform's validator passes it to the route.)
 */
export const UploadMediaBody = Type.Unsafe<Uint8Array>({
  type: 'string',
  format: 'binary',
  description: 'The bytes of a JPEG, PNG or WebP picture (the bytes decide, not content-type).',
})

/** Body of `PATCH /products/{id}/media/{mediaId}` (admin). */
export const UpdateMediaBody = Type.Object({ alt: Alt }, { additionalProperties: false })
export type UpdateMediaBody = Type.Static<typeof UpdateMediaBody>

/** Body of `PUT /products/{id}/media/order` (admin): every picture of the gallery, once each. */
export const MediaOrderBody = Type.Object(
  {
    /** The gallery's picture ids in their new order. */
    ids: Type.Array(Id, { maxItems: 100, description: "The gallery's picture ids in order." }),
  },
  { additionalProperties: false },
)
export type MediaOrderBody = Type.Static<typeof MediaOrderBody>
