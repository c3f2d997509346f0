import type { AddressText } from '../lib/address'
import { countryOptions, defaultCountry } from '../lib/countries'

/**
 * A postal address's fields (uncontrolled: a form reads them with `readAddress`). `prefix`
 * makes their ids unique on the page; `values` fills them in. Each has a visible label; the
 * country is a choice of ISO 3166-1 alpha-2 codes by name.
 */
export function AddressFields({
  prefix,
  values,
}: {
  prefix: string
  values?: Partial<AddressText>
}) {
  const country = values?.country || defaultCountry
  const field = (
    name: keyof AddressText,
    label: string,
    autoComplete: string,
    { optional = false, maxLength = 200 } = {},
  ) => (
    <div class="field">
      <label for={`${prefix}-${name}`}>{label}</label>
      <input
        id={`${prefix}-${name}`}
        name={name}
        required={!optional}
        maxLength={maxLength}
        defaultValue={values?.[name] ?? ''}
        autoComplete={autoComplete}
      />
    </div>
  )
  return (
    <>
      {field('name', 'Full name', 'name')}
      {field('line1', 'Address', 'address-line1')}
      {field('line2', 'Address line 2 (optional)', 'address-line2', { optional: true })}
      {field('city', 'City', 'address-level2', { maxLength: 100 })}
      {field('region', 'State or region (optional)', 'address-level1', {
        optional: true,
        maxLength: 100,
      })}
      {field('postalCode', 'Postal code', 'postal-code', { maxLength: 20 })}
      <div class="field">
        <label for={`${prefix}-country`}>Country</label>
        <select id={`${prefix}-country`} name="country" required autoComplete="country">
          {countryOptions(country).map((option) => (
            <option key={option.code} value={option.code} selected={option.code === country}>
              {option.name}
            </option>
          ))}
        </select>
      </div>
      {field('phone', 'Phone (optional)', 'tel', { optional: true, maxLength: 40 })}
    </>
  )
}
