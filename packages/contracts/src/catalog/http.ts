import Type from 'typebox'
import { Money, Price } from '../money.js'
import {
  Attributes,
  CursorParam,
  Id as IdOf,
  MultilineText,
  PriceAmount,
  Text,
  textKeyPattern,
} from '../text.js'
import { TaxClass, WeightGrams } from '../tax-class.js'
import { ProductMedia } from './media.js'

export { TaxClass, WeightGrams, standardTaxClass } from '../tax-class.js'

/** A product category. */
export const Category = Type.Object({
  /** Opaque id. */
  id: Type.String({ description: 'Opaque id.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** URL-safe name, unique. */
  slug: Type.String({ description: 'URL-safe name, unique.' }),
})
export type Category = Type.Static<typeof Category>

/** The least and the greatest unit price of a product's variants. */
export const PriceRange = Type.Object(
  {
    /** The cheapest variant's unit price (the product's `price`). */
    min: Money,
    /** The dearest variant's unit price. */
    max: Money,
  },
  { description: "The least and the greatest unit price of the product's variants." },
)
export type PriceRange = Type.Static<typeof PriceRange>

/** One option of a product (size, colour, …) and the values its variants choose from. */
export const ProductOption = Type.Object({
  /** The option's name, unique within the product (`Size`). */
  name: Type.String({ description: "The option's name, unique within the product." }),
  /** Its values in display order (`S`, `M`, `L`). */
  values: Type.Array(Type.String(), { description: 'Its values, in display order.' }),
})
export type ProductOption = Type.Static<typeof ProductOption>

/** A variant's value of each of its product's options: `{"Size": "M", "Colour": "Blue"}`. */
export const VariantOptions = Type.Record(Type.String(), Type.String(), {
  description: "The variant's value of each of the product's options ({} when it has none).",
})
export type VariantOptions = Type.Static<typeof VariantOptions>

/** One variant of a product: what is bought, stocked and reserved. */
export const Variant = Type.Object({
  /** Opaque id; a product's first variant has the product's own id. */
  id: Type.String({ description: "Opaque id; a product's first variant has the product's id." }),
  /** Stock keeping unit, unique. */
  sku: Type.String({ description: 'Stock keeping unit, unique.' }),
  /** Its value of each of the product's options. */
  options: VariantOptions,
  /** The values in option order, for display (`M / Blue`); absent when the product has no options. */
  label: Type.Optional(
    Type.String({ description: 'The option values in order, for display (M / Blue).' }),
  ),
  /** Its unit price. */
  price: Money,
  /** Units that can still be bought: on hand minus reserved. */
  available: Type.Integer({ minimum: 0, description: 'Units that can still be bought.' }),
  /** Its image, else the product's. */
  imageUrl: Type.String({ description: "Its image address, else the product's." }),
  /** Its shipping weight in grams (issue 18; 0 when never set). */
  weightGrams: Type.Optional(WeightGrams),
})
export type Variant = Type.Static<typeof Variant>

/**
 * Whether shoppers see a product (issue 17): a `draft` is seen by admins only (not listed,
 * searched, suggested, counted in facets, read, added to carts or reserved); `published` by all.
 */
export const ProductStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')], {
  description: 'published (shoppers see it) or draft (admins only).',
})
export type ProductStatus = Type.Static<typeof ProductStatus>

/** A product as clients see it (API.md). */
export const Product = Type.Object({
  /** Opaque id. */
  id: Type.String({ description: 'Opaque id.' }),
  /** Stock keeping unit, unique. */
  sku: Type.String({ description: 'Stock keeping unit, unique.' }),
  /** Display name. */
  name: Type.String({ description: 'Display name.' }),
  /** Longer text, searched with the name. */
  description: Type.String({ description: 'Longer text, searched with the name.' }),
  /** Current unit price: the cheapest variant's. */
  price: Money,
  /** Its category. */
  category: Category,
  /** Image address (served by the platform, never fetched from elsewhere). */
  imageUrl: Type.String({ description: 'Image address.' }),
  /** Units that can still be bought: on hand minus reserved, summed over its variants. */
  available: Type.Integer({ minimum: 0, description: 'Units that can still be bought.' }),
  /** When it was created, RFC 3339 UTC. */
  createdAt: Type.String({ format: 'date-time', description: 'When it was created.' }),
  /** The least and greatest price of its variants (both `price` for a product of one variant). */
  priceRange: Type.Optional(PriceRange),
  /** How many variants it has (1 for a product without options). */
  variantCount: Type.Optional(
    Type.Integer({ minimum: 1, description: 'How many variants it has (1 without options).' }),
  ),
  /** Its options, in order; empty for a product without options. Not in lists. */
  options: Type.Optional(
    Type.Array(ProductOption, { description: 'Its options, in order (not in lists).' }),
  ),
  /** Its variants, in order (one for a product without options). Not in lists. */
  variants: Type.Optional(
    Type.Array(Variant, { description: 'Its variants, in order (not in lists).' }),
  ),
  /**
   * Its pictures in gallery order (the first is `imageUrl`): in the product's own read
   * (`GET /products/{id}`) when it has any; absent otherwise.
   */
  media: Type.Optional(
    Type.Array(ProductMedia, {
      description: "Its pictures in gallery order (in the product's own read, when it has any).",
    }),
  ),
  /** Its first picture with its sizes (for `srcset`), in lists too; absent without pictures. */
  thumbnail: Type.Optional({
    ...ProductMedia,
    description: 'Its first picture with its sizes (in lists too); absent without pictures.',
  }),
  /**
   * `published` (shoppers see it) or `draft` (admins only: see `ProductStatus`). Absent from
   * catalogs older than drafts, whose products are all published.
   */
  status: Type.Optional(ProductStatus),
  /** Its tax class (issue 18): `standard` unless an admin set another. */
  taxClass: Type.Optional(TaxClass),
})
export type Product = Type.Static<typeof Product>

