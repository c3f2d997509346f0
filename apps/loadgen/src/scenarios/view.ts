import { isOk, reader, type Scenario } from './context.js'

/** Opens a product page (sometimes a second one), as from a link. */
export const view: Scenario = async (context) => {
  const { http, book, random } = context
  const init = await reader(context)
  const pages = random() < 0.3 ? 2 : 1
  for (let i = 0; i < pages; i++) {
    const product = book.pick()
    if (!product) return 'done'
    const reply = await http.call(
      'products.view',
      (api) => api.GET('/api/v1/products/{id}', { params: { path: { id: product.id } } }),
      init,
    )
    if (!isOk(reply)) return 'failed'
    book.remember([reply.body])
  }
  return 'done'
}
