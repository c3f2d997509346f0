import { shop, unwrap } from '../api/client'
import { ProductCard } from '../components/product-card'
import { LoadState, ProductGridSkeleton, useLoad, useTitle } from '../components/ui'
import { Link, navigate } from '../lib/router'

function search(event: SubmitEvent) {
  event.preventDefault()
  const q = new FormData(event.currentTarget as HTMLFormElement).get('q')?.toString().trim() ?? ''
  navigate(q ? `/products?q=${encodeURIComponent(q)}` : '/products')
}

/**
 * A search word from the shop's own products: the last word of the first name that has one of
 * at least three letters (the kind of thing: 'Walnut Desk Lamp' gives 'lamp').
 */
export function searchHint(names: readonly string[]): string | undefined {
  for (const name of names) {
    const word = name.trim().split(/\s+/).at(-1)?.toLowerCase()
    if (word && /^\p{L}{3,}$/u.test(word)) return word
  }
  return undefined
}

export function HomePage() {
  useTitle('')
  const categories = useLoad(() => unwrap(shop.GET('/api/v1/categories')), [])
  const featured = useLoad(
    () => unwrap(shop.GET('/api/v1/products', { params: { query: { sort: 'newest', limit: 8 } } })),
    [],
  )
  // The hint names something the shop really sells: a word of its newest product's name.
  const hint = searchHint(featured.data?.items.map((product) => product.name) ?? [])
  return (
    <>
      <section class="hero">
        <h1>Welcome to Emporium</h1>
        <p>Everyday things, shipped fast. Search the shop or start with a category.</p>
        <form class="search" role="search" action="/products" onSubmit={search}>
          <label for="home-q">Search products</label>
          <input
            id="home-q"
            name="q"
            type="search"
            placeholder={hint ? `e.g. ${hint}` : undefined}
          />
          <button type="submit">Search</button>
        </form>
      </section>
      <section aria-labelledby="categories">
        <h2 id="categories">Categories</h2>
        <LoadState state={categories} />
        <ul class="chips">
          {categories.data?.items.map((category) => (
            <li key={category.id}>
              <Link href={`/products?category=${encodeURIComponent(category.slug)}`}>
                {category.name}
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="featured">
        <h2 id="featured">New in</h2>
        <LoadState state={featured} placeholder={<ProductGridSkeleton count={8} />} />
        <ul class="grid">
          {featured.data?.items.map((product) => (
            <ProductCard key={product.id} product={product} />
          ))}
        </ul>
      </section>
    </>
  )
}
