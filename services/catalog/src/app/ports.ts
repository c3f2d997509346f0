import type { catalog } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform/app'
import type { ListCriteria } from '../domain/listing.js'
import type { Cursor } from '../domain/cursor.js'
import type { DemoCatalog } from '../domain/demo-catalog.js'
import type { ImageFormat, ImageHeader, Size } from '../domain/media.js'
import type { ProductOption, VariantOptions } from '../domain/variants.js'
import type { Actor } from '../domain/audit-trail.js'
import type {
  CancelAction,
  ReservationStatus,
  ShortLine,
  StockLine,
} from '../domain/reservation.js'

/** A product as the store returns it: with its category, options, variants and their stock. */
export type ProductView = Required<Omit<catalog.Product, 'media' | 'thumbnail'>> & {
  attributes: Record<string, unknown>
  updatedAt: string
}

export interface ListPage {
  items: catalog.Product[]
  /** The sort key and id of the last item, when there may be more. */
  next: Cursor | null
  /** The first picture of each listed product that has one, read with the page. */
  firstPictures: Map<string, StoredMedia>
}

/** A variant to store: its price is in its product's currency. */
export interface NewVariant {
  id: string
  sku: string
  options: VariantOptions
  priceAmount: number
  imageUrl: string | null
  onHand: number
  /** Its shipping weight in grams (0 when not given). */
  weightGrams: number
}

/** A product to store with its variants (at least one; the first has the product's id). */
export interface NewProduct {
  id: string
  sku: string
  name: string
  description: string
  currency: string
  categoryId: string
  imageUrl: string | null
  attributes: Record<string, unknown>
  options: ProductOption[]
  variants: NewVariant[]
  /** `published` when absent (issue 17: a draft is seen by admins only). */
  status?: catalog.ProductStatus
  /** `standard` when absent (issue 18). */
  taxClass?: string
  now: Date
}

export type ProductPatch = Partial<
  Pick<
    NewProduct,
    'name' | 'description' | 'categoryId' | 'imageUrl' | 'attributes' | 'status' | 'taxClass'
  > & {
    /** The price of a product of one variant (that variant's). */
    price: { amount: number; currency: string }
  }
>

/** Changes to one variant. */
export type VariantPatch = Partial<{
  sku: string
  priceAmount: number
  imageUrl: string
  weightGrams: number
}>

/** A SKU in use, by a product or a variant (SKUs are unique across both). */
export type SkuTaken = { skuTaken: string }

/** A category written by the back office: the new one, or why not (issue 17). */
export type CategoryWrite = catalog.Category | 'not_found' | { slugTaken: string }

/**
 * Categories as the back office keeps them (issue 17). Each write and its event
 * (`category.created`, `category.updated`) commit in one transaction; a slug is unique and
 * unlike any category's id (a list's `?category=` takes either), checked under a lock.
 */
export interface CategoryStore {
  createCategory(category: catalog.Category, actor?: Actor): Promise<CategoryWrite>
  updateCategory(
    id: string,
    patch: Partial<Pick<catalog.Category, 'name' | 'slug'>>,
    actor?: Actor,
  ): Promise<CategoryWrite>
}

/**
 * Products, categories and stock. Writes record their events in the same transaction, and
 * `audit.recorded` (issue 19) when given the staff member making the change (`actor`).
 */
