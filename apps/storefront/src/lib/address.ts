/** The text of an address's fields as a form holds them ('' for an empty optional one). */
export interface AddressText {
  name: string
  line1: string
  line2: string
  city: string
  postalCode: string
  country: string
  region: string
  phone: string
}

export const addressFieldNames = [
  'name',
  'line1',
  'line2',
  'city',
  'postalCode',
  'country',
  'region',
  'phone',
] as const satisfies readonly (keyof AddressText)[]

/** The address fields of a form, trimmed (country as the API takes it). */
export function readAddress(form: FormData): AddressText {
  const text = (name: string) => form.get(name)?.toString().trim() ?? ''
  return {
    name: text('name'),
    line1: text('line1'),
    line2: text('line2'),
    city: text('city'),
    postalCode: text('postalCode'),
    country: text('country').toUpperCase(),
    region: text('region'),
    phone: text('phone'),
  }
}

/** An address's fields as the API takes them: the empty optional ones left out. */
export function addressBody(text: AddressText) {
  return {
    name: text.name,
    line1: text.line1,
    ...(text.line2 ? { line2: text.line2 } : {}),
    city: text.city,
    postalCode: text.postalCode,
    country: text.country,
    ...(text.region ? { region: text.region } : {}),
    ...(text.phone ? { phone: text.phone } : {}),
  }
}
