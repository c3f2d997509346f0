import { sql, type Kysely } from 'kysely'

/**
 * Ranked search without ranking every match (issue 20). A search of one common word matched
 * thousands of the 100,000 products, and PostgreSQL visited each of them (the GIN index gives no
 * order) to rank it before it could keep the first 20: 8–40 ms a search. `product_search_terms`
 * holds each live product's lexemes (its `search` vector's, one row each) with the rank a search
 * of that word, typed whole, gives the product in the listing: `round((ts_rank(search,
 * 'word':*) + 1)::numeric, 6)`, the very expression of `searchTerms` (the `+ 1` is the match of
 * the whole word). Its index is in the listing's order (rank, then id, read backwards), so such a
 * search reads its page from it (`listingSql` says when that is exact).
 *
 * Kept by triggers on `products`, in the writing transaction, one statement's rows at a time
 * (transition tables: a bulk insert is one insert here): a product's rows are written anew when
 * its `search`, `status` or `deleted_at` changes, and a deleted one has none. `lexeme` is in
 * the "C" collation, in which a prefix is an index range (`starts_with`). Filled here from the
 * existing products. PostgreSQL and PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table product_search_terms (
    lexeme text collate "C" not null,
    product_id varchar(64) not null,
    status varchar(16) not null,
    rank numeric not null
  )`.execute(db)
  // The lexeme as a tsquery's quoted prefix term: its quotes and backslashes doubled (chr(39)
  // and chr(92)), so that no lexeme fails to parse and none is normalised again.
  await sql`create function product_search_terms_of(
      id varchar, state varchar, deleted timestamptz, words tsvector)
    returns table (lexeme text, product_id varchar, status varchar, rank numeric)
    language sql immutable as $$
      select u.lexeme, $1, $2,
        round((ts_rank($4, (chr(39) || replace(replace(u.lexeme, chr(92), chr(92) || chr(92)),
          chr(39), chr(39) || chr(39)) || chr(39) || ':*')::tsquery) + 1::int)::numeric, 6)
      from unnest($4) u
      where $3 is null
    $$`.execute(db)
  await sql`insert into product_search_terms
    select t.* from products p,
      product_search_terms_of(p.id, p.status, p.deleted_at, p.search) t`.execute(db)
  await sql`create index product_search_terms_rank_idx
    on product_search_terms (lexeme, status, rank, product_id)`.execute(db)
  await sql`create index product_search_terms_product_idx
    on product_search_terms (product_id)`.execute(db)

  await sql`create function product_search_terms_write() returns trigger
    language plpgsql set search_path from current as $$
    begin
      if tg_op = 'INSERT' then
        insert into product_search_terms
          select t.* from new_products p,
            product_search_terms_of(p.id, p.status, p.deleted_at, p.search) t;
      elsif tg_op = 'UPDATE' then
        -- Only the products whose words, status or deletion changed.
        with changed as (
          select n.id, n.status, n.deleted_at, n.search
          from new_products n join old_products o on o.id = n.id
          where n.search is distinct from o.search or n.status is distinct from o.status
            or n.deleted_at is distinct from o.deleted_at
        ), gone as (
          delete from product_search_terms t using changed c where t.product_id = c.id
        )
        insert into product_search_terms
          select t.* from changed c,
            product_search_terms_of(c.id, c.status, c.deleted_at, c.search) t;
      elsif tg_op = 'DELETE' then
        delete from product_search_terms t using old_products o where t.product_id = o.id;
      else
        delete from product_search_terms;
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`create trigger product_search_terms_inserted after insert on products
    referencing new table as new_products
    for each statement execute function product_search_terms_write()`.execute(db)
  await sql`create trigger product_search_terms_updated after update on products
    referencing new table as new_products old table as old_products
    for each statement execute function product_search_terms_write()`.execute(db)
  await sql`create trigger product_search_terms_deleted after delete on products
    referencing old table as old_products
    for each statement execute function product_search_terms_write()`.execute(db)
  await sql`create trigger product_search_terms_truncated after truncate on products
    for each statement execute function product_search_terms_write()`.execute(db)
  await sql`analyze product_search_terms`.execute(db)
}
