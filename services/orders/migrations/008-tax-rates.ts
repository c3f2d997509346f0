import { sql, type Kysely } from 'kysely'

/**
 * Tax rates by destination and tax class (issue 18), managed by admins (`PUT /tax-rates`):
 * a country's rate (`region` null) or one of its regions' (stored trimmed and upper-case, as the
 * lookup compares them), for one `tax_class` (`standard` unless said). One rate per (country,
 * region, class): NULLS NOT DISTINCT makes the country's own rate unique too (PostgreSQL 15+,
 * PGlite).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table tax_rates (
      id text primary key,
      country char(2) not null check (country ~ '^[A-Z]{2}$'),
      region text check (region is null or (region <> '' and region = upper(btrim(region)))),
      tax_class text not null default 'standard' check (tax_class ~ '^[a-z0-9-]{1,32}$'),
      rate_basis_points integer not null check (rate_basis_points between 0 and 10000),
      constraint tax_rates_destination_class_key unique nulls not distinct (country, region, tax_class)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tax_rates').execute()
}
