import type { users } from '@emporium/contracts'
import { AppError, decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'
import { toSavedAddress } from './address-book.js'
import type { AddressRecord } from './ports.js'

/** An account as the staff's customers list shows it. */
export interface CustomerRecord {
  id: string
  email: string
  name: string
  emailVerifiedAt: Date | null
  createdAt: Date
}

/** Where a page of customers (newest account first) ended. */
export interface CustomerCursor {
  createdAt: Date
  id: string
}

/** The accounts as staff search them (issue 19). */
export interface CustomerDirectory {
  /**
   * Newest account first, after the cursor; `q` (lower-cased) matches anywhere in the e-mail or
   * the name, case-insensitively.
   */
  search(criteria: { q?: string; after?: CustomerCursor; limit: number }): Promise<CustomerRecord[]>
  find(id: string): Promise<CustomerRecord | undefined>
  addresses(userId: string): Promise<AddressRecord[]>
}

function toCustomer(record: CustomerRecord): users.Customer {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    createdAt: record.createdAt.toISOString(),
    emailVerified: record.emailVerifiedAt !== null,
  }
}

/**
 * A cursor carries the search it belongs to after a `.` (the base64url of `q`), so that a cursor
 * of another search is a 400 rather than a page that skips or repeats customers.
 */
function cursorOf(q: string | undefined, last: CustomerCursor): string {
  const cursor = encodeTimeIdCursor({ at: last.createdAt, id: last.id })
  return q === undefined ? cursor : `${cursor}.${Buffer.from(q, 'utf8').toString('base64url')}`
}

function afterOf(q: string | undefined, text: string | undefined): CustomerCursor | undefined {
  if (text === undefined) return undefined
  const [cursor, search, ...rest] = text.split('.')
  const bound = search === undefined ? undefined : Buffer.from(search, 'base64url').toString('utf8')
  if (rest.length > 0 || bound !== q) {
    throw new AppError(
      'invalid',
      'USERS.INVALID_CURSOR',
      'The cursor is not valid for this list.',
      {
        details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] },
      },
    )
  }
  const { at, id } = decodeTimeIdCursor(cursor!, 'USERS.INVALID_CURSOR')
  return { createdAt: at, id }
}

/** `GET /customers` (customers.read): the accounts, newest first, searched by e-mail or name. */
export function createListCustomers(deps: { customers: CustomerDirectory }) {
  return async (query: users.ListCustomersQuery): Promise<users.CustomerPage> => {
    const limit = query.limit ?? 20
    const q = query.q?.trim().toLowerCase() || undefined
    const found = await deps.customers.search({
      ...(q !== undefined && { q }),
      after: afterOf(q, query.cursor),
      limit: limit + 1,
    })
    const page = found.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(toCustomer),
      nextCursor: found.length > limit && last ? cursorOf(q, last) : null,
    }
  }
}

/** `GET /customers/{id}` (customers.read): the account and its address book; else a 404. */
export function createGetCustomer(deps: { customers: CustomerDirectory }) {
  return async (id: string): Promise<users.CustomerDetail> => {
    const found = await deps.customers.find(id)
    if (!found) throw new AppError('not_found', 'USERS.CUSTOMER_NOT_FOUND', `No customer ${id}.`)
    const addresses = await deps.customers.addresses(id)
    return { ...toCustomer(found), addresses: addresses.map(toSavedAddress) }
  }
}
