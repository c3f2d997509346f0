import { AppError } from '@emporium/platform/errors'

/** One option of a product (size, colour, …) and its values in display order. */
export interface ProductOption {
  name: string
  values: string[]
}

/** A variant's value of each of its product's options. */
export type VariantOptions = Record<string, string>

/** What a variant's price and stock amount to on its product. */
export interface PricedVariant {
  priceAmount: number
}

/** A variant as an admin describes it, before it is checked against its product's options. */
export interface VariantInput {
  sku: string
  options: VariantOptions
}

type FieldError = { path: string; message: string }

/** A choice's value of an option, its own property only (an option may be named `constructor`). */
function valueOf(chosen: VariantOptions, name: string): string | undefined {
  return Object.hasOwn(chosen, name) ? chosen[name] : undefined
}

function unprocessable(code: string, message: string, errors: FieldError[]): AppError {
  return new AppError('unprocessable', code, message, { details: { errors } })
}

/**
 * Checks a product's options as declared: names unique (ignoring case), values unique within
 * their option (ignoring case). 422 `CATALOG.INVALID_OPTIONS` otherwise.
 */
export function checkProductOptions(options: readonly ProductOption[]): void {
  const errors: FieldError[] = []
  const names = new Set<string>()
  options.forEach((option, i) => {
    const name = option.name.trim().toLowerCase()
    if (names.has(name)) errors.push({ path: `/body/options/${i}/name`, message: 'is repeated' })
    names.add(name)
    const values = new Set<string>()
    option.values.forEach((value, j) => {
      const key = value.trim().toLowerCase()
      if (values.has(key)) {
        errors.push({ path: `/body/options/${i}/values/${j}`, message: 'is repeated' })
      }
      values.add(key)
    })
  })
  if (errors.length > 0) {
    throw unprocessable(
      'CATALOG.INVALID_OPTIONS',
      'Option names and values must be unique.',
      errors,
    )
  }
}

/**
 * Checks a variant's option values against its product's options: exactly one value of each
 * option, from that option's values. `path` names the variant in the request (`/body`,
 * `/body/variants/2`). 422 `CATALOG.INVALID_VARIANT_OPTIONS` otherwise.
 */
export function checkVariantOptions(
  options: readonly ProductOption[],
  chosen: VariantOptions,
  path: string,
): void {
  const errors: FieldError[] = []
  for (const option of options) {
    const value = valueOf(chosen, option.name)
    if (value === undefined) {
      errors.push({ path: `${path}/options`, message: `needs a value of ${option.name}` })
    } else if (!option.values.includes(value)) {
      errors.push({
        path: `${path}/options/${option.name}`,
        message: `must be one of ${option.values.join(', ')}`,
      })
    }
  }
  for (const name of Object.keys(chosen)) {
    if (!options.some((o) => o.name === name)) {
      errors.push({ path: `${path}/options/${name}`, message: 'is not an option of the product' })
    }
  }
  if (errors.length > 0) {
    throw unprocessable(
      'CATALOG.INVALID_VARIANT_OPTIONS',
      options.length === 0
        ? 'This product has no options: it has one variant.'
        : "The variant's option values do not match the product's options.",
      errors,
    )
  }
}

/** The key of a variant's choice of values, the same whatever order its object lists them in. */
export function combinationKey(options: readonly ProductOption[], chosen: VariantOptions): string {
  return JSON.stringify(options.map((o) => valueOf(chosen, o.name) ?? null))
}

/**
 * Checks the variants of a new product together: each matches the options, no two choose the
 * same values and no two share a SKU; only the first (which takes the product's id) may have
 * the product's SKU. 422 (`CATALOG.INVALID_VARIANT_OPTIONS`, `CATALOG.DUPLICATE_VARIANT`,
 * `CATALOG.DUPLICATE_SKU`) otherwise.
 */
export function checkNewVariants(
  options: readonly ProductOption[],
  variants: readonly VariantInput[],
  productSku: string,
): void {
  const combinations = new Map<string, number>()
  const skus = new Map<string, number>()
  variants.forEach((variant, i) => {
    checkVariantOptions(options, variant.options, `/body/variants/${i}`)
    const key = combinationKey(options, variant.options)
    const twin = combinations.get(key)
    if (twin !== undefined) {
      throw unprocessable(
        'CATALOG.DUPLICATE_VARIANT',
        `Variants ${twin} and ${i} choose the same option values.`,
        [{ path: `/body/variants/${i}/options`, message: `repeats variant ${twin}` }],
      )
    }
    combinations.set(key, i)
    const sku = variant.sku
    const sameSku = skus.get(sku)
    if (sameSku !== undefined) {
      throw unprocessable('CATALOG.DUPLICATE_SKU', `Variants ${sameSku} and ${i} share a SKU.`, [
        { path: `/body/variants/${i}/sku`, message: `repeats variant ${sameSku}` },
      ])
    }
    skus.set(sku, i)
    if (i > 0 && sku === productSku) {
      throw unprocessable('CATALOG.DUPLICATE_SKU', `Variant ${i} has the product's SKU.`, [
        { path: `/body/variants/${i}/sku`, message: "is the product's (only the first may be)" },
      ])
    }
  })
}

/** A variant's values in option order for display (`M / Blue`); undefined without options. */
export function variantLabel(
  options: readonly ProductOption[],
  chosen: VariantOptions,
): string | undefined {
  if (options.length === 0) return undefined
  return options.map((o) => valueOf(chosen, o.name) ?? '?').join(' / ')
}

/** A variant's values as an object in option order (JSON keeps the order it is given). */
export function orderedOptions(
  options: readonly ProductOption[],
  chosen: VariantOptions,
): VariantOptions {
  const ordered: VariantOptions = {}
  for (const option of options) {
    const value = valueOf(chosen, option.name)
    if (value !== undefined) ordered[option.name] = value
  }
  return ordered
}

/** The least and greatest price of a product's variants (it has at least one). */
export function priceBounds(variants: readonly PricedVariant[]): { min: number; max: number } {
  if (variants.length === 0) throw new Error('a product has at least one variant')
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const v of variants) {
    min = Math.min(min, v.priceAmount)
    max = Math.max(max, v.priceAmount)
  }
  return { min, max }
}
