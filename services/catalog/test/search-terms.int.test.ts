import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOutbox, migrate, type DatabaseKind } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import type { Cursor } from '../src/domain/cursor.js'
import { generateDemoCatalog } from '../src/domain/demo-catalog.js'
import type { ListCriteria } from '../src/domain/listing.js'
import { prefixQuery } from '../src/domain/search-plan.js'
import { createKyselyStore, type KyselyStore } from '../src/infra/kysely-store.js'
import { listingSql } from '../src/infra/listing-sql.js'

const literal = (value: unknown) => `'${String(value).replaceAll("'", "''")}'`

interface Ranked {
  id: string
  rank: string
}

/**
 * What a search lists by relevance, worked out the way the listing did before issue 20: every
 * match ranked (the whole word's matches above every prefix-only one), then sorted. The
 * reference the terms' page must equal, product for product and rank for rank.
 */
async function rankedEveryMatch(db: Kysely<any>, q: string, limit: number): Promise<Ranked[]> {
  const prefix = prefixQuery(q)!
  const { rows } = await sql<Ranked>`
    select id, rank::text as rank from (
      select p.id, case when p.search @@ websearch_to_tsquery('english', ${q})
        then round((ts_rank(p.search, to_tsquery('english', ${prefix})) + 1)::numeric, 6) + 999
        else round(least(ts_rank(p.search, to_tsquery('english', ${prefix})), 998)::numeric, 6)
        end as rank
      from products p
      where p.deleted_at is null and p.status = 'published'
        and p.search @@ (websearch_to_tsquery('english', ${q}) || to_tsquery('english', ${prefix}))
    ) p
    order by p.rank desc, p.id desc
    limit ${limit}`.execute(db)
  return rows
}

/**
 * Which index the statement of `q` reads its page from: the terms (its `fast` is true), the
 * beginnings (`beginning`), or neither (the GIN index's matches, ranked).
 */
async function pageSource(
  db: Kysely<any>,
  q: string,
  limit = 20,
  after: Cursor | null = null,
): Promise<'terms' | 'beginnings' | 'gin'> {
  const statement = listingSql({ sort: 'relevance', limit, q }, after)
  const withClause = statement.text.slice(0, statement.text.indexOf('\nselect p.id'))
  const { rows } = await sql
    .raw<{ fast: boolean; beginning: boolean }>(
      `${withClause.replace(/\$(\d+)(?!\d)/g, (_, i: string) => literal(statement.parameters[Number(i) - 1]))}\nselect fast, beginning from w`,
    )
    .execute(db)
  const { fast, beginning } = rows[0]!
  expect(fast && beginning, q).toBe(false)
  return fast ? 'terms' : beginning ? 'beginnings' : 'gin'
}

/** Whether the statement of `q` reads its page from the terms. */
async function readsTerms(
  db: Kysely<any>,
  q: string,
  limit = 20,
  after: Cursor | null = null,
): Promise<boolean> {
  return (await pageSource(db, q, limit, after)) === 'terms'
}

/**
 * Issue 20: a search by relevance of one word reads its page from `product_search_terms`
 * (migration 009) when that is exact, and lists what ranking every match lists, first page and
 * next; the triggers keep the terms with the products through inserts, edits, drafts and
 * deletions.
 */
