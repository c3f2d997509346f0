import { EmporiumProblem, type FieldProblem } from '@emporium/sdk'

/** A request that never reached the shop (offline, DNS, a dropped connection). */
export class Unreachable extends Error {
  constructor() {
    super('The shop could not be reached. Check your connection and try again.')
    this.name = 'Unreachable'
  }
}

/**
 * The API's problem documents in a shopper's words. A problem's `detail` is written for the
 * API's clients (`minPrice is above maxPrice.`, `Product 3f… is no longer sold`) and its field
 * errors name JSON pointers (`/querystring/minPrice`, `/payment/expYear`): neither is shown as
 * it is. A known code has its own words; a field the shopper filled in is named by its label;
 * anything else falls back to words for its status.
 */
const codeWords: Record<string, string> = {
  'CATALOG.INVALID_PRICE_RANGE': 'The minimum price is above the maximum price.',
  'CATALOG.INVALID_LIMIT': 'That page of the list cannot be shown.',
  'CATALOG.INVALID_CURSOR': 'The list changed meanwhile. Please start again from the first page.',
  'CATALOG.PRODUCT_NOT_FOUND': 'We could not find that product.',
  'CART.PRODUCT_NOT_FOUND': 'That product is no longer sold.',
  'CART.LINE_NOT_FOUND': 'That item is no longer in your cart.',
  'CART.CATALOG_UNAVAILABLE': 'We cannot check prices right now. Please try again in a moment.',
  'ORDERS.INVALID_CURSOR': 'The list changed meanwhile. Please start again from the first page.',
  'ORDERS.NOT_FOUND': 'We could not find that order.',
  'ORDERS.EMPTY_CART': 'Your cart has nothing that can be ordered.',
  'ORDERS.PRODUCT_UNAVAILABLE':
    'An item in your cart is no longer sold. Remove it from your cart to check out.',
  'ORDERS.INVALID_CARD': 'Please check your card details.',
  'PAYMENTS.INVALID_CARD': 'Please check your card details.',
  'ORDERS.INVALID_TRANSITION': 'This order cannot be changed that way any more.',
  'ORDERS.MIXED_CURRENCIES': 'Your cart mixes currencies and cannot be ordered as it is.',
  'ORDERS.AMOUNT_TOO_LARGE': 'This order is too large to be paid at once.',
  'ORDERS.PAYMENT_NOT_RETRYABLE':
    'This order can no longer be paid: it was paid or cancelled meanwhile, or its hold ended.',
  'ORDERS.PROMOTION_NOT_FOUND': 'That promotion code is not valid.',
  'ORDERS.PROMOTION_NOT_STARTED': 'That promotion code is not valid yet.',
  'ORDERS.PROMOTION_EXPIRED': 'That promotion code has expired.',
  'ORDERS.PROMOTION_MINIMUM_NOT_MET':
    'Your order does not reach the minimum amount for that promotion code.',
  'ORDERS.PROMOTION_EXHAUSTED': 'That promotion code has been used up.',
  'ORDERS.PROMOTION_CUSTOMER_LIMIT': 'You have already used that promotion code.',
  'ORDERS.PROMOTION_CURRENCY': "That promotion code does not apply to your cart's currency.",
  'ORDERS.SHIPPING_METHOD_UNAVAILABLE':
    'That shipping method does not deliver to this address. Please choose another.',
  'ORDERS.EMAIL_REQUIRED': 'Please enter your e-mail address: your order is sent there.',
  'AUTH.GUEST_NOT_ALLOWED': 'Please sign in to do that.',
  'NOTIFICATIONS.ORDER_NOT_FOUND': 'We could not find that order.',
  'USERS.RESET_TOKEN_INVALID':
    'This reset link cannot be used: it was used already, it expired, or only part of it was ' +
    'copied. Please ask for a new link.',
  'USERS.ADDRESS_BOOK_FULL':
    'Your address book is full (20 addresses). Delete an address to add another.',
  'USERS.ADDRESS_NOT_FOUND': 'That address is no longer in your address book.',
  'USERS.DEFAULT_ADDRESS_REQUIRED':
    'Your address book needs a default address: make another address the default instead.',
  'WEBHOOKS.ENDPOINT_NOT_FOUND': 'That endpoint is no longer registered.',
  'WEBHOOKS.DELIVERY_NOT_FOUND': 'We could not find that delivery.',
  'WEBHOOKS.ENDPOINT_DISABLED': 'The endpoint is disabled: enable it first.',
  'WEBHOOKS.INVALID_RANGE': 'The start of the range must come before its end.',
  'WEBHOOKS.INVALID_CURSOR': 'The list changed meanwhile. Please start again from the first page.',
  'WEBHOOKS.INVALID_URL': 'Please check the URL.',
  'HTTP.VALIDATION': 'Please check what you entered.',
  'HTTP.INVALID_VALUE': 'Please check what you entered.',
}

