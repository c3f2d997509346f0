import { unwrap, type CallResult } from '@emporium/sdk'
import { shop } from './client'

/** An address of the shopper's address book (`/api/v1/users/me/addresses`). */
export interface SavedAddress {
  id: string
  label: string | null
  name: string
  line1: string
  line2?: string | null
  city: string
  postalCode: string
  /** ISO 3166-1 alpha-2. */
  country: string
  region?: string | null
  phone?: string | null
  isDefault: boolean
  createdAt: string
  updatedAt: string
}

/** What a new address is made of. */
export interface NewAddress {
  label?: string
  name: string
  line1: string
  line2?: string
  city: string
  postalCode: string
  country: string
  region?: string
  phone?: string
  isDefault?: boolean
}

/** A change of an address: only what is sent changes; null clears an optional field. */
export type AddressChange = {
  [K in keyof NewAddress]?: K extends 'name' | 'line1' | 'city' | 'postalCode' | 'country'
    ? string
    : NewAddress[K] | null
}

// The typed client's paths are the SDK's; these calls go through the same client (the session's
// token, refreshed as usual) by path, typed here by the contract of the address book and reset.
type Call = (path: string, init?: Record<string, unknown>) => Promise<CallResult<unknown>>
const api = shop as unknown as { GET: Call; POST: Call; PATCH: Call; DELETE: Call }

const byId = (id: string) => ({ params: { path: { id } } })

/** The signed-in shopper's addresses, the default first. */
export async function listAddresses(): Promise<SavedAddress[]> {
  const page = (await unwrap(api.GET('/api/v1/users/me/addresses'))) as { items: SavedAddress[] }
  return page.items
}

export async function addAddress(body: NewAddress): Promise<SavedAddress> {
  return (await unwrap(api.POST('/api/v1/users/me/addresses', { body }))) as SavedAddress
}

export async function changeAddress(id: string, body: AddressChange): Promise<SavedAddress> {
  return (await unwrap(
    api.PATCH('/api/v1/users/me/addresses/{id}', { ...byId(id), body }),
  )) as SavedAddress
}

export async function removeAddress(id: string): Promise<void> {
  await unwrap(api.DELETE('/api/v1/users/me/addresses/{id}', byId(id)))
}

/** Asks for a reset link by e-mail; answered the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } }))
}

/** Sets a new password with the e-mailed token; every session of the account ends. */
export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }))
}
