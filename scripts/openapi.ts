// Writes the public OpenAPI document, as the gateway serves it, to docs/openapi.json, and the
// SDK's types generated from it to packages/sdk/src/schema.ts (what `npm run sdk` does alone).
// Run: npm run openapi (after changing a route's schema or the gateway's merge); the tests in
// scripts/openapi.int.test.ts and scripts/sdk-schema.test.ts fail while either is stale.
import { writeFile } from 'node:fs/promises'
import { buildPublicDocument, documentPath, formatDocument } from './openapi-document.js'
import { committedDocument, generateSchema, schemaPath } from './sdk-schema.js'

const document = await buildPublicDocument()
await writeFile(documentPath, await formatDocument(document))
console.log(`wrote ${documentPath}`)
// From the file just written, as scripts/sdk-schema.test.ts reads it.
await writeFile(schemaPath, await generateSchema(await committedDocument()))
console.log(`wrote ${schemaPath}`)