/** Codes whose words are complete: their field errors would only repeat them. */
const saidInFull = new Set(['CATALOG.INVALID_PRICE_RANGE', 'USERS.WEAK_PASSWORD'])

/** A field's name as the shopper saw it on the page, by the last step of its JSON pointer. */
const fieldLabels: Record<string, string> = {
  q: 'Search',
  category: 'Category',
  minPrice: 'Min price',
  maxPrice: 'Max price',
  sort: 'Sort by',
  cardNumber: 'Card number',
  expMonth: 'Expiry month',
  expYear: 'Expiry year',
  cvc: 'CVC',
  line1: 'Address',
  line2: 'Address line 2',
  city: 'City',
  postalCode: 'Postal code',
  country: 'Country',
  region: 'State or region',
  label: 'Label',
  phone: 'Phone',
  email: 'Email',
  promotionCode: 'Promotion code',
  password: 'Password',
  quantity: 'Quantity',
  sku: 'SKU',
  description: 'Description',
  price: 'Price',
  onHand: 'On hand',
  url: 'URL',
  eventTypes: 'Event types',
}

/** Full pointers whose last step alone would be named wrongly. */
const pathLabels: Record<string, string> = {
  '/shippingAddress/name': 'Full name',
  '/name': 'Name',
}

/** The label of a field error's pointer, or undefined for a field the shopper never saw. */
export function fieldLabel(path: string): string | undefined {
  const inner = path.replace(/^\/(body|querystring|params|headers)(?=\/|$)/, '')
  if (pathLabels[inner]) return pathLabels[inner]
  const last = inner.split('/').filter(Boolean).at(-1)
  return last === undefined ? undefined : fieldLabels[last]
}

/** A validator's message (`must be >= 1`, `must match format "email"`) in plain words. */
export function fieldMessage(message: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^must be >= (\S+)$/, (m) => `must be at least ${m[1]}`],
    [/^must be <= (\S+)$/, (m) => `must be at most ${m[1]}`],
    [/^must be > (\S+)$/, (m) => `must be more than ${m[1]}`],
    [/^must be < (\S+)$/, (m) => `must be less than ${m[1]}`],
    [
      /^must NOT have more than (\d+) characters$/,
      (m) => `is too long (${m[1]} characters at most)`,
    ],
    [
      /^must NOT have fewer than (\d+) characters$/,
      (m) => `is too short (${m[1]} characters at least)`,
    ],
    [/^must NOT have fewer than (\d+) items?$/, (m) => `needs at least ${m[1]} chosen`],
    [/^must NOT have more than (\d+) items?$/, (m) => `takes at most ${m[1]}`],
    [/^must match format "email"$/, () => 'is not an e-mail address'],
    [/^must match (format|pattern) /, () => 'is not in the expected form'],
    [/^must be integer$/, () => 'must be a whole number'],
    [/^must be number$/, () => 'must be a number'],
    [/^must be equal to one of the allowed values$/, () => 'is not one of the choices'],
    [/^must be string$/, () => 'is not valid'],
  ]
  for (const [pattern, say] of rules) {
    const found = pattern.exec(message)
    if (found) return say(found)
  }
  // The services' own messages are already words ('the card has expired', 'is required').
  return /[{}<>=/\\]/.test(message) ? 'is not valid' : message
}

/** What the field errors say, each by its label; the ones of fields no page shows are left out. */
export function fieldSentences(errors: readonly FieldProblem[]): string[] {
  const seen = new Set<string>()
  const sentences: string[] = []
  for (const error of errors) {
    const label = fieldLabel(error.path)
    if (!label) continue
    const sentence = `${label}: ${fieldMessage(error.message)}.`
    if (!seen.has(sentence)) sentences.push(sentence)
    seen.add(sentence)
  }
  return sentences
}

