// Peers of the catalog benchmark (issue 20): Vendure and Medusa measured in the same run, with
// the same load tool, listing 20 products and reading one product (Vendure through its Shop API,
// GraphQL POST; Medusa through its Store API), next to Emporium's listing and product read
// through the gateway. Each peer runs after Emporium's processes stopped, alone with
// PostgreSQL, as Emporium's rows do. A peer that cannot be set up has a row that says why; for
// Vendure the quoted figure then stands in, labelled so.
import type { Ratio, Table } from '../lib/report.js'
import { wrk, type WrkResult } from '../lib/wrk.js'
import { medusaVersion, startMedusa } from './medusa.js'
import { startVendure, vendureVersion } from './vendure.js'

export interface PeerOptions {
  /** False: no peer is set up or measured (`--skip-peers`); the quoted figure stands in. */
  enabled: boolean
  seconds: number
  connections: number
}

/** The issue's quoted figure for Vendure 3.7's listing (best: SQLite), the fallback. */
const vendureQuotedRps = 48
/** The listing target of issues 8 and 20: Emporium's listing ≥ 50× Vendure's. */
const listingTarget: Ratio['target'] = { op: '>=', value: 50 }

/** Medusa's Store API: its listing as is, and as its storefront starter asks it (a region's prices). */
const medusaListings = {
  'list 20': () => '/store/products?limit=20',
  'list 20 (prices for a region)': (regionId: string) =>
    `/store/products?limit=20&region_id=${regionId}&fields=*variants.calculated_price`,
}
const medusaProduct = (id: string, regionId: string) =>
  `/store/products/${id}?region_id=${regionId}&fields=*variants.calculated_price`

const listQuery = `{ products(options: { take: 20 }) { items { id name slug description
  variants { id name sku price priceWithTax currencyCode } } } }`
// What Vendure's storefront starters list a collection's page with: the search index's rows,
// a price range each.
const searchQuery = `{ search(input: { take: 20, groupByProduct: true }) { items { productId
  productName slug description currencyCode
  priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } } } } }`
/** Vendure's listings: the products query (each variant's price resolved) and the search index. */
const vendureListings = { 'list 20 (products)': listQuery, 'list 20 (search)': searchQuery }
const productQuery = (slug: string) =>
  `{ product(slug: ${JSON.stringify(slug)}) { id name slug description
  variants { id name sku price priceWithTax currencyCode stockLevel } } }`

interface PeerRow extends WrkResult {
  peer: string
  products: string
  scenario: string
}

/** Listing rows of the catalog benchmark, as the peers need them. */
interface ListingRow {
  mode: string
  products: string
  scenario: string
  rps: number
}

async function post<T>(url: string, query: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  const body = (await response.json()) as { data?: T; errors?: unknown }
  if (!response.ok || !body.data) {
    throw new Error(`${url}: ${response.status} ${JSON.stringify(body.errors ?? body)}`)
  }
  return body.data
}

