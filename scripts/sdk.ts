// Writes the SDK's types (packages/sdk/src/schema.ts) from the committed docs/openapi.json.
// Run: npm run sdk (npm run openapi runs it too, after writing the document); the test in
// scripts/sdk-schema.test.ts fails while the committed types are stale.
import { writeFile } from 'node:fs/promises'
import { committedDocument, generateSchema, schemaPath } from './sdk-schema.js'

await writeFile(schemaPath, await generateSchema(await committedDocument()))
console.log(`wrote ${schemaPath}`)
