// @emporium/sdk: a typed client of the public API v1, generated from docs/openapi.json. It runs
// in browsers and on Node 20 alike (fetch, streams, no Node modules).
import type { components, operations, paths } from './schema.js'

export {
  cartTokenHeader,
  createEmporiumClient,
  randomKey,
  shedWaitSeconds,
  type EmporiumClient,
  type EmporiumClientOptions,
  type TokenSource,
} from './client.js'
export {
  EmporiumProblem,
  retryAfterSeconds,
  unwrap,
  type CallResult,
  type FieldProblem,
  type Problem,
} from './problem.js'
export { getGuestToken, mergeCart } from './guest.js'
export { createEventStreamParser, readServerSentEvents, type ServerSentEvent } from './events.js'
export {
  finalOrderStatuses,
  orderStatusEvents,
  terminalOrderStatuses,
  type OrderStatusEvent,
} from './order-status.js'
export { idempotentOperations } from './schema.js'
export type { components, operations, paths }

type Schemas = components['schemas']

// The payloads callers name most, under the names @emporium/contracts gives them.
/** The account as register and login answer it. */
export type User = AuthResponse['user']
/** The account as `GET /users/me` answers it (with `createdAt`). */
export type Me = Schemas['GetUsersMeResponse']
/** What register and login answer: the account and its first tokens. */
export type AuthResponse = Schemas['PostAuthLoginResponse']
/** What a refresh answers: the next access and refresh tokens. */
export type TokenResponse = Schemas['PostAuthRefreshResponse']
export type Product = Schemas['GetProductsByIdResponse']
export type ProductPage = Schemas['GetProductsResponse']
export type ProductQuery = NonNullable<operations['getProducts']['parameters']['query']>
export type ProductSort = NonNullable<ProductQuery['sort']>
/** Products suggested as the shopper types (`GET /api/v1/products/suggestions`). */
export type SuggestionList = Schemas['GetProductsSuggestionsResponse']
export type Suggestion = SuggestionList['items'][number]
/** Counts beside the listing's filters (`GET /api/v1/products/facets`). */
export type ProductFacets = Schemas['GetProductsFacetsResponse']
export type FacetsQuery = NonNullable<operations['getProductsFacets']['parameters']['query']>
export type CreateProductBody = Schemas['PostProductsRequest']
export type UpdateProductBody = Schemas['PatchProductsByIdRequest']
export type Money = Product['price']
export type CategoryList = Schemas['GetCategoriesResponse']
export type Category = CategoryList['items'][number]
export type CreateCategoryBody = Schemas['PostCategoriesRequest']
export type UpdateCategoryBody = Schemas['PatchCategoriesByIdRequest']
/** `draft` (admins only) or `published` (issue 17). */
export type ProductStatus = NonNullable<Product['status']>
export type StockLevel = Schemas['GetProductsByIdStockResponse']
/** One variant of a product (issue 17): what is bought, stocked and reserved. */
export type Variant = Schemas['PostProductsByIdVariantsResponse']
/** A product's option (size, colour, …) and its values. */
export type ProductOption = NonNullable<Product['options']>[number]
export type NewVariantBody = Schemas['PostProductsByIdVariantsRequest']
export type UpdateVariantBody = Schemas['PatchProductsByIdVariantsByVariantIdRequest']
/** A picture of a product's gallery with its sizes (what an upload answers). */
export type ProductMedia = Schemas['PostProductsByIdMediaResponse']
export type Cart = Schemas['GetCartResponse']
/** A guest's cart token (`POST /api/v1/auth/guest`) and its lifetime in seconds. */
export type GuestToken = Schemas['PostAuthGuestResponse']
/** The account's cart after a guest's merged into it, with what did not fit. */
export type MergedCart = Schemas['PostCartMergeResponse']
export type CartItem = Cart['items'][number]
export type Order = Schemas['GetOrdersByIdResponse']
export type OrderStatus = Order['status']
export type OrderPage = Schemas['GetOrdersResponse']
export type PlaceOrderBody = Schemas['PostOrdersRequest']
export type ShippingAddress = PlaceOrderBody['shippingAddress']
export type Payment = PaymentPage['items'][number]
export type PaymentPage = Schemas['GetPaymentsResponse']
export type Reconciliation = Schemas['GetPaymentsReconciliationResponse']
