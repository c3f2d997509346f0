import type { ProductOption, VariantOptions } from './variants.js'

/** A variant of a demo product. The first has the product's id. */
export interface DemoVariant {
  id: string
  sku: string
  options: VariantOptions
  priceAmount: number
  onHand: number
}

/** What the demo products with options are made of (the rest of a DemoProduct is generated). */
export interface DemoOptionsProduct {
  sku: string
  name: string
  description: string
  categorySlug: string
  brand: string
  options: ProductOption[]
  /** The price of each choice of values (minor units). */
  price(chosen: VariantOptions): number
  /** Units on hand of each choice of values. */
  onHand(chosen: VariantOptions, index: number): number
}

/**
 * A few demo products with options, so that the storefront shows its variant picker: a T-shirt
 * in sizes and colours (XL dearer, one choice sold out), running shoes in sizes, a hoodie, a mug
 * in colours. Fixed, not drawn from the generator's random numbers, so the generated products
 * stay what they were.
 */
export const demoOptionsProducts: readonly DemoOptionsProduct[] = [
  {
    sku: 'CLO-TEE',
    name: 'Emporium Classic Tee',
    description:
      'A classic crew-neck tee in soft organic cotton, cut for every day. Choose your size and colour.',
    categorySlug: 'clothing',
    brand: 'Emporium',
    options: [
      { name: 'Size', values: ['S', 'M', 'L', 'XL'] },
      { name: 'Colour', values: ['Black', 'White', 'Navy'] },
    ],
    price: (c) => (c.Size === 'XL' ? 2299 : 1999),
    onHand: (c, i) => (c.Size === 'XL' && c.Colour === 'White' ? 0 : 8 + ((i * 7) % 23)),
  },
  {
    sku: 'SHO-RUN',
    name: 'Emporium Trail Runner',
    description: 'Light, grippy running shoes for trails and towpaths. Pick your size.',
    categorySlug: 'shoes',
    brand: 'Emporium',
    options: [{ name: 'Size', values: ['40', '41', '42', '43', '44', '45'] }],
    price: () => 8999,
    onHand: (c, i) => (c.Size === '45' ? 0 : 5 + i * 3),
  },
  {
    sku: 'CLO-HOOD',
    name: 'Emporium Everyday Hoodie',
    description: 'A brushed-fleece hoodie with a roomy pocket, for cool mornings and late walks.',
    categorySlug: 'clothing',
    brand: 'Emporium',
    options: [
      { name: 'Size', values: ['S', 'M', 'L'] },
      { name: 'Colour', values: ['Grey', 'Olive'] },
    ],
    price: (c) => (c.Size === 'L' ? 5299 : 4999),
    onHand: (_c, i) => 6 + ((i * 5) % 17),
  },
  {
    sku: 'HOM-MUG',
    name: 'Emporium Stoneware Mug',
    description: 'A glazed stoneware mug that holds a generous 350 ml. Three glazes.',
    categorySlug: 'home-kitchen',
    brand: 'Emporium',
    options: [{ name: 'Glaze', values: ['Sand', 'Teal', 'Charcoal'] }],
    price: () => 3499,
    onHand: (_c, i) => 20 + i * 10,
  },
]

/** Every choice of one value per option, the first option varying slowest. */
export function combinations(options: readonly ProductOption[]): VariantOptions[] {
  let all: VariantOptions[] = [{}]
  for (const option of options) {
    all = all.flatMap((chosen) =>
      option.values.map((value) => ({ ...chosen, [option.name]: value })),
    )
  }
  return all
}

/** The SKU of a variant: the product's and each value's (letters and digits), joined by `-`. */
export function variantSku(productSku: string, chosen: VariantOptions): string {
  const parts = Object.values(chosen).map((value) =>
    value.replace(/[^A-Za-z0-9]/g, '').toUpperCase(),
  )
  return [productSku, ...parts].join('-')
}
