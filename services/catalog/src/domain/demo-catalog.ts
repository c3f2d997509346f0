/**
 * The demo catalog: about 1,000 products over 12 categories, generated from a seed with a
 * small PRNG (mulberry32), so the same seed always gives the same catalog, ids included; and a
 * few products with options and variants (demo-options.ts).
 */
import { combinations, demoOptionsProducts, variantSku, type DemoVariant } from './demo-options.js'
import type { ProductOption } from './variants.js'

export type { DemoVariant } from './demo-options.js'

export interface DemoCategory {
  id: string
  name: string
  slug: string
}

export interface DemoProduct {
  id: string
  sku: string
  name: string
  description: string
  priceAmount: number
  currency: string
  categoryId: string
  attributes: Record<string, string>
  /** Of a product without options (for one with options: its first variant's). */
  onHand: number
  createdAt: Date
  /** Its options, for a product with options. */
  options?: ProductOption[]
  /** Its variants, for a product with options (the first has the product's id). */
  variants?: DemoVariant[]
}

export interface DemoCatalog {
  categories: DemoCategory[]
  products: DemoProduct[]
}

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Kind {
  name: string
  slug: string
  prefix: string
  nouns: string[]
  /** Price range in cents. */
  price: [number, number]
  uses: string[]
}

const kinds: Kind[] = [
  {
    name: 'Electronics',
    slug: 'electronics',
    prefix: 'ELE',
    nouns: [
      'Headphones',
      'Speaker',
      'Charger',
      'Power Bank',
      'Webcam',
      'Keyboard',
      'Mouse',
      'Monitor',
    ],
    price: [1499, 49999],
    uses: ['home office', 'travel', 'gaming'],
  },
  {
    name: 'Books',
    slug: 'books',
    prefix: 'BOO',
    nouns: ['Novel', 'Cookbook', 'Field Guide', 'Atlas', 'Anthology', 'Handbook'],
    price: [799, 5999],
    uses: ['rainy afternoons', 'gifting', 'the commute'],
  },
  {
    name: 'Home & Kitchen',
    slug: 'home-kitchen',
    prefix: 'HOM',
    nouns: ['Kettle', 'Skillet', 'Knife Set', 'Cutting Board', 'Teapot', 'Mixing Bowl', 'Toaster'],
    price: [1299, 29999],
    uses: ['everyday cooking', 'weekend baking', 'entertaining'],
  },
  {
    name: 'Clothing',
    slug: 'clothing',
    prefix: 'CLO',
    nouns: ['T-Shirt', 'Hoodie', 'Jacket', 'Sweater', 'Jeans', 'Scarf', 'Raincoat'],
    price: [1499, 19999],
    uses: ['cool mornings', 'city walks', 'layering'],
  },
  {
    name: 'Shoes',
    slug: 'shoes',
    prefix: 'SHO',
    nouns: ['Sneakers', 'Boots', 'Sandals', 'Loafers', 'Running Shoes', 'Slippers'],
    price: [2999, 24999],
    uses: ['long days', 'trails', 'the office'],
  },
  {
    name: 'Sports & Outdoors',
    slug: 'sports-outdoors',
    prefix: 'SPO',
    nouns: [
      'Tent',
      'Backpack',
      'Water Bottle',
      'Yoga Mat',
      'Headlamp',
      'Sleeping Bag',
      'Trekking Poles',
    ],
    price: [999, 39999],
    uses: ['camping', 'hiking', 'training'],
  },
  {
    name: 'Toys & Games',
    slug: 'toys-games',
    prefix: 'TOY',
    nouns: ['Puzzle', 'Board Game', 'Building Set', 'Plush Bear', 'Card Game', 'Kite'],
    price: [599, 8999],
    uses: ['family nights', 'birthdays', 'rainy days'],
  },
  {
    name: 'Beauty',
    slug: 'beauty',
    prefix: 'BEA',
    nouns: ['Face Cream', 'Shampoo', 'Lip Balm', 'Body Lotion', 'Serum', 'Hand Soap'],
    price: [499, 6999],
    uses: ['daily care', 'dry skin', 'travel'],
  },
  {
    name: 'Garden',
    slug: 'garden',
    prefix: 'GAR',
    nouns: ['Watering Can', 'Pruning Shears', 'Planter', 'Garden Hose', 'Seed Kit', 'Trowel'],
    price: [699, 14999],
    uses: ['balconies', 'vegetable beds', 'houseplants'],
  },
  {
    name: 'Office',
    slug: 'office',
    prefix: 'OFF',
    nouns: ['Notebook', 'Desk Lamp', 'Pen Set', 'Desk Organizer', 'Planner', 'Stapler'],
    price: [399, 12999],
    uses: ['study', 'meetings', 'planning'],
  },
  {
    name: 'Pet Supplies',
    slug: 'pet-supplies',
    prefix: 'PET',
    nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Food Bowl', 'Chew Toy', 'Grooming Brush'],
    price: [599, 15999],
    uses: ['puppies', 'senior cats', 'daily walks'],
  },
  {
    name: 'Grocery',
    slug: 'grocery',
    prefix: 'GRO',
    nouns: ['Coffee Beans', 'Green Tea', 'Olive Oil', 'Dark Chocolate', 'Honey', 'Granola'],
    price: [299, 3999],
    uses: ['breakfast', 'snacking', 'gifting'],
  },
]

