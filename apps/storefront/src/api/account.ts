import { unwrap, type components } from '@emporium/sdk'
import { shop } from './client'

type Schemas = components['schemas']

/** An address of the shopper's address book (`/api/v1/users/me/addresses`). */
export type SavedAddress = Schemas['GetUsersMeAddressesResponse']['items'][number]
/** What a new address is made of. */
export type NewAddress = Schemas['PostUsersMeAddressesRequest']
/** A change of an address: only what is sent changes; null clears an optional field. */
export type AddressChange = Schemas['PatchUsersMeAddressesByIdRequest']

const byId = (id: string) => ({ params: { path: { id } } })

/** The signed-in shopper's addresses, the default first. */
export async function listAddresses(): Promise<SavedAddress[]> {
  return (await unwrap(shop.GET('/api/v1/users/me/addresses'))).items
}

export function addAddress(body: NewAddress): Promise<SavedAddress> {
  return unwrap(shop.POST('/api/v1/users/me/addresses', { body }))
}

export function changeAddress(id: string, body: AddressChange): Promise<SavedAddress> {
  return unwrap(shop.PATCH('/api/v1/users/me/addresses/{id}', { ...byId(id), body }))
}

export async function removeAddress(id: string): Promise<void> {
  await unwrap(shop.DELETE('/api/v1/users/me/addresses/{id}', byId(id)))
}

/** Asks for a reset link by e-mail; answered the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await unwrap(shop.POST('/api/v1/auth/password-reset', { body: { email } }))
}

/** Sets a new password with the e-mailed token; every session of the account ends. */
export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await unwrap(shop.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }))
}
