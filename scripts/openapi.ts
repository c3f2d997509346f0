// Writes the public OpenAPI document, as the gateway serves it, to docs/openapi.json.
// Run: npm run openapi (after changing a route's schema or the gateway's merge); the test in
// scripts/openapi.int.test.ts fails while the committed document is stale.
import { writeFile } from 'node:fs/promises'
import { buildPublicDocument, documentPath, formatDocument } from './openapi-document.js'

const document = await buildPublicDocument()
await writeFile(documentPath, await formatDocument(document))
console.log(`wrote ${documentPath}`)
