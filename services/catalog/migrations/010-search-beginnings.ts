import { sql, type Kysely } from 'kysely'

/**
 * Ranked search of a word's beginning without ranking every match (issue 20). A search of three
 * or four letters that begin several words (`gre`: green, grey, great…) matched thousands of the
 * 100,000 products, each ranked before the first 20 could be kept (100–300 ms a search), and the
 * terms of migration 009 cannot give that order: a product's rank for a beginning counts every
 * word of it that begins so. `product_search_beginnings` holds, for each live product and each
 * distinct beginning of three and of four letters of its lexemes, the rank the listing gives the
 * product for a search of that beginning (`searchTerms`: a whole-word match when the beginning is
 * itself one of its lexemes, else a prefix-only one), in the listing's order through its index,
 * so such a search reads its page there (`termsPage`). About twice the rows of the terms.
 *
 * Kept as the terms are: by statement triggers on `products` (transition tables), a product's
 * rows written anew when its `search`, `status` or `deleted_at` changes, none for a deleted one.
 * `beginning` is in the "C" collation, as the terms' `lexeme`. PostgreSQL and PGlite alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table product_search_beginnings (
    beginning text collate "C" not null,
    product_id varchar(64) not null,
    status varchar(16) not null,
    rank numeric not null
  )`.execute(db)
  // The beginning as a tsquery's quoted term (quotes and backslashes doubled, as in 009), and
  // the two rank expressions of `searchTerms`, word for word.
  await sql`create function product_search_beginnings_of(
      id varchar, state varchar, deleted timestamptz, words tsvector)
    returns table (beginning text, product_id varchar, status varchar, rank numeric)
    language sql immutable as $$
      select b.beginning, $1, $2,
        case when b.whole
          then round((ts_rank($4, (b.quoted || ':*')::tsquery) + 1)::numeric, 6) + 999
          else round(least(ts_rank($4, (b.quoted || ':*')::tsquery), 998)::numeric, 6) end
      from (
        select b.beginning, bool_or(b.whole) as whole,
          chr(39) || replace(replace(b.beginning, chr(92), chr(92) || chr(92)),
            chr(39), chr(39) || chr(39)) || chr(39) as quoted
        from (
          select left(u.lexeme, n) as beginning, char_length(u.lexeme) = n as whole
          from unnest($4) u, (values (3), (4)) l(n)
          where char_length(u.lexeme) >= n
        ) b
        group by b.beginning
      ) b
      where $3 is null
    $$`.execute(db)
  await sql`insert into product_search_beginnings
    select b.* from products p,
      product_search_beginnings_of(p.id, p.status, p.deleted_at, p.search) b`.execute(db)
  await sql`create index product_search_beginnings_rank_idx
    on product_search_beginnings (beginning, status, rank, product_id)`.execute(db)
  await sql`create index product_search_beginnings_product_idx
    on product_search_beginnings (product_id)`.execute(db)

  await sql`create function product_search_beginnings_write() returns trigger
    language plpgsql set search_path from current as $$
    begin
      if tg_op = 'INSERT' then
        insert into product_search_beginnings
          select b.* from new_products p,
            product_search_beginnings_of(p.id, p.status, p.deleted_at, p.search) b;
      elsif tg_op = 'UPDATE' then
        with changed as (
          select n.id, n.status, n.deleted_at, n.search
          from new_products n join old_products o on o.id = n.id
          where n.search is distinct from o.search or n.status is distinct from o.status
            or n.deleted_at is distinct from o.deleted_at
        ), gone as (
          delete from product_search_beginnings b using changed c where b.product_id = c.id
        )
        insert into product_search_beginnings
          select b.* from changed c,
            product_search_beginnings_of(c.id, c.status, c.deleted_at, c.search) b;
      elsif tg_op = 'DELETE' then
        delete from product_search_beginnings b using old_products o where b.product_id = o.id;
      else
        delete from product_search_beginnings;
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`create trigger product_search_beginnings_inserted after insert on products
    referencing new table as new_products
    for each statement execute function product_search_beginnings_write()`.execute(db)
  await sql`create trigger product_search_beginnings_updated after update on products
    referencing new table as new_products old table as old_products
    for each statement execute function product_search_beginnings_write()`.execute(db)
  await sql`create trigger product_search_beginnings_deleted after delete on products
    referencing old table as old_products
    for each statement execute function product_search_beginnings_write()`.execute(db)
  await sql`create trigger product_search_beginnings_truncated after truncate on products
    for each statement execute function product_search_beginnings_write()`.execute(db)
  await sql`analyze product_search_beginnings`.execute(db)
}