export interface CatalogStore {
  /**
   * A page of products in the criteria's order, after the cursor. With `typo`, a search matches
   * the names that look like its words instead of its words (only when `typoSearch`); the next
   * page's cursor says so.
   */
  listProducts(criteria: ListCriteria, after: Cursor | null, typo?: boolean): Promise<ListPage>
  /** Whether names that look like a search's words can be matched (known once started). */
  readonly typoSearch: boolean
  getProduct(id: string): Promise<ProductView | undefined>
  /** The product and its pictures (`MediaStore.gallery`'s), read together. */
  getProductWithGallery(id: string): Promise<(ProductView & { gallery: StoredMedia[] }) | undefined>
  /** Name and SKU of a product, deleted ones too (their images stay for past orders). */
  imageSubject(id: string): Promise<{ sku: string; name: string } | undefined>
  listCategories(): Promise<catalog.Category[]>
  /** A category by id or slug. */
  findCategory(idOrSlug: string): Promise<catalog.Category | undefined>
  /** Inserts a product with its variants and their stock, or nothing when a SKU is taken. */
  insertProduct(product: NewProduct, actor?: Actor): Promise<'inserted' | SkuTaken>
  /**
   * A price change of a product of several variants is `price_per_variant` (nothing written):
   * each has its own.
   */
  updateProduct(
    id: string,
    patch: ProductPatch,
    now: Date,
    actor?: Actor,
  ): Promise<'updated' | 'not_found' | 'price_per_variant'>
  deleteProduct(id: string, now: Date, actor?: Actor): Promise<'deleted' | 'not_found'>
  /**
   * Adds a variant to a product not deleted (its options already checked against the product's),
   * or nothing: `combination_taken` when another variant chose the same values.
   */
  addVariant(
    productId: string,
    variant: NewVariant,
    now: Date,
    actor?: Actor,
  ): Promise<'added' | 'not_found' | 'combination_taken' | SkuTaken>
  updateVariant(
    productId: string,
    variantId: string,
    patch: VariantPatch,
    now: Date,
    actor?: Actor,
  ): Promise<'updated' | 'not_found' | SkuTaken>
  /** Stock of a product not deleted: its variants' sums. */
  getStock(id: string): Promise<catalog.StockLevel | undefined>
  /** Sets the stock of a product of one variant (a product of several: `per_variant`). */
  setStock(
    id: string,
    onHand: number,
    actor?: Actor,
  ): Promise<catalog.StockLevel | 'not_found' | 'per_variant' | { below: { reserved: number } }>
  /** Stock of one variant of a product not deleted. */
  getVariantStock(productId: string, variantId: string): Promise<catalog.StockLevel | undefined>
  setVariantStock(
    productId: string,
    variantId: string,
    onHand: number,
    actor?: Actor,
  ): Promise<catalog.StockLevel | 'not_found' | { below: { reserved: number } }>
  /** Inserts the demo catalog when there is no product at all; false when there were some. */
  seedIfEmpty(demo: DemoCatalog, now: Date): Promise<boolean>
}

export interface StoredReservation {
  orderId: string
  status: ReservationStatus
  lines: StockLine[]
  shortLines: ShortLine[]
  expiresAt: Date | null
}

/** What an order's cancellation did, and the reservation after it. */
export interface CancelOutcome {
  action: CancelAction
  reservation: StoredReservation
}

/**
 * Reservations: each call is one transaction (its own, or the one the store was bound to by
 * `ReservationsIn`), its event in the same one.
 */
export interface ReservationStore {
  /**
   * Holds every line (normalised: sorted, one per variant) or none. An order seen before gets
   * its stored reservation back, unchanged and with no new event.
   */
  reserve(
    orderId: string,
    lines: StockLine[],
    now: Date,
    expiresAt: Date,
  ): Promise<StoredReservation>
  /** Moves a held reservation's units out of onHand and reserved. */
  commit(orderId: string, now: Date): Promise<StoredReservation | 'not_found' | 'not_held'>
  /** Gives a held reservation's units back. */
  release(
    orderId: string,
    reason: 'cancelled' | 'expired',
    now: Date,
  ): Promise<StoredReservation | 'not_found' | 'committed'>
  /**
   * An order was cancelled: releases its hold (`stock.released`, reason `cancelled`), restocks
   * its committed units (`stock.restocked`), or, when there is no reservation yet, records a
   * tombstone (`released` with no lines, no event) so a late placement holds nothing.
   */
  cancel(orderId: string, now: Date): Promise<CancelOutcome>
  /** Order ids of held reservations whose hold ended at or before `now`. */
  expiredHolds(now: Date, limit: number): Promise<string[]>
}

/**
 * The reservation store bound to a transaction it does not own (an event consumer's inbox
 * transaction): every call runs in it, commits or rolls back with it.
 */
export type ReservationsIn = (trx: HandlerContext['trx']) => ReservationStore

/** One stored size of a product's picture (WebP): its width, height and entity tag. */
export interface StoredSize extends Size {
  /** A strong entity tag of its bytes (unquoted). */
  etag: string
}