/** Stock of one product (API.md `PUT /products/{id}/stock`), or of one of its variants. */
export const StockLevel = Type.Object({
  /** The product. */
  productId: Type.String({ description: 'The product.' }),
  /** The variant, on a variant's stock; absent on a product's (its variants' sums). */
  variantId: Type.Optional(
    Type.String({ description: "The variant, on a variant's stock (absent on a product's)." }),
  ),
  /** Units in the warehouse. */
  onHand: Type.Integer({ minimum: 0, description: 'Units in the warehouse.' }),
  /** Units held by reservations of orders not yet confirmed. */
  reserved: Type.Integer({ minimum: 0, description: 'Units held by open reservations.' }),
  /** onHand minus reserved. */
  available: Type.Integer({ minimum: 0, description: 'onHand minus reserved.' }),
})
export type StockLevel = Type.Static<typeof StockLevel>

/*
 * Requests of the catalog service's HTTP API (API.md, "Catalog"), mounted at the service's root
 * (`/products`, `/categories`); the gateway serves them under `/api/v1`. Bodies reject unknown
 * fields. `/internal/*` routes are not in the gateway's table: the saga and tests call them.
 */

const Id = IdOf()

/** Sort orders of the product list; `relevance` needs `q` (without it the list is `newest`). */
export const ProductSort = Type.Union(
  [
    Type.Literal('relevance'),
    Type.Literal('price_asc'),
    Type.Literal('price_desc'),
    Type.Literal('newest'),
  ],
  { description: 'relevance (with q), price_asc, price_desc or newest.' },
)
export type ProductSort = Type.Static<typeof ProductSort>

/** Query of `GET /products`. */
export const ListProductsQuery = Type.Object({
  /** Full-text search over name and description. */
  q: Type.Optional(Text({ maxLength: 200, description: 'Full-text search.' })),
  /** A category's slug or id. */
  category: Type.Optional(Text({ maxLength: 100, description: "A category's slug or id." })),
  /** Least price, in minor units. */
  minPrice: Type.Optional({ ...PriceAmount, description: 'Least price (minor units, ≤ 10^11).' }),
  /** Greatest price, in minor units. */
  maxPrice: Type.Optional({
    ...PriceAmount,
    description: 'Greatest price (minor units, ≤ 10^11).',
  }),
  /** Sort order; default relevance with q, newest without. */
  sort: Type.Optional(ProductSort),
  /** Page size, 1 to 100. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: Type.Optional(CursorParam),
  /**
   * Admins only (401 without a token, 403 for others): the products of this status, or `all`.
   * Without it, everyone (admins too) lists the published products.
   */
  status: Type.Optional(
    Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('all')], {
      description: 'Admins only: draft, published or all (default: published, for everyone).',
    }),
  ),
})
export type ListProductsQuery = Type.Static<typeof ListProductsQuery>

/** A page of products. */
export const ProductPage = Type.Object({
  /** The products of this page. */
  items: Type.Array(Product),
  /** Pass as `?cursor=` for the next page; null at the end. */
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  /**
   * The search this page lists, when its words matched nothing and their spelling corrected did
   * (`lmap` lists `lamp`; issue 17): "Showing results for …". Absent otherwise.
   */
  correctedQuery: Type.Optional(Type.String()),
})
export type ProductPage = Type.Static<typeof ProductPage>