export function createPeers(options: PeerOptions) {
  const rows: PeerRow[] = []
  const notes: string[] = []
  let vendureSkipped: string | undefined = options.enabled ? undefined : 'skipped (--skip-peers)'
  let medusaSkipped: string | undefined = options.enabled ? undefined : 'skipped (--skip-peers)'
  // A peer a hundred times slower would time out under 50 connections: fewer, and longer rows.
  const peerLoad = {
    connections: Math.min(options.connections, 8),
    seconds: Math.max(options.seconds, 10),
  }

  const measure = async (row: Omit<PeerRow, keyof WrkResult>, run: () => Promise<WrkResult>) => {
    const result = await run()
    rows.push({ ...row, ...result })
    console.error(`  ${row.peer} ${row.products} ${row.scenario}: ${result.rps} req/s`)
  }

  return {
    /** Emporium's product read through the gateway, over 20 products of its first page. */
    async emporiumProduct(gateway: string, products: string): Promise<void> {
      if (!options.enabled) return
      const page = (await (await fetch(`${gateway}/api/v1/products?limit=20`)).json()) as {
        items: Array<{ id: string }>
      }
      await measure({ peer: 'Emporium (gateway)', products, scenario: 'one product' }, () =>
        wrk(gateway, {
          paths: page.items.map((p) => `/api/v1/products/${p.id}`),
          connections: options.connections,
          seconds: options.seconds,
          warmupSeconds: 1,
        }),
      )
    },

    /** Sets Vendure up (install and sample data once) and measures it; a failure is a note. */
    async measureVendure(): Promise<void> {
      if (vendureSkipped) return
      const peer = `Vendure ${vendureVersion}`
      try {
        const vendure = await startVendure()
        const url = `${vendure.origin}${vendure.shopApi}`
        const listed = await post<{ products: { items: Array<{ slug: string }> } }>(url, listQuery)
        const graphql = (queries: string[]) => ({
          paths: [vendure.shopApi],
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          bodies: queries.map((query) => JSON.stringify({ query })),
          ...peerLoad,
          warmupSeconds: 2,
        })
        const products = String(vendure.products)
        for (const [scenario, query] of Object.entries(vendureListings)) {
          await measure({ peer, products, scenario }, () => wrk(vendure.origin, graphql([query])))
        }
        const slugs = listed.products.items.map((p) => p.slug)
        await measure({ peer, products, scenario: 'one product' }, () =>
          wrk(vendure.origin, graphql(slugs.map(productQuery))),
        )
        await vendure.stop()
      } catch (error) {
        vendureSkipped = `could not be set up or measured: ${(error as Error).message.split('\n')[0]}`
        console.error(`bench: Vendure ${vendureSkipped}`, error)
      }
    },

    /** Sets Medusa up (install, migrations and catalog once) and measures it; a failure is a note. */
    async measureMedusa(): Promise<void> {
      if (medusaSkipped) return
      const peer = `Medusa ${medusaVersion}`
      try {
        const medusa = await startMedusa()
        const headers = { 'x-publishable-api-key': medusa.publishableKey }
        const listed = await fetch(`${medusa.origin}${medusaListings['list 20']()}`, { headers })
        const body = (await listed.json()) as { products?: Array<{ id: string }> }
        if (!listed.ok || !body.products?.length) {
          throw new Error(`its listing answered ${listed.status}: ${JSON.stringify(body)}`)
        }
        const load = (paths: string[]) => ({ paths, headers, ...peerLoad, warmupSeconds: 2 })
        const products = String(medusa.products)
        for (const [scenario, path] of Object.entries(medusaListings)) {
          await measure({ peer, products, scenario }, () =>
            wrk(medusa.origin, load([path(medusa.regionId)])),
          )
        }
        const ids = body.products.map((p) => p.id)
        await measure({ peer, products, scenario: 'one product' }, () =>
          wrk(medusa.origin, load(ids.map((id) => medusaProduct(id, medusa.regionId)))),
        )
        await medusa.stop()
      } catch (error) {
        medusaSkipped = `could not be set up or measured: ${(error as Error).message.split('\n')[0]}`
        console.error(`bench: Medusa ${medusaSkipped}`, error)
      }
    },

    /** The peers' table, the ratios of Emporium's rows to them, and notes. */
    report(listings: ListingRow[]): { tables: Table[]; ratios: Ratio[]; notes: string[] } {
      const vendure = (scenario: string) =>
        rows.find((r) => r.peer.startsWith('Vendure') && r.scenario === scenario)
      const medusa = (scenario: string) =>
        rows.find((r) => r.peer.startsWith('Medusa') && r.scenario === scenario)
      const medusaLists = Object.keys(medusaListings).flatMap((scenario) => {
        const row = medusa(scenario)
        return row ? [row] : []
      })
      const vendureLists = Object.keys(vendureListings).flatMap((scenario) => {
        const row = vendure(scenario)
        return row ? [row] : []
      })
      const ratios: Ratio[] = []
      for (const row of listings.filter((r) => r.scenario === 'list 20 newest')) {
        const name = `${row.mode} ${row.products}: list 20 newest (gateway) / Vendure`
        for (const peer of vendureLists) {
          ratios.push({
            name: `${name} ${peer.scenario}`,
            value: row.rps / peer.rps,
            unit: '×',
            target: listingTarget,
          })
        }
        for (const peer of medusaLists) {
          ratios.push({
            name: `${row.mode} ${row.products}: list 20 newest (gateway) / Medusa ${peer.scenario}`,
            value: row.rps / peer.rps,
            unit: '×',
            note: 'no target in the issue',
          })
        }
        if (vendureLists.length === 0) {
          ratios.push({
            name: `${name}'s quoted ${vendureQuotedRps} req/s`,
            value: row.rps / vendureQuotedRps,
            unit: '×',
            target: listingTarget,
            note: `the issue's quoted figure, not measured here: Vendure ${vendureSkipped}`,
          })
        }
      }
      const emporiumProduct = rows.find((r) => r.peer.startsWith('Emporium'))
      for (const peerProduct of [vendure('one product'), medusa('one product')]) {
        if (!emporiumProduct || !peerProduct) continue
        const peer = peerProduct.peer.split(' ')[0]
        ratios.push({
          name: `distributed ${emporiumProduct.products}: one product (gateway) / ${peer} one product`,
          value: emporiumProduct.rps / peerProduct.rps,
          unit: '×',
          note: 'no target in the issue',
        })
      }
      const tableRows = rows.map((r) => [
        r.peer,
        r.products,
        r.scenario,
        r.rps,
        r.p50,
        r.p99,
        r.errors,
      ])
      if (vendureSkipped)
        tableRows.push([`Vendure ${vendureVersion}`, '-', vendureSkipped, '', '', '', ''])
      if (medusaSkipped)
        tableRows.push([`Medusa ${medusaVersion}`, '-', medusaSkipped, '', '', '', ''])
      if (vendureLists.length > 0) {
        notes.push(
          `Peers: Vendure ${vendureVersion} from npm on PostgreSQL with @vendure/create's sample ` +
            `data (images skipped), its Shop API by GraphQL POST, alone after Emporium stopped; ` +
            `wrk with ${peerLoad.connections} connections, ${peerLoad.seconds} s per row ` +
            `(Emporium's product row: the catalog's connections and seconds).`,
        )
      }
      if (medusaLists.length > 0) {
        notes.push(
          `Medusa ${medusaVersion} from npm on PostgreSQL (no Redis: its events, cache and locks ` +
            `in memory, as one instance may; no admin dashboard), its Store API with a ` +
            `publishable key; its catalog made by scripts/bench/peers/medusa-project/seed.cjs ` +
            `through Medusa's workflows (its own sample data is its starter's seed script, not ` +
            `on npm): products of four size variants priced in EUR and USD. "prices for a ` +
            `region" asks each variant's calculated price, as its storefront starter does.`,
        )
      }
      return {
        tables: [
          {
            title: 'Peers',
            columns: ['peer', 'products', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors'],
            rows: tableRows,
          },
        ],
        ratios,
        notes,
      }
    },
  }
}
