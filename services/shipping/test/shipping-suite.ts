import { afterAll, beforeAll, describe } from 'vitest'
import { auditTests } from './audit-tests.js'
import { rateTableTests } from './rate-table-tests.js'
import { shipmentTests } from './shipment-tests.js'
import { createHarness, type Harness } from './shipping-harness.js'

/** What every database kind must do alike. */
export function shippingSuite(kind: 'postgres' | 'pglite') {
  describe(`shipping service on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind)
    }, 120_000)

    afterAll(async () => {
      await h?.close()
    })

    shipmentTests(() => h)
    rateTableTests(() => h)
    auditTests(() => h)
  })
}
