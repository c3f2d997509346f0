import { randomUUID } from 'node:crypto'
import { AppError } from '@emporium/platform/app'
import { users } from '@emporium/contracts'
import { unknownAccount } from './get-me.js'
import type { AddressRecord, Caller, Repositories, Store } from './ports.js'

export interface AddressBookDeps {
  store: Store
  now: () => Date
}

/** Another account's address is not found either: a 404 says nothing about whose it is. */
const notFound = () =>
  new AppError('not_found', 'USERS.ADDRESS_NOT_FOUND', 'There is no such address in your book.')
const bookFull = () =>
  new AppError(
    'conflict',
    'USERS.ADDRESS_BOOK_FULL',
    `The address book holds at most ${users.maxSavedAddresses} addresses: delete one first.`,
  )
const defaultRequired = () =>
  new AppError(
    'invalid',
    'USERS.DEFAULT_ADDRESS_REQUIRED',
    'The book always has a default address: make another address the default instead.',
    { details: { errors: [{ path: '/body/isDefault', message: 'must not be false here' }] } },
  )

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The address as clients see it: absent optional fields are left out, the label is null. */
export function toSavedAddress(record: AddressRecord): users.SavedAddress {
  return {
    id: record.id,
    label: record.label,
    name: record.name,
    line1: record.line1,
    ...(record.line2 !== null && { line2: record.line2 }),
    city: record.city,
    postalCode: record.postalCode,
    country: record.country,
    ...(record.region !== null && { region: record.region }),
    ...(record.phone !== null && { phone: record.phone }),
    isDefault: record.isDefault,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  }
}

/**
 * The caller's own address book: always the account the token names, never an id from the
 * request. Every change locks the account's row first, so the limit of 20 and the single default
 * hold when requests race (two adds at 19 make 20 and a 409). The first address is the default;
 * deleting the default makes the most recently updated remaining address the default; the
 * default cannot be unset (`isDefault: false` on it is a 400 `USERS.DEFAULT_ADDRESS_REQUIRED`).
 */
export function createAddressBook(deps: AddressBookDeps) {
  /** Runs `work` on the locked book of the caller's account. */
  function locked<T>(
    caller: Caller,
    work: (tx: Repositories, book: AddressRecord[]) => Promise<T>,
  ): Promise<T> {
    return deps.store.transaction(async (tx) => {
      if (!(await tx.addresses.lockBook(caller.userId))) throw unknownAccount()
      return work(tx, await tx.addresses.list(caller.userId))
    })
  }
  const find = (book: AddressRecord[], id: string) => {
    const address = uuid.test(id) ? book.find((a) => a.id === id.toLowerCase()) : undefined
    if (!address) throw notFound()
    return address
  }

  return {
    async list(caller: Caller): Promise<users.AddressList> {
      const book = await deps.store.addresses.list(caller.userId)
      return { items: book.map(toSavedAddress) }
    },

    async add(caller: Caller, input: users.AddressInput): Promise<users.SavedAddress> {
      return locked(caller, async (tx, book) => {
        if (book.length >= users.maxSavedAddresses) throw bookFull()
        const now = deps.now()
        const isDefault = book.length === 0 || input.isDefault === true
        const address: AddressRecord = {
          id: randomUUID(),
          userId: caller.userId,
          label: input.label ?? null,
          name: input.name,
          line1: input.line1,
          line2: input.line2 ?? null,
          city: input.city,
          postalCode: input.postalCode,
          country: input.country,
          region: input.region ?? null,
          phone: input.phone ?? null,
          isDefault,
          createdAt: now,
          updatedAt: now,
        }
        await tx.addresses.insert(address)
        if (isDefault) await tx.addresses.setDefault(caller.userId, address.id)
        return toSavedAddress(address)
      })
    },

    async update(
      caller: Caller,
      id: string,
      patch: users.AddressPatch,
    ): Promise<users.SavedAddress> {
      return locked(caller, async (tx, book) => {
        const current = find(book, id)
        if (patch.isDefault === false && current.isDefault) throw defaultRequired()
        const { isDefault, ...fields } = patch
        const address: AddressRecord = {
          ...current,
          ...fields,
          isDefault: current.isDefault || isDefault === true,
          updatedAt: deps.now(),
        }
        await tx.addresses.update(address)
        if (address.isDefault && !current.isDefault) {
          await tx.addresses.setDefault(caller.userId, address.id)
        }
        return toSavedAddress(address)
      })
    },

    async remove(caller: Caller, id: string): Promise<void> {
      await locked(caller, async (tx, book) => {
        const current = find(book, id)
        await tx.addresses.remove(caller.userId, current.id)
        if (!current.isDefault) return
        const next = book
          .filter((a) => a.id !== current.id)
          .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0]
        if (next) await tx.addresses.setDefault(caller.userId, next.id)
      })
    },
  }
}

export type AddressBook = ReturnType<typeof createAddressBook>