const adjectives = [
  'Classic',
  'Compact',
  'Deluxe',
  'Everyday',
  'Premium',
  'Lightweight',
  'Rugged',
  'Vintage',
  'Modern',
  'Eco',
  'Pro',
  'Essential',
  'Cozy',
  'Sleek',
  'Handmade',
]
const materials = [
  'Bamboo',
  'Steel',
  'Cotton',
  'Wool',
  'Oak',
  'Ceramic',
  'Leather',
  'Recycled',
  'Linen',
  'Aluminium',
  'Organic',
  'Walnut',
]
const colours = [
  'Black',
  'White',
  'Navy',
  'Olive',
  'Sand',
  'Charcoal',
  'Red',
  'Teal',
  'Mustard',
  'Grey',
]
const brands = [
  'Northwind',
  'Fjord & Co',
  'Larkspur',
  'Copperleaf',
  'Bluestem',
  'Hearthstone',
  'Maple Row',
  'Tidewater',
  'Sunfield',
  'Ironbark',
]
const qualities = [
  'built to last',
  'easy to clean',
  'thoughtfully designed',
  'made with care',
  'backed by a two-year warranty',
  'a customer favourite',
]

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

/** A UUID-shaped id derived from text (FNV-1a), so generated ids are stable. */
export function stableId(text: string): string {
  const words: string[] = []
  for (let round = 0; round < 4; round++) {
    let h = 0x811c9dc5 ^ round
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
    words.push(h.toString(16).padStart(8, '0'))
  }
  const hex = words.join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** The demo catalog of `seed` (default 42): `perCategory` products in each of the 12 categories. */
export function generateDemoCatalog(
  options: { seed?: number; perCategory?: number; since?: Date } = {},
): DemoCatalog {
  const seed = options.seed ?? 42
  const perCategory = options.perCategory ?? 84
  const since = options.since ?? new Date('2026-01-01T00:00:00.000Z')
  const random = createPrng(seed)
  const categories = kinds.map((kind) => ({
    id: stableId(`category:${kind.slug}`),
    name: kind.name,
    slug: kind.slug,
  }))
  const products: DemoProduct[] = []
  for (let i = 0; i < perCategory; i++) {
    kinds.forEach((kind, k) => {
      const noun = pick(random, kind.nouns)
      const adjective = pick(random, adjectives)
      const material = pick(random, materials)
      const colour = pick(random, colours)
      const brand = pick(random, brands)
      const sku = `${kind.prefix}-${String(i + 1).padStart(4, '0')}`
      const [low, high] = kind.price
      // Prices end in 99 like a shop's.
      const priceAmount = Math.floor((low + random() * (high - low)) / 100) * 100 + 99
      const roll = random()
      const onHand =
        roll < 0.05
          ? 0
          : roll < 0.15
            ? 1 + Math.floor(random() * 5)
            : Math.floor(random() * 200) + 5
      const n = products.length
      products.push({
        id: stableId(`product:${seed}:${sku}`),
        sku,
        name: `${brand} ${adjective} ${material} ${noun}`,
        description:
          `${/^[AEIOU]/.test(adjective) ? 'An' : 'A'} ${adjective.toLowerCase()} ${noun.toLowerCase()} in ${colour.toLowerCase()} ${material.toLowerCase()}, ` +
          `${pick(random, qualities)}. Great for ${pick(random, kind.uses)}.`,
        priceAmount,
        currency: 'USD',
        categoryId: categories[k]!.id,
        attributes: { brand, colour, material },
        onHand,
        // One product a minute since `since`: a stable `newest` order.
        createdAt: new Date(since.getTime() + n * 60_000),
      })
    })
  }
  // The products with options come last and are the oldest: the generated ones keep their
  // places at the top of the newest and the cheapest.
  demoOptionsProducts.forEach((template, n) => {
    const id = stableId(`product:${seed}:${template.sku}`)
    const variants = combinations(template.options).map((chosen, i) => {
      const sku = variantSku(template.sku, chosen)
      return {
        id: i === 0 ? id : stableId(`variant:${seed}:${sku}`),
        sku,
        options: chosen,
        priceAmount: template.price(chosen),
        onHand: template.onHand(chosen, i),
      }
    })
    products.push({
      id,
      sku: template.sku,
      name: template.name,
      description: template.description,
      priceAmount: Math.min(...variants.map((v) => v.priceAmount)),
      currency: 'USD',
      categoryId: categories[kinds.findIndex((k) => k.slug === template.categorySlug)]!.id,
      attributes: { brand: template.brand },
      onHand: variants[0]!.onHand,
      createdAt: new Date(since.getTime() - (n + 1) * 86_400_000),
      options: template.options,
      variants,
    })
  })
  return { categories, products }
}

/** A demo product's variants: its own, or one of the product's SKU, price and stock. */
export function demoVariants(product: DemoProduct): DemoVariant[] {
  return (
    product.variants ?? [
      {
        id: product.id,
        sku: product.sku,
        options: {},
        priceAmount: product.priceAmount,
        onHand: product.onHand,
      },
    ]
  )
}
