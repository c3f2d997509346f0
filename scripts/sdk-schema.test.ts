import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { idempotentOperations } from '@emporium/sdk'
import { committedDocument, generateSchema, schemaPath } from './sdk-schema.js'

// No platform needed: the SDK's types are generated from the committed document, whose own
// freshness scripts/openapi.int.test.ts checks against the running gateway.
describe('packages/sdk/src/schema.ts', () => {
  it('is what openapi-typescript makes of docs/openapi.json (else run npm run sdk)', async () => {
    const generated = await generateSchema(await committedDocument())
    const committed = await readFile(schemaPath, 'utf8')
    expect(committed, 'packages/sdk/src/schema.ts is stale: run npm run sdk').toBe(generated)
  })

  it('lists the operations that take an Idempotency-Key, as API.md names them', () => {
    // An extraction that found nothing would leave the client adding no key at all.
    expect(idempotentOperations).toContain('POST /api/v1/orders')
  })
})