/** A picture of a product's gallery, without its bytes. */
export interface StoredMedia {
  id: string
  productId: string
  alt: string
  /** Its sizes, narrowest first. */
  sizes: StoredSize[]
  createdAt: string
}

/** A picture to add to the end of a product's gallery, with the bytes of each size. */
export interface NewMedia {
  id: string
  productId: string
  alt: string
  /** What was uploaded: its format and length in bytes (the upload itself is not kept). */
  source: { format: ImageFormat; bytes: number }
  sizes: (StoredSize & { bytes: Uint8Array })[]
  now: Date
}

/** The bytes of one size of a picture, as served. */
export interface MediaFile {
  bytes: Uint8Array
  contentType: string
  etag: string
}

/**
 * Products' pictures and their galleries (issue 17). A change of a gallery's first picture
 * changes its product's `imageUrl` (the first picture's, or what it was before the gallery),
 * with `product.updated` recorded in the same transaction. Writes to one product's gallery run
 * one at a time (its product row is locked).
 */
export interface MediaStore {
  /**
   * A product's gallery in order; undefined when there is no such product (or it is deleted), or
   * when it is a draft and `drafts` is false (issue 17: shoppers do not see drafts).
   */
  gallery(productId: string, options?: { drafts?: boolean }): Promise<StoredMedia[] | undefined>
  /** Adds a picture at the end of the gallery of a product not deleted. */
  add(media: NewMedia, actor?: Actor): Promise<StoredMedia | 'not_found' | 'gallery_full'>
  setAlt(
    productId: string,
    mediaId: string,
    alt: string,
    now: Date,
    actor?: Actor,
  ): Promise<StoredMedia | 'not_found'>
  /**
   * Puts the gallery in the order of `ids`, or nothing when they are not its pictures each once:
   * `{ current }` then lists the gallery's ids as they are.
   */
  reorder(
    productId: string,
    ids: readonly string[],
    now: Date,
    actor?: Actor,
  ): Promise<StoredMedia[] | 'not_found' | { current: string[] }>
  remove(
    productId: string,
    mediaId: string,
    now: Date,
    actor?: Actor,
  ): Promise<'removed' | 'not_found'>
  /** One size of a picture, whatever its product's state (orders keep showing their pictures). */
  file(mediaId: string, width: number): Promise<MediaFile | undefined>
}

/** Reads and resizes pictures (sharp in production). */
export interface ImageProcessor {
  /**
   * The format and dimensions the bytes declare, without decoding the pixels; undefined when the
   * header cannot be read.
   */
  header(bytes: Uint8Array): Promise<ImageHeader | undefined>
  /**
   * Decodes the picture (EXIF orientation applied, first frame only) and writes each size as
   * WebP; undefined when the pixels cannot be decoded. Refuses more than `maxPixels`.
   */
  toWebp(
    bytes: Uint8Array,
    sizes: readonly Size[],
    maxPixels: number,
  ): Promise<(Size & { bytes: Uint8Array })[] | undefined>
}

/** Search as the shopper types, and the counts beside the filters (issue 17). */
export interface SearchStore {
  /** Whether names that look like a search's words can be matched (known once started). */
  readonly typoSearch: boolean
  /**
   * At most `limit` products whose name has the words typed, the last a prefix; with `typo`,
   * whose name looks like them instead (only when `typoSearch`).
   */
  suggest(q: string, limit: number, typo: boolean): Promise<catalog.Suggestion[]>
  /** The facet counts of the products the criteria match; `typo` as in `listProducts`. */
  facets(criteria: ListCriteria, typo: boolean): Promise<catalog.ProductFacets>
}

/** The words of the catalog's product names, for spelling correction (issue 17). */
export interface VocabularySource {
  /** At most `limit` distinct lower-cased words, each with the number of names it is in. */
  words(limit: number): Promise<Array<{ word: string; count: number }>>
  /**
   * Which of these lower-cased words a shopper's search of that word alone matches (in a name
   * or a description, in any form the full-text search takes as that word).
   */
  matching(words: string[]): Promise<Set<string>>
}
