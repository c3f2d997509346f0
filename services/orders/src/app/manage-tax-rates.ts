import { randomUUID } from 'node:crypto'
import type { orders } from '@emporium/contracts'
import { AppError } from '@emporium/platform/errors'
import { STANDARD_TAX_CLASS, type TaxRate } from '../domain/tax.js'
import { auditOf, type StaffActor as Actor, type AuditOf } from '@emporium/contracts'

/** A rate as stored: the domain's, with its id. */
export type StoredTaxRate = TaxRate & { id: string }

/** Where tax rates are kept (infra/sql-tax-rates.ts; a fake in tests). */
export interface TaxRateStore {
  /** Every rate, by country, region (the country's own first) and class. */
  list(): Promise<StoredTaxRate[]>
  /** The rates of one country (its regions' too): what `rateFor` needs for a destination. */
  forCountry(country: string): Promise<TaxRate[]>
  /**
   * Sets the rate of (country, region, class); a new one gets `id`. Returns the stored rate. A
   * staff change's `record` makes its audit event, written to the outbox in its transaction.
   */
  upsert(rate: StoredTaxRate, record?: AuditOf<StoredTaxRate>): Promise<StoredTaxRate>
  /** Whether a rate was deleted. */
  remove(id: string, record?: AuditOf<StoredTaxRate>): Promise<boolean>
}

/**
 * The admins' tax-rate use cases (`/tax-rates`, http/tax-routes.ts). Staff's changes (an
 * `actor`) are audited in their transaction (issue 19): `tax-rate.created` (the rate after),
 * `tax-rate.updated` (the rate before and after), `tax-rate.deleted` (the rate before).
 */
export function createManageTaxRates(deps: {
  store: TaxRateStore
  newId?: () => string
  now?: () => Date
}) {
  const now = deps.now ?? (() => new Date())
  const newId = deps.newId ?? randomUUID
  return {
    async listTaxRates(): Promise<orders.TaxRateList> {
      return { items: await deps.store.list() }
    },

    async putTaxRate(body: orders.PutTaxRateBody, actor?: Actor): Promise<orders.TaxRate> {
      let region: string | null = null
      if (body.region !== undefined && body.region !== null) {
        // Stored as the lookup compares regions: trimmed and upper-case.
        region = body.region.trim().toUpperCase()
        if (region === '') {
          throw new AppError('invalid', 'ORDERS.INVALID_REGION', 'A region is not blank.', {
            details: { errors: [{ path: '/region', message: 'must not be blank' }] },
          })
        }
      }
      return deps.store.upsert(
        {
          id: newId(),
          country: body.country,
          region,
          taxClass: body.taxClass ?? STANDARD_TAX_CLASS,
          rateBasisPoints: body.rateBasisPoints,
        },
        auditOf<StoredTaxRate>(actor, 'tax-rate', now()),
      )
    },

    async deleteTaxRate(id: string, actor?: Actor): Promise<void> {
      if (!(await deps.store.remove(id, auditOf<StoredTaxRate>(actor, 'tax-rate', now())))) {
        throw new AppError('not_found', 'ORDERS.TAX_RATE_NOT_FOUND', 'No such tax rate.')
      }
    },
  }
}

export type ManageTaxRates = ReturnType<typeof createManageTaxRates>