/** Query of `GET /products/suggestions`. */
export const SuggestionsQuery = Type.Object({
  /** What the shopper has typed so far: its last word matches as a prefix. */
  q: Text({
    minLength: 1,
    maxLength: 100,
    description:
      'What the shopper has typed so far (1 to 100 characters); its last word matches as a prefix.',
  }),
  /** How many suggestions, 1 to 20. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 8 })),
})
export type SuggestionsQuery = Type.Static<typeof SuggestionsQuery>

/** A product suggested as the shopper types. */
export const Suggestion = Type.Object({
  /** The product's id. */
  id: Type.String({ description: "The product's id." }),
  /** The product's name. */
  name: Type.String({ description: "The product's name." }),
  /** The product's category. */
  category: Category,
  /** The product's price (its cheapest variant's). */
  price: Money,
})
export type Suggestion = Type.Static<typeof Suggestion>

/** Response of `GET /products/suggestions`: best first. */
export const SuggestionList = Type.Object({
  /** The products suggested, best first. */
  items: Type.Array(Suggestion),
  /**
   * The text suggested for, when the words typed matched no name and their spelling corrected
   * did (issue 17). Absent otherwise.
   */
  correctedQuery: Type.Optional(Type.String()),
})
export type SuggestionList = Type.Static<typeof SuggestionList>

/** Query of `GET /products/facets`: the listing's filters. */
export const FacetsQuery = Type.Object({
  q: ListProductsQuery.properties.q,
  category: ListProductsQuery.properties.category,
  minPrice: ListProductsQuery.properties.minPrice,
  maxPrice: ListProductsQuery.properties.maxPrice,
})
export type FacetsQuery = Type.Static<typeof FacetsQuery>

const Count = Type.Integer({ minimum: 0 })

/**
 * Response of `GET /products/facets`: counts of the products the filters match, each facet
 * counted with the other filters applied.
 */
export const ProductFacets = Type.Object({
  /** Products matching every filter. */
  total: Count,
  /** Of those, products with stock available. */
  inStock: Count,
  /** Every category, with its products matching the search and price filters. */
  categories: Type.Array(Type.Object({ category: Category, count: Count })),
  /**
   * Fixed price bands (minor units, both ends included; the last has no `max`), with the
   * products matching the search and category filters that have a variant in the band.
   */
  priceBands: Type.Array(
    Type.Object({
      min: Type.Integer({ minimum: 0 }),
      max: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
      count: Count,
    }),
  ),
})
export type ProductFacets = Type.Static<typeof ProductFacets>

/** Response of `GET /categories`. */
export const CategoryList = Type.Object({ items: Type.Array(Category) })
export type CategoryList = Type.Static<typeof CategoryList>

/** Path parameters of `/products/{id}...`. */
export const ProductParams = Type.Object({ id: Id })
export type ProductParams = Type.Static<typeof ProductParams>

/** Path parameters of `/products/{id}/variants/{variantId}...`. */
export const VariantParams = Type.Object({ id: Id, variantId: Id })
export type VariantParams = Type.Static<typeof VariantParams>

/**
 * Where a product's image is: an `https://` URL, or a path on this platform (`/images/…`).
 * Nothing else: `javascript:`, `data:`, `http:` and protocol-relative `//host` would put another
 * origin's (or a script's) content on the storefront's pages.
 */
export const imageUrlPattern = String.raw`^(?:https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][\x21-\x7E]*)?|/(?![/\\])[\x21-\x7E]*)$`

const ImageUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  pattern: imageUrlPattern,
  description: 'An https:// URL or a path starting with one `/` (printable ASCII, no spaces).',
})

const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })
const OnHand = Type.Integer({ minimum: 0, maximum: 1_000_000_000 })
/** Most options of a product, values of an option, and variants of a product. */
export const maxProductOptions = 3
export const maxOptionValues = 50
export const maxVariants = 100
const OptionText = Text({ minLength: 1, maxLength: 50 })

/** An option as an admin declares it (body of `POST /products`). */
export const ProductOptionInput = Type.Object(
  {
    /** The option's name (`Size`), unique within the product. */
    name: OptionText,
    /** Its values in display order, each once. */
    values: Type.Array(OptionText, { minItems: 1, maxItems: maxOptionValues }),
  },
  { additionalProperties: false },
)
export type ProductOptionInput = Type.Static<typeof ProductOptionInput>

/** A variant's option values as an admin sends them: one value for each of the product's options. */
const VariantOptionsInput = Type.Record(Type.String({ pattern: textKeyPattern(50) }), OptionText, {
  additionalProperties: false,
  maxProperties: maxProductOptions,
  description: 'One value of each of the product\'s options: {"Size": "M"}.',
})

/** A new variant (in `POST /products`, or `POST /products/{id}/variants`). */
export const NewVariantBody = Type.Object(
  {
    sku: Sku,
    /** One value of each of the product's options, from its listed values. */
    options: VariantOptionsInput,
    /** Its unit price, in the product's currency; the product's `price` when absent. */
    price: Type.Optional(Price),
    /** Initial stock on hand (default 0). */
    onHand: Type.Optional(OnHand),
    /** Its own image; the product's when absent. */
    imageUrl: Type.Optional(ImageUrl),
    /** Its shipping weight in grams; the product's `weightGrams` (else 0) when absent. */
    weightGrams: Type.Optional(WeightGrams),
  },
  { additionalProperties: false },
)
export type NewVariantBody = Type.Static<typeof NewVariantBody>

