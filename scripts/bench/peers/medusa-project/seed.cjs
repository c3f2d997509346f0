// The catalog of Medusa's peer rows, created through Medusa's own workflows (`medusa exec`; copied
// into the bench's npm cache of Medusa as seed.js, see ../medusa.ts). Medusa's sample data is its
// starter project's seed script, which is not on npm; this one makes a catalog of the same shape,
// and of the size of Vendure's sample data: BENCH_PRODUCTS products (default 50) in four
// categories, each with four size variants priced in EUR and USD, published in the default sales
// channel, a region (Europe, EUR) and a publishable API key for the Store API.
const {
  createApiKeysWorkflow,
  createProductCategoriesWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} = require('@medusajs/core-flows')
const { Modules, ProductStatus } = require('@medusajs/framework/utils')

exports.default = async function seed({ container }) {
  const salesChannels = container.resolve(Modules.SALES_CHANNEL)
  let [channel] = await salesChannels.listSalesChannels({ name: 'Default Sales Channel' })
  if (!channel) {
    const { result } = await createSalesChannelsWorkflow(container).run({
      input: { salesChannelsData: [{ name: 'Default Sales Channel' }] },
    })
    channel = result[0]
  }
  await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: 'Europe',
          currency_code: 'eur',
          countries: ['de', 'dk', 'fr', 'gb', 'it', 'es', 'se'],
          payment_providers: ['pp_system_default'],
        },
      ],
    },
  })
  const { result: keys } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: 'emporium-bench', type: 'publishable', created_by: '' }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({
    input: { id: keys[0].id, add: [channel.id] },
  })
  const { result: categories } = await createProductCategoriesWorkflow(container).run({
    input: {
      product_categories: ['Shirts', 'Sweatshirts', 'Pants', 'Merch'].map((name) => ({
        name,
        is_active: true,
      })),
    },
  })
  const sizes = ['S', 'M', 'L', 'XL']
  const count = Number(process.env.BENCH_PRODUCTS ?? 50)
  const products = Array.from({ length: count }, (_, i) => ({
    title: `Bench product ${i + 1}`,
    handle: `bench-product-${i + 1}`,
    description: 'A product of the benchmark catalog, in four sizes.',
    status: ProductStatus.PUBLISHED,
    category_ids: [categories[i % categories.length].id],
    options: [{ title: 'Size', values: sizes }],
    variants: sizes.map((size) => ({
      title: size,
      sku: `BENCH-${i + 1}-${size}`,
      options: { Size: size },
      manage_inventory: false,
      prices: [
        { amount: 1000 + i, currency_code: 'eur' },
        { amount: 1500 + i, currency_code: 'usd' },
      ],
    })),
    sales_channels: [{ id: channel.id }],
  }))
  await createProductsWorkflow(container).run({ input: { products } })
}