/** A detail fit to show as it is: a sentence that names no field pointer nor query part. */
const isShopperWords = (detail: string) =>
  detail.trim() !== '' &&
  !/(^|\s)\/?(body|querystring|params)[\s/]/.test(detail) &&
  !/\/[A-Za-z]+\/[A-Za-z]+/.test(detail) &&
  !/\b[a-z]+[A-Z][A-Za-z]*\b/.test(detail) // camelCase: a field's API name (minPrice)

function fallbackWords(status: number): string {
  if (status === 401) return 'Please sign in again.'
  if (status === 403) return 'You are not allowed to do that.'
  if (status === 404) return 'We could not find what you asked for.'
  if (status === 408) return 'That took too long. Please try again.'
  if (status === 409) return 'That cannot be done now: something changed meanwhile.'
  if (status === 413) return 'That is too large to send.'
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.'
  return 'That did not work. Please check what you entered.'
}

/** A message fit to show a shopper, for anything caught. */
/**
 * A refusal after too many declined cards lately (payments' guard against card testing, passed
 * on by orders as `ORDERS.TOO_MANY_DECLINES`): a 429 that is about the cards, not the pace of
 * requests; it is said as such, and nothing retries it unseen.
 */
export const isTooManyDeclines = (error: unknown): boolean =>
  (error as { status?: unknown } | undefined)?.status === 429 &&
  /\.TOO_MANY_DECLINES$/.test(String((error as { code?: unknown }).code ?? ''))

/** A wait in words: seconds under a minute and a half, else whole minutes. */
const waitWords = (seconds: number) =>
  seconds < 90
    ? `${seconds} second${seconds === 1 ? '' : 's'}`
    : `${Math.ceil(seconds / 60)} minutes`

export function shopperMessage(error: unknown): string {
  if (error instanceof EmporiumProblem) return problemWords(error)
  if (error instanceof Unreachable) return error.message
  // fetch's own failure (a TypeError) never reached the shop.
  if (error instanceof TypeError) return new Unreachable().message
  return error instanceof Error && error.message
    ? error.message
    : 'Something went wrong. Please try again.'
}

function problemWords(problem: EmporiumProblem): string {
  if (isTooManyDeclines(problem)) {
    const wait = problem.retryAfter
    return (
      'Too many cards were declined lately, so no card is tried for now. ' +
      (wait ? `Please wait ${waitWords(wait)} and try again.` : 'Please try again later.')
    )
  }
  if (problem.status === 429) {
    const wait = problem.retryAfter ?? 1
    return `Slow down: too many requests. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`
  }
  if (problem.status >= 500) return fallbackWords(problem.status)
  // An answer that is no problem document (a proxy's error page) says nothing fit to show.
  const documented = problem.headers?.get('content-type')?.includes('json') ?? true
  const code = problem.code ?? ''
  const detail = documented ? problem.detail || '' : ''
  const message =
    codeWords[code] ?? (isShopperWords(detail) ? detail : fallbackWords(problem.status))
  if (saidInFull.has(code) || !problem.errors?.length) return message
  const fields = fieldSentences(problem.errors)
  return fields.length > 0 ? `${message} ${fields.join(' ')}` : message
}

/**
 * Whether trying the same request again may work: the shop could not be reached, was busy
 * (429, 503) or failed on its side (5xx), or took too long (408). A 4xx about the request
 * itself (a validation error, a product gone, not allowed) fails the same way every time.
 */
export function canRetry(error: unknown): boolean {
  if (error instanceof EmporiumProblem) {
    return error.status >= 500 || error.status === 429 || error.status === 408
  }
  return true
}

/**
 * Whether a read by the id in the address failed because there is nothing there: a 404 (no
 * such thing, or someone else's), or a 400 about the path (an id that cannot be one).
 */
export const isNotFound = (error: unknown) =>
  error instanceof EmporiumProblem &&
  (error.status === 404 ||
    (error.status === 400 && (error.errors ?? []).every((e) => e.path.startsWith('/params'))))
