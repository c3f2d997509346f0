import { afterAll, beforeAll, describe } from 'vitest'
import { breakerEnv, breakerTests } from './breaker-tests.js'
import { deliveryTests } from './delivery-tests.js'
import { dispatcherTests } from './dispatcher-tests.js'
import { endpointTests } from './endpoint-tests.js'
import { createHarness, type Harness } from './webhooks-harness.js'

/** What every database kind must do alike. */
export function webhooksSuite(kind: 'postgres' | 'pglite') {
  describe(`webhooks service on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind)
    }, 120_000)

    afterAll(async () => {
      await h?.close()
    })

    endpointTests(() => h)
    deliveryTests(() => h)
    dispatcherTests(() => h)
  })

  describe(`webhooks' circuit breaker on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind, breakerEnv)
    }, 120_000)

    afterAll(async () => {
      await h?.close()
    })

    breakerTests(() => h)
  })
}
