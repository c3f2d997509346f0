import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { buildPublicDocument, documentPath, formatDocument } from './openapi-document.js'

// Runs the embedded platform (PGlite, no machine database): the committed document must be
// what the gateway serves, so that a client generated from it matches the running API.
describe('docs/openapi.json', () => {
  it('is the document the gateway serves (else run npm run openapi)', async () => {
    const served = await formatDocument(await buildPublicDocument())
    const committed = await readFile(documentPath, 'utf8')
    expect(committed, 'docs/openapi.json is stale: run npm run openapi').toBe(served)
  }, 180_000)
})