/** Body of `PATCH /products/{id}/variants/{variantId}` (admin): the fields to change. */
export const UpdateVariantBody = Type.Object(
  {
    sku: Type.Optional(Sku),
    price: Type.Optional(Price),
    imageUrl: Type.Optional(ImageUrl),
    /** Its shipping weight in grams. */
    weightGrams: Type.Optional(WeightGrams),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateVariantBody = Type.Static<typeof UpdateVariantBody>

/** Body of `POST /products` (admin). */
export const CreateProductBody = Type.Object(
  {
    sku: Sku,
    name: Text({ minLength: 1, maxLength: 200 }),
    description: MultilineText({ maxLength: 5000, default: '' }),
    price: Price,
    /** The category's id or slug. */
    categoryId: Text({
      minLength: 1,
      maxLength: 100,
      description: "Category's id or slug.",
    }),
    /** Defaults to the generated image the catalog serves. */
    imageUrl: Type.Optional(ImageUrl),
    attributes: Type.Optional(Attributes),
    /** Initial stock on hand (default 0); with `variants`, each variant's own `onHand` instead. */
    onHand: Type.Optional(OnHand),
    /** Its options (size, colour, …), at most 3; needs `variants`. */
    options: Type.Optional(Type.Array(ProductOptionInput, { maxItems: maxProductOptions })),
    /**
     * Its variants, at most 100, each a distinct choice of the options' values with its own SKU;
     * without them the product has one variant of its own SKU, price and stock.
     */
    variants: Type.Optional(Type.Array(NewVariantBody, { minItems: 1, maxItems: maxVariants })),
    /** `draft` keeps it from shoppers until published; default `published` (seen at once). */
    status: Type.Optional(ProductStatus),
    /** Its tax class (default `standard`). */
    taxClass: Type.Optional(TaxClass),
    /**
     * The shipping weight in grams of its one variant, or of each of its `variants` that gives
     * none of its own (default 0).
     */
    weightGrams: Type.Optional(WeightGrams),
  },
  { additionalProperties: false },
)
export type CreateProductBody = Type.Static<typeof CreateProductBody>

/** Body of `PATCH /products/{id}` (admin): the fields to change. */
export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Text({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(MultilineText({ maxLength: 5000 })),
    price: Type.Optional(Price),
    categoryId: Type.Optional(Text({ minLength: 1, maxLength: 100 })),
    imageUrl: Type.Optional(ImageUrl),
    attributes: Type.Optional(Attributes),
    /** `published` publishes a draft; `draft` takes a product back from shoppers. */
    status: Type.Optional(ProductStatus),
    /** Its tax class. */
    taxClass: Type.Optional(TaxClass),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateProductBody = Type.Static<typeof UpdateProductBody>

/** Body of `PUT /products/{id}/stock` and `PUT /products/{id}/variants/{variantId}/stock` (admin). */
export const SetStockBody = Type.Object({ onHand: OnHand }, { additionalProperties: false })
export type SetStockBody = Type.Static<typeof SetStockBody>

/** A line that could not be held. */
export const ShortLine = Type.Object({
  productId: Type.String(),
  /** The variant, when it is not the product's first (whose id is the product's). */
  variantId: Type.Optional(Type.String()),
  requested: Type.Integer({ minimum: 1 }),
  available: Type.Integer({ minimum: 0 }),
})
export type ShortLine = Type.Static<typeof ShortLine>

/** Status of an order's reservation. */
export const ReservationStatus = Type.Union([
  Type.Literal('held'),
  Type.Literal('committed'),
  Type.Literal('released'),
  Type.Literal('expired'),
  Type.Literal('rejected'),
  /** Was committed, then its order was cancelled: the units are back on hand. */
  Type.Literal('restocked'),
])
export type ReservationStatus = Type.Static<typeof ReservationStatus>

/** Outcome of reserve/commit/release: the reservation's status now, and the short lines. */
export const ReservationResult = Type.Object({
  orderId: Type.String(),
  status: ReservationStatus,
  /** When held: when it expires unless committed or released. */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lines: Type.Array(
    Type.Object({
      productId: Type.String(),
      /** The variant, when it is not the product's first (whose id is the product's). */
      variantId: Type.Optional(Type.String()),
      quantity: Type.Integer(),
    }),
  ),
  /** When rejected: the lines that fell short. */
  shortLines: Type.Array(ShortLine),
})
export type ReservationResult = Type.Static<typeof ReservationResult>