function searchTermsSuite(kind: DatabaseKind): void {
  describe(`infra: search by the terms' index on ${kind}`, () => {
    let testDb: TestDatabase
    let store: KyselyStore
    let db: Kysely<any>
    let words: string[]

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      db = testDb.database.db
      await migrate(testDb.database, { migrations: new URL('../migrations/', import.meta.url) })
      store = createKyselyStore({
        database: testDb.database,
        outbox: createOutbox({ source: 'catalog' }),
      })
      await store.detectSearchFeatures()
      await store.seedIfEmpty(generateDemoCatalog(), new Date())
      const { rows } = await sql<{ word: string }>`
        select word from ts_stat('select to_tsvector(''simple'', name) from products')
        order by ndoc desc, word`.execute(db)
      const named = rows.map((r) => r.word).filter((w) => /^[a-z0-9]+$/.test(w))
      // The names' words, their beginnings of 3 and 4 letters and a few others (a stop word, no
      // word, a plural, a beginning of two letters).
      words = [
        ...new Set([
          ...named,
          ...named.map((w) => w.slice(0, 3)),
          ...named.map((w) => w.slice(0, 4)),
          'the',
          'zzyzx',
          'Lamps',
          'la',
        ]),
      ]
    })
    afterAll(async () => testDb?.drop())

    /** Each page of `q` (at most `pages`) against the reference, then the one after it. */
    async function expectSameAsEveryMatch(q: string, pages = 2, limit = 7): Promise<void> {
      const expected = await rankedEveryMatch(db, q, limit * pages)
      let after: Cursor | null = null
      for (let page = 0; page < pages; page++) {
        const criteria: ListCriteria = { sort: 'relevance', limit, q }
        const result = await store.listProducts(criteria, after)
        const statement = listingSql(criteria, after)
        const { rows } = await sql
          .raw<{ id: string; rank: string }>(
            statement.text.replace(/\$(\d+)(?!\d)/g, (_, i: string) =>
              literal(statement.parameters[Number(i) - 1]),
            ),
          )
          .execute(db)
        expect(
          rows.slice(0, limit).map((r) => ({ id: r.id, rank: r.rank })),
          `${q}, page ${page + 1}`,
        ).toEqual(expected.slice(page * limit, (page + 1) * limit))
        expect(result.items.map((item) => item.id)).toEqual(rows.slice(0, limit).map((r) => r.id))
        if (!result.next) break
        after = result.next
      }
    }

    it('lists what ranking every match lists, for every word of the names and its beginning', async () => {
      const sources = { terms: 0, beginnings: 0, gin: 0 }
      for (const q of words) {
        await expectSameAsEveryMatch(q)
        sources[await pageSource(db, q)]++
      }
      // Most words read the terms; beginnings of 3 or 4 letters of several words read the
      // beginnings (migration 010); the rest (a stop word, two letters) the GIN index.
      expect(sources.terms, JSON.stringify(sources)).toBeGreaterThan(words.length / 2)
      expect(sources.beginnings, JSON.stringify(sources)).toBeGreaterThan(0)
      expect(sources.gin, JSON.stringify(sources)).toBeGreaterThan(0)
      expect(await pageSource(db, 'la')).toBe('gin')
      expect(await pageSource(db, 'the')).toBe('gin')
    })

    it('lists the whole word first, from the terms, when other words begin with it', async () => {
      // 12 products named with the word itself; one with four other words that begin with it,
      // whose ts_rank of the prefix (about 0.6 each) is above the whole word's matches' 1.6.
      // (Their SKUs, searched too, are their ids.)
      const copy = (id: string, name: string, description: string) => sql`
        insert into products (id, sku, name, description, price_amount, max_price_amount,
          price_currency, category_id, created_at, updated_at)
        select ${id}, ${id.toUpperCase()}, ${name}, ${description}, price_amount,
          max_price_amount, price_currency, category_id, now(), now()
        from products order by id limit 1`
      for (let i = 0; i < 12; i++) {
        await copy(
          `terms-w${i}`,
          `Wombat lamp ${i}`,
          `A lamp. ${'Wombat. '.repeat(i % 3)}`,
        ).execute(db)
      }
      const many = 'Wombatland wombatcraft wombatware wombatwood'
      await copy('terms-many', many, `${many}. ${many}.`).execute(db)
      const { rows } = await sql<{ rank: number }>`
        select ts_rank(search, to_tsquery('english', 'wombat:*')) as rank from products
        where id in ('terms-many', 'terms-w0') order by id`.execute(db)
      expect(rows, JSON.stringify(rows)).toHaveLength(2)
      expect(rows[0]!.rank).toBeGreaterThan(rows[1]!.rank + 1)

      for (const limit of [5, 11, 12, 13]) await expectSameAsEveryMatch('wombat', 3, limit)
      const first = await store.listProducts({ sort: 'relevance', limit: 5, q: 'wombat' }, null)
      expect(first.items.every((p) => p.name.startsWith('Wombat lamp'))).toBe(true)
      const all = await store.listProducts({ sort: 'relevance', limit: 20, q: 'wombat' }, null)
      expect(all.items.map((p) => p.id).at(-1)).toBe('terms-many')
      expect(all.items).toHaveLength(13)
      // A page with more of the whole word after it reads the terms; one that runs past them,
      // and a beginning of several words, rank every match.
      expect(await readsTerms(db, 'wombat', 5)).toBe(true)
      expect(await readsTerms(db, 'wombat', 5, first.next)).toBe(true)
      expect(await readsTerms(db, 'wombat', 11)).toBe(true)
      expect(await readsTerms(db, 'wombat', 12)).toBe(false)
      expect(await readsTerms(db, 'wombat', 20)).toBe(false)
      expect(await readsTerms(db, 'womba', 5)).toBe(false)
      await expectSameAsEveryMatch('womba', 3, 5)
      // Its beginnings of 3 and 4 letters: from the beginnings, the whole word's products (the
      // word `wom`'s, none) and the prefix-only ones in the same order, page after page.
      for (const q of ['womb', 'wom', 'Womb']) {
        expect(await pageSource(db, q, 5), q).toBe('beginnings')
        for (const limit of [5, 12, 13]) await expectSameAsEveryMatch(q, 3, limit)
      }
      await sql`delete from products where id like 'terms-%'`.execute(db)
    })

    it('keeps the terms with the products: edits, drafts, deletions and new products', async () => {
      const { rows } = await sql<{ id: string }>`
        select id from products where search @@ to_tsquery('english', 'lamp') order by id limit 3`.execute(
        db,
      )
      const [renamed, drafted, deleted] = rows.map((r) => r.id)
      await sql`update products set name = 'Quokka ' || name where id = ${renamed}`.execute(db)
      await sql`update products set status = 'draft' where id = ${drafted}`.execute(db)
      await sql`update products set deleted_at = now() where id = ${deleted}`.execute(db)
      await sql`insert into products (id, sku, name, description, price_amount, max_price_amount,
          price_currency, category_id, created_at, updated_at)
        select 'search-terms-new', 'SEARCH-TERMS-NEW', 'Quokka lamp', 'A lamp of a quokka',
          price_amount, max_price_amount, price_currency, category_id, now(), now()
        from products where id = ${renamed}`.execute(db)
      // Nothing else changed: the untouched products keep their rows.
      await sql`update products set updated_at = updated_at`.execute(db)
      for (const q of ['lamp', 'quokka', 'quo', 'lamps']) await expectSameAsEveryMatch(q, 3, 5)
      const quokka = await store.listProducts({ sort: 'relevance', limit: 20, q: 'quokka' }, null)
      expect(quokka.items.map((p) => p.id).sort()).toEqual([renamed, 'search-terms-new'].sort())
      const { rows: terms } = await sql<{ n: number }>`
        select count(*)::int as n from product_search_terms where product_id = ${deleted}`.execute(
        db,
      )
      expect(terms[0]!.n).toBe(0)
      const { rows: all } = await sql<{ stale: number }>`
        select count(*)::int as stale from (
          select t.lexeme, t.product_id, t.status, t.rank from product_search_terms t
          except
          select u.lexeme, p.id, p.status,
            round((ts_rank(p.search, (chr(39) || u.lexeme || chr(39) || ':*')::tsquery) + 1)::numeric, 6)
          from products p, unnest(p.search) u where p.deleted_at is null
        ) x`.execute(db)
      expect(all[0]!.stale).toBe(0)
      // The beginnings likewise (migration 010): every row as the listing ranks it, none missing.
      const { rows: beginnings } = await sql<{ stale: number }>`
        with expected as (
          select b.beginning, p.id, p.status,
            case when p.search @@ (chr(39) || b.beginning || chr(39))::tsquery
              then round((ts_rank(p.search, (chr(39) || b.beginning || chr(39) || ':*')::tsquery) + 1)::numeric, 6) + 999
              else round(least(ts_rank(p.search, (chr(39) || b.beginning || chr(39) || ':*')::tsquery), 998)::numeric, 6)
              end as rank
          from products p, lateral (
            select distinct left(u.lexeme, n) as beginning
            from unnest(p.search) u, (values (3), (4)) l(n) where char_length(u.lexeme) >= n
          ) b
          where p.deleted_at is null
        ), kept as (
          select beginning, product_id as id, status, rank from product_search_beginnings
        )
        select (select count(*) from (select * from kept except select * from expected) x)::int
          + (select count(*) from (select * from expected except select * from kept) x)::int
          as stale`.execute(db)
      expect(beginnings[0]!.stale).toBe(0)
    })
  })
}

searchTermsSuite('postgres')
searchTermsSuite('pglite')
